/* uvgo_fault.c: allocation faults for uvdebug builds (testhooks_debug.go).
 *
 * uvgo_malloc and uvgo_calloc (uvgo.c) ask uvgo_alloc_fails before every
 * allocation when built with -DUVGO_DEBUG. A test arms a fault: the Nth
 * allocation from then on fails, and with `after` every one after it too.
 * The counters are atomic: loops may run on several threads. */
#include "uvgo.h"

#ifdef UVGO_DEBUG
static int64_t fault_at;    /* 0: no fault; -1: count only */
static int fault_after;     /* fail every allocation after fault_at too */
static int64_t fault_count; /* allocations since uvgo_alloc_fault */
static int64_t fault_failed;

int uvgo_alloc_fails(void) {
  int64_t at = __atomic_load_n(&fault_at, __ATOMIC_ACQUIRE), n;
  if (at == 0)
    return 0;
  n = __atomic_add_fetch(&fault_count, 1, __ATOMIC_RELAXED);
  if (at < 0 || n < at || (n > at && !fault_after))
    return 0;
  __atomic_add_fetch(&fault_failed, 1, __ATOMIC_RELAXED);
  return 1;
}

void uvgo_alloc_fault(int64_t at, int after) {
  __atomic_store_n(&fault_at, 0, __ATOMIC_RELEASE);
  __atomic_store_n(&fault_count, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&fault_failed, 0, __ATOMIC_RELAXED);
  fault_after = after;
  __atomic_store_n(&fault_at, at, __ATOMIC_RELEASE);
}

int64_t uvgo_alloc_count(void) {
  return __atomic_load_n(&fault_count, __ATOMIC_RELAXED);
}

int64_t uvgo_alloc_failed(void) {
  return __atomic_load_n(&fault_failed, __ATOMIC_RELAXED);
}
#endif
