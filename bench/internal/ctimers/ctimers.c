/* The C side of package ctimers: million_timers on a fresh loop. */
#include <stdint.h>
#include <stdlib.h>
#include <uv.h>

static int fired;

static void timer_cb(uv_timer_t* t) {
  (void) t;
  fired++;
}

static void free_cb(uv_handle_t* h) {
  free(h);
}

/* A small xorshift generator: the same sequence for the same seed. */
static uint64_t next(uint64_t* s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

int64_t ctimers_run(int n, int max_ms, uint64_t seed) {
  uv_loop_t loop;
  uv_timer_t** timers = malloc(sizeof(*timers) * (size_t) n);
  uint64_t s = seed | 1, start;
  int64_t elapsed;
  int i;
  uv_loop_init(&loop);
  fired = 0;
  start = uv_hrtime();
  for (i = 0; i < n; i++) {
    timers[i] = malloc(sizeof(uv_timer_t));
    uv_timer_init(&loop, timers[i]);
    uv_timer_start(timers[i], timer_cb, next(&s) % (uint64_t) (max_ms + 1), 0);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  elapsed = (int64_t) (uv_hrtime() - start);
  for (i = 0; i < n; i++)
    uv_close((uv_handle_t*) timers[i], free_cb);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  free(timers);
  return fired == n ? elapsed : -1;
}
