/*
 * million_timers: the shape of libuv's million_timers benchmark, with each
 * timer allocated on its own as an application would.
 *
 * Arms 1,000,000 one-shot uv_timer_t (one malloc each) with pseudo-random
 * timeouts in 0..1000 ms (fixed seed), runs the loop until every timer has
 * fired, and prints the time from before arming until the last callback,
 * the peak RSS, and the process's CPU time over the timed section:
 *
 *   million_timers impl=c fired=1000000 seconds=X.XXX maxrss_mib=N cpu_s=X.XXX
 *
 * Like libuv's benchmark, the timers are armed against the loop time taken
 * before arming (uv_timer_start does not update the loop clock).
 */
#include <uv.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#define NUM_TIMERS 1000000
#define MAX_TIMEOUT_MS 1000

static long fired;
static uint64_t t_last;
static double cpu_last;

/* CPU time of the process (every thread), in seconds. */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_timer(uv_timer_t *t) {
  (void)t;
  if (++fired == NUM_TIMERS) {
    t_last = uv_hrtime();
    cpu_last = cpu_now();
  }
}

static void free_timer(uv_handle_t *h) { free(h); }

/* xorshift64*: deterministic across C libraries, unlike rand(). */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545F4914F6CDD1DULL;
}

int main(void) {
  uv_loop_t *loop = uv_default_loop();
  uv_timer_t **timers = malloc(NUM_TIMERS * sizeof *timers);
  if (timers == NULL) return 1;

  uint64_t t0 = uv_hrtime();
  double cpu0 = cpu_now();
  for (int i = 0; i < NUM_TIMERS; i++) {
    uv_timer_t *t = malloc(sizeof *t);
    if (t == NULL) {
      fprintf(stderr, "million_timers: out of memory\n");
      return 1;
    }
    timers[i] = t;
    uv_timer_init(loop, t);
    uv_timer_start(t, on_timer, rng() % (MAX_TIMEOUT_MS + 1), 0);
  }
  uv_run(loop, UV_RUN_DEFAULT);
  if (fired != NUM_TIMERS) {
    fprintf(stderr, "million_timers: only %ld timers fired\n", fired);
    return 1;
  }
  double seconds = (double)(t_last - t0) / 1e9;

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  long maxrss_mib = (ru.ru_maxrss + 512) / 1024; /* ru_maxrss is in KiB */

  for (int i = 0; i < NUM_TIMERS; i++)
    uv_close((uv_handle_t *)timers[i], free_timer);
  uv_run(loop, UV_RUN_DEFAULT);
  free(timers);
  if (uv_loop_close(loop) != 0) return 1;

  printf("million_timers impl=c fired=%ld seconds=%.3f maxrss_mib=%ld cpu_s=%.3f\n",
         fired, seconds, maxrss_mib, cpu_last - cpu0);
  return 0;
}
