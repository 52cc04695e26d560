package uv

/*
#include "uvgo.h"

// A thread pool blocker for the package's tests (threadpool_cancel_fs):
// work items that wait on a semaphore, so that requests queued behind them
// stay queued, and can be cancelled, until the test releases them.
static uv_sem_t uvgo_test_sem;
static uv_once_t uvgo_test_once = UV_ONCE_INIT;

static void uvgo_test_sem_init(void) { uv_sem_init(&uvgo_test_sem, 0); }
static void uvgo_test_block(uv_work_t* w) { uv_sem_wait(&uvgo_test_sem); }
static void uvgo_test_unblocked(uv_work_t* w, int status) { free(w); }

static int uvgo_test_block_pool(uv_loop_t* loop, int n) {
  int i, err;
  uv_once(&uvgo_test_once, uvgo_test_sem_init);
  for (i = 0; i < n; i++) {
    uv_work_t* w = uvgo_calloc(1, sizeof(*w));
    if (w == NULL)
      return i;
    err = uv_queue_work(loop, w, uvgo_test_block, uvgo_test_unblocked);
    if (err != 0) {
      free(w);
      return i;
    }
  }
  return n;
}

static void uvgo_test_unblock_pool(int n) {
  while (n-- > 0)
    uv_sem_post(&uvgo_test_sem);
}
*/
import "C"

import (
	"os"
	"strconv"
)

// blockThreadPool queues on l one work item per thread of libuv's pool
// (UV_THREADPOOL_SIZE, 4 by default, at most 1024), each waiting until the
// function it returns is called, so that requests started meanwhile stay
// in the queue. The function must be called before the loop runs dry. ok
// is false when not every item could be queued.
func blockThreadPool(l *Loop) (ok bool, release func()) {
	n := 4
	if v, err := strconv.Atoi(os.Getenv("UV_THREADPOOL_SIZE")); err == nil && v > 0 {
		n = min(v, 1024)
	}
	queued := int(C.uvgo_test_block_pool(l.ptr, C.int(n)))
	done := false
	return queued == n, func() {
		if !done {
			done = true
			C.uvgo_test_unblock_pool(C.int(queued))
		}
	}
}
