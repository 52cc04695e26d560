/*
 * loadgen: a single-threaded epoll ping-pong load generator for TCP echo
 * servers.
 *
 *   loadgen -addr HOST:PORT -conns N -size S -warmup SECONDS -duration SECONDS
 *           [-pid SERVERPID] [-out FILE] [-udp [-timeout MS]] [-http PATH]
 *
 * Each of the N connections sends an S-byte message, waits for the whole echo,
 * checks every byte, and sends the next one (depth 1). Message k of
 * connection c is the S bytes at offset off(c, k) of a fixed pseudo-random
 * pattern, so a lost, duplicated or reordered byte shows up as a mismatch.
 *
 * Phases: connect all; prime (one round trip on every connection, so servers
 * that accept lazily are fully set up); warm up; measure; drain (no new
 * messages, wait for the ones in flight, then shutdown(SHUT_WR) each socket
 * and wait briefly for the server's FIN).
 *
 * Over the measured window it reports round trips per second, payload MB/s
 * (one direction: round trips * S / 1e6 per second), latency percentiles of
 * the round trips completed in the window, the server's CPU time (summed
 * over all its threads from /proc/PID/task/T/schedstat, in ns; falling back
 * to utime+stime in clock ticks from /proc/PID/stat), the server's CPU
 * microseconds per round trip, and the load generator's own CPU use
 * (getrusage) as a fraction of one core.
 *
 * With -udp, each of the N flows is a connected UDP socket (its own source
 * port) that keeps one S-byte datagram in flight: send, wait for the echo,
 * check it byte for byte (the same pattern), send the next. A datagram not
 * echoed within -timeout ms (default 200) counts as lost and is sent again
 * (the round trip's latency still runs from the first send); an echo that
 * arrives after its re-send is recognised as a duplicate of an earlier
 * datagram of the flow and skipped. Drain waits for the datagrams in flight
 * (up to 5 timeouts) and abandons the rest. The RESULT line adds
 * proto=udp, losses (re-sends), dups (late echoes skipped) and abandoned.
 *
 * With -http PATH, each connection is an HTTP/1.1 keep-alive connection
 * that sends "GET PATH" (with Host), waits for the whole response (a 200
 * status line, headers, and the Content-Length body, which is not checked
 * byte by byte) and sends the next request: a round trip is one request.
 * -size is ignored. The drain half-closes as for echo; an HTTP server closes
 * on the client's EOF. The RESULT line adds proto=http.
 *
 * Output: a human-readable block and one machine-readable line
 *   RESULT key=value ...
 * With -out FILE, the same values are appended to FILE as a TSV row (a header
 * row is written first when FILE is empty). Any mismatch, unexpected EOF or
 * connection error exits non-zero.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAT_SPAN 65536 /* number of distinct message offsets */
#define SCRATCH_SIZE (256 * 1024)
#define MAX_EVENTS 1024

/* ---------- options ---------- */

static const char *opt_addr = "127.0.0.1:9000";
static int opt_conns = 1;
static size_t opt_size = 64;
static double opt_warmup = 0.3;
static double opt_duration = 1.0;
static long opt_pid = 0;
static const char *opt_out = NULL;
static int opt_udp = 0;
static double opt_timeout_ms = 200;
static const char *opt_http = NULL; /* -http PATH */
static char http_req[512];

/* ---------- helpers ---------- */

static void fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "loadgen: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

static inline uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---------- latency histogram (log-linear, <1% bucket width) ---------- */

#define SUB_BITS 7
#define SUB_N (1 << SUB_BITS)
#define N_BUCKETS (SUB_N * (64 - SUB_BITS + 1))

static uint64_t hist[N_BUCKETS];
static uint64_t hist_count, hist_max;

static inline int hist_index(uint64_t v) {
  if (v < SUB_N) return (int)v;
  int msb = 63 - __builtin_clzll(v);
  int shift = msb - SUB_BITS;
  return SUB_N + shift * SUB_N + (int)((v >> shift) - SUB_N);
}

static inline void hist_add(uint64_t v) {
  hist[hist_index(v)]++;
  hist_count++;
  if (v > hist_max) hist_max = v;
}

/* Value (ns) at quantile q: midpoint of the bucket holding that rank. */
static double hist_quantile(double q) {
  if (hist_count == 0) return 0;
  uint64_t rank = (uint64_t)(q * (double)hist_count + 0.999999);
  if (rank < 1) rank = 1;
  uint64_t cum = 0;
  for (int i = 0; i < N_BUCKETS; i++) {
    cum += hist[i];
    if (cum >= rank) {
      if (i < SUB_N) return (double)i;
      int shift = i / SUB_N - 1;
      uint64_t lower = (uint64_t)(i % SUB_N + SUB_N) << shift;
      double mid = (double)lower + (double)(1ULL << shift) / 2.0;
      return mid > (double)hist_max ? (double)hist_max : mid;
    }
  }
  return (double)hist_max;
}

/* ---------- server CPU from /proc ---------- */

/* Sum of the first field of /proc/PID/task/T/schedstat (ns on CPU) over all
 * threads. Returns 0 on success. Threads that exited during the window are
 * not counted (Go, Node and libuv servers keep theirs). */
static int read_schedstat_ns(long pid, uint64_t *out, int *nthreads) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/task", pid);
  DIR *d = opendir(path);
  if (d == NULL) return -1;
  uint64_t sum = 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    char p[320], buf[128];
    snprintf(p, sizeof p, "/proc/%ld/task/%s/schedstat", pid, e->d_name);
    int fd = open(p, O_RDONLY);
    if (fd < 0) continue; /* thread exited meanwhile */
    ssize_t r = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (r <= 0) continue;
    buf[r] = 0;
    sum += strtoull(buf, NULL, 10);
    n++;
  }
  closedir(d);
  if (n == 0) return -1;
  *out = sum;
  *nthreads = n;
  return 0;
}

/* utime+stime (clock ticks) of the whole process from /proc/PID/stat. */
static int read_stat_ticks(long pid, uint64_t *out) {
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%ld/stat", pid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t r = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (r <= 0) return -1;
  buf[r] = 0;
  char *p = strrchr(buf, ')'); /* comm may contain spaces */
  if (p == NULL) return -1;
  p++;
  /* After ')': field 3 (state) is the first; utime is 14, stime is 15. */
  int field = 2;
  unsigned long long ut = 0, st = 0;
  char *tok = strtok(p, " ");
  while (tok != NULL) {
    field++;
    if (field == 14) ut = strtoull(tok, NULL, 10);
    if (field == 15) {
      st = strtoull(tok, NULL, 10);
      break;
    }
    tok = strtok(NULL, " ");
  }
  if (field != 15) return -1;
  *out = ut + st;
  return 0;
}

/* Machine-wide busy and total clock ticks (all CPUs) from /proc/stat. */
static int read_proc_stat(uint64_t *busy, uint64_t *total, uint64_t *steal) {
  char buf[512];
  int fd = open("/proc/stat", O_RDONLY);
  if (fd < 0) return -1;
  ssize_t r = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (r <= 0 || strncmp(buf, "cpu ", 4) != 0) return -1;
  buf[r] = 0;
  /* user nice system idle iowait irq softirq steal (guest* are in user) */
  unsigned long long v[8] = {0};
  char *p = buf + 4;
  for (int i = 0; i < 8; i++) v[i] = strtoull(p, &p, 10);
  *total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
  *busy = *total - v[3] - v[4];
  *steal = v[7];
  return 0;
}

typedef struct {
  uint64_t t;           /* CLOCK_MONOTONIC ns */
  uint64_t sys_busy, sys_total, sys_steal; /* /proc/stat ticks */
  int sys_ok;
  uint64_t sched_ns;    /* server schedstat sum */
  int sched_ok;
  int threads;
  uint64_t stat_ticks;  /* server utime+stime */
  int stat_ok;
  uint64_t self_cpu_ns; /* loadgen utime+stime */
  uint64_t rts;
} snapshot;

static uint64_t rusage_ns(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ULL +
         (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

static void take_snapshot(snapshot *s) {
  memset(s, 0, sizeof *s);
  if (opt_pid > 0) {
    s->sched_ok = read_schedstat_ns(opt_pid, &s->sched_ns, &s->threads) == 0;
    s->stat_ok = read_stat_ticks(opt_pid, &s->stat_ticks) == 0;
  }
  s->sys_ok = read_proc_stat(&s->sys_busy, &s->sys_total, &s->sys_steal) == 0;
  s->self_cpu_ns = rusage_ns();
  s->t = now_ns();
}

/* ---------- connections ---------- */

typedef struct {
  int fd;
  int id;
  int busy;      /* a message is in flight */
  int want_out;  /* EPOLLOUT registered */
  int got_fin;   /* drain: server closed its side */
  uint64_t k;    /* messages started on this connection */
  size_t off;    /* pattern offset of the current message */
  size_t sent, recvd;
  uint64_t t0;
  uint64_t tsend;    /* udp: when the datagram in flight was last sent */
  uint32_t resends;  /* udp: datagrams of this flow sent again */
  char *hbuf;        /* http: response head read so far */
  size_t hlen;       /* http: bytes in hbuf */
  size_t need;       /* http: total response bytes, 0 until the head is in */
} conn_t;

enum { PH_PRIME, PH_WARMUP, PH_MEASURE, PH_DRAIN, PH_CLOSE };

static conn_t *conns;
static unsigned char *pattern;
static unsigned char scratch[SCRATCH_SIZE];
static int epfd;
static int phase = PH_PRIME;
static int primed, inflight, fins;
static uint64_t warm_end, meas_end, measured_rts;
static snapshot snap_start, snap_end;

static void set_events(conn_t *c, uint32_t ev) {
  struct epoll_event e = {.events = ev, .data.u32 = (uint32_t)c->id};
  if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e) < 0)
    fatal("epoll_ctl: %s", strerror(errno));
}

static void conn_fail(conn_t *c, const char *what, int err) {
  fatal("connection %d (message %llu, phase %d): %s%s%s", c->id,
        (unsigned long long)c->k, phase, what, err ? ": " : "",
        err ? strerror(err) : "");
}

static uint64_t udp_losses, udp_dups, udp_abandoned;

/* udp: send the datagram in flight (again); a full send buffer counts as a
 * loss, and the timeout sends it again. */
static void udp_send(conn_t *c, uint64_t t) {
  c->tsend = t;
  for (;;) {
    ssize_t n = send(c->fd, pattern + c->off, opt_size, 0);
    if (n == (ssize_t)opt_size) return;
    if (n >= 0) conn_fail(c, "short datagram send", 0);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return;
    conn_fail(c, "send", errno);
  }
}

static void do_send(conn_t *c) {
  while (c->sent < opt_size) {
    ssize_t n = send(c->fd, pattern + c->off + c->sent, opt_size - c->sent,
                     MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!c->want_out) {
          c->want_out = 1;
          set_events(c, EPOLLIN | EPOLLOUT);
        }
        return;
      }
      conn_fail(c, "send", errno);
    }
    c->sent += (size_t)n;
  }
  if (c->want_out) {
    c->want_out = 0;
    set_events(c, EPOLLIN);
  }
}

static void start_msg(conn_t *c, uint64_t t) {
  /* 39193 is odd, so 65536 consecutive messages get distinct offsets. */
  c->off = opt_http ? 0 : (size_t)(((uint64_t)c->id * 7919u + c->k * 39193u) % PAT_SPAN);
  c->hlen = c->need = 0;
  c->k++;
  c->sent = c->recvd = 0;
  c->busy = 1;
  c->t0 = t;
  inflight++;
  if (opt_udp)
    udp_send(c, t);
  else
    do_send(c);
}

static void maybe_transition(uint64_t t);

static void complete_msg(conn_t *c) {
  uint64_t t1 = now_ns();
  c->busy = 0;
  inflight--;
  maybe_transition(t1);
  switch (phase) {
    case PH_PRIME:
      primed++;
      maybe_transition(t1);
      break;
    case PH_WARMUP:
      start_msg(c, t1);
      break;
    case PH_MEASURE:
      measured_rts++;
      hist_add(t1 - c->t0);
      start_msg(c, t1);
      break;
    default:
      break; /* draining: send nothing new */
  }
}

#define HBUF_SIZE 2048

/* http_head parses a complete response head in c->hbuf (status 200 and
 * Content-Length required) and sets c->need to the response's total size;
 * it returns 0 while the head is incomplete. */
static int http_head(conn_t *c) {
  char *end = memmem(c->hbuf, c->hlen, "\r\n\r\n", 4);
  if (end == NULL) {
    if (c->hlen == HBUF_SIZE) conn_fail(c, "response head over 2 KiB", 0);
    return 0;
  }
  size_t head = (size_t)(end - c->hbuf) + 4;
  if (c->hlen < 12 || memcmp(c->hbuf, "HTTP/1.1 200", 12) != 0) {
    fprintf(stderr, "loadgen: response: %.*s\n", (int)(head < 200 ? head : 200), c->hbuf);
    conn_fail(c, "status is not HTTP/1.1 200", 0);
  }
  long cl = -1;
  for (char *p = c->hbuf; p < end; p++) {
    if (*p == '\n' && strncasecmp(p + 1, "content-length:", 15) == 0) {
      cl = strtol(p + 16, NULL, 10);
      break;
    }
  }
  if (cl < 0) conn_fail(c, "response without Content-Length", 0);
  c->need = head + (size_t)cl;
  return 1;
}

/* http_recv reads a response; the head goes to c->hbuf, the body is only
 * counted. */
static void http_recv(conn_t *c, ssize_t n) {
  if (!c->busy) conn_fail(c, "unexpected data while no request in flight", 0);
  size_t take = (size_t)n;
  if (c->need == 0) {
    if (c->hbuf == NULL && (c->hbuf = malloc(HBUF_SIZE)) == NULL)
      fatal("out of memory");
    size_t room = HBUF_SIZE - c->hlen;
    size_t k = take < room ? take : room;
    memcpy(c->hbuf + c->hlen, scratch, k);
    c->hlen += k;
    c->recvd += take;
    if (!http_head(c)) return;
  } else {
    c->recvd += take;
  }
  if (c->recvd > c->need) conn_fail(c, "response longer than its Content-Length", 0);
  if (c->recvd == c->need) complete_msg(c);
}

static void do_recv(conn_t *c) {
  size_t want = c->busy && !opt_http ? opt_size - c->recvd : SCRATCH_SIZE;
  if (want > SCRATCH_SIZE) want = SCRATCH_SIZE;
  ssize_t n;
  do {
    n = recv(c->fd, scratch, want, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
  if (n <= 0 && phase == PH_CLOSE) {
    /* After our half-close a FIN (or a reset) from the server ends it. */
    if (!c->got_fin) {
      c->got_fin = 1;
      fins++;
      epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    }
    return;
  }
  if (n < 0) conn_fail(c, "recv", errno);
  if (n == 0) conn_fail(c, "server closed the connection (EOF)", 0);
  if (opt_http) {
    http_recv(c, n);
    return;
  }
  if (!c->busy) conn_fail(c, "unexpected data while no message in flight", 0);
  if (c->recvd + (size_t)n > c->sent)
    conn_fail(c, "echo ahead of what was sent", 0);
  const unsigned char *exp = pattern + c->off + c->recvd;
  if (memcmp(scratch, exp, (size_t)n) != 0) {
    size_t i = 0;
    while (scratch[i] == exp[i]) i++;
    fatal("connection %d message %llu: mismatch at byte %zu of %zu: got 0x%02x "
          "want 0x%02x",
          c->id, (unsigned long long)(c->k - 1), c->recvd + i, opt_size,
          scratch[i], exp[i]);
  }
  c->recvd += (size_t)n;
  if (c->recvd == opt_size) complete_msg(c);
}

static void maybe_transition(uint64_t t) {
  if (phase == PH_PRIME && primed == opt_conns) {
    phase = PH_WARMUP;
    warm_end = t + (uint64_t)(opt_warmup * 1e9);
    uint64_t ts = now_ns();
    for (int i = 0; i < opt_conns; i++) start_msg(&conns[i], ts);
    t = now_ns();
  }
  if (phase == PH_WARMUP && t >= warm_end) {
    take_snapshot(&snap_start);
    phase = PH_MEASURE;
    meas_end = snap_start.t + (uint64_t)(opt_duration * 1e9);
  }
  if (phase == PH_MEASURE && t >= meas_end) {
    take_snapshot(&snap_end);
    snap_end.rts = measured_rts;
    phase = PH_DRAIN;
  }
}

/* ---------- setup ---------- */

static void parse_args(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char *a = argv[i];
    if (a[0] == '-' && a[1] == '-') a++;
    if (strcmp(a, "-udp") == 0) {
      opt_udp = 1;
      continue;
    }
    char *val = strchr(a, '=');
    if (val != NULL) {
      *val++ = 0;
    } else if (i + 1 < argc) {
      val = argv[++i];
    } else {
      fatal("flag %s needs a value", a);
    }
    if (strcmp(a, "-addr") == 0)
      opt_addr = val;
    else if (strcmp(a, "-conns") == 0)
      opt_conns = atoi(val);
    else if (strcmp(a, "-size") == 0)
      opt_size = (size_t)atol(val);
    else if (strcmp(a, "-warmup") == 0)
      opt_warmup = atof(val);
    else if (strcmp(a, "-duration") == 0)
      opt_duration = atof(val);
    else if (strcmp(a, "-pid") == 0)
      opt_pid = atol(val);
    else if (strcmp(a, "-out") == 0)
      opt_out = val;
    else if (strcmp(a, "-udp") == 0)
      opt_udp = atoi(val) != 0;
    else if (strcmp(a, "-timeout") == 0)
      opt_timeout_ms = atof(val);
    else if (strcmp(a, "-http") == 0)
      opt_http = val;
    else
      fatal("unknown flag %s (flags: -addr -conns -size -warmup -duration "
            "-pid -out -udp -timeout -http)",
            a);
  }
  if (opt_conns < 1 || opt_size < 1 || opt_duration <= 0 || opt_warmup < 0 ||
      opt_timeout_ms <= 0)
    fatal("need -conns >= 1, -size >= 1, -duration > 0, -warmup >= 0, "
          "-timeout > 0");
}

static void raise_nofile(int need) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur >= (rlim_t)need) return;
  rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= (rlim_t)need
                    ? (rlim_t)need
                    : rl.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < (rlim_t)need)
    fatal("RLIMIT_NOFILE too low for %d connections", opt_conns);
}

static void resolve(struct sockaddr_storage *ss, socklen_t *len) {
  char host[256];
  const char *colon = strrchr(opt_addr, ':');
  if (colon == NULL || (size_t)(colon - opt_addr) >= sizeof host)
    fatal("bad -addr %s (want HOST:PORT)", opt_addr);
  memcpy(host, opt_addr, (size_t)(colon - opt_addr));
  host[colon - opt_addr] = 0;
  char *h = host;
  size_t hl = strlen(h);
  if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
    h[hl - 1] = 0;
    h++;
  }
  struct addrinfo hints = {0}, *res;
  hints.ai_socktype = opt_udp ? SOCK_DGRAM : SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  int r = getaddrinfo(h, colon + 1, &hints, &res);
  if (r != 0) fatal("resolve %s: %s", opt_addr, gai_strerror(r));
  memcpy(ss, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
}

/* Blocking connect with retries while the server's accept backlog fills. */
static int connect_one(const struct sockaddr_storage *ss, socklen_t len,
                       uint64_t deadline) {
  /* Nothing listening answers "refused" at once: give that 2 s, not 10. */
  uint64_t refused_deadline = now_ns() + 2000000000ULL;
  for (;;) {
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) fatal("socket: %s", strerror(errno));
    if (connect(fd, (const struct sockaddr *)ss, len) == 0) return fd;
    int err = errno;
    close(fd);
    uint64_t t = now_ns();
    if (((err == ECONNREFUSED && t < refused_deadline) || err == EAGAIN ||
         err == ETIMEDOUT || err == EINTR || err == EADDRNOTAVAIL) &&
        t < deadline) {
      usleep(10000);
      continue;
    }
    fatal("connect %s: %s", opt_addr, strerror(err));
  }
}

/* ---------- output ---------- */

static void emit(void) {
  double secs = (double)(snap_end.t - snap_start.t) / 1e9;
  double rts = (double)snap_end.rts;
  double rtps = rts / secs;
  double mbps = rtps * (double)opt_size / 1e6;
  double p50 = hist_quantile(0.50) / 1e3, p99 = hist_quantile(0.99) / 1e3,
         p999 = hist_quantile(0.999) / 1e3, maxus = (double)hist_max / 1e3;
  double client_frac =
      (double)(snap_end.self_cpu_ns - snap_start.self_cpu_ns) / 1e9 / secs;

  const char *src = "none";
  double scpu = -1, scpu_stat = -1;
  long tck = sysconf(_SC_CLK_TCK);
  if (snap_start.stat_ok && snap_end.stat_ok && tck > 0)
    scpu_stat = (double)(snap_end.stat_ticks - snap_start.stat_ticks) / tck;
  /* schedstat reads "0 0 0" when the kernel keeps no sched_info: treat a
   * zero total as unavailable. */
  if (snap_start.sched_ok && snap_end.sched_ok && snap_end.sched_ns > 0) {
    src = "schedstat";
    scpu = (double)(snap_end.sched_ns - snap_start.sched_ns) / 1e9;
  } else if (scpu_stat >= 0) {
    src = "stat";
    scpu = scpu_stat;
  }
  double scpu_frac = scpu >= 0 ? scpu / secs : -1;
  /* Machine-wide: busy CPUs (all processes, IRQs, steal) in cores. */
  double sys_busy = -1, sys_steal = -1;
  if (snap_start.sys_ok && snap_end.sys_ok && tck > 0) {
    sys_busy = (double)(snap_end.sys_busy - snap_start.sys_busy) / tck / secs;
    sys_steal = (double)(snap_end.sys_steal - snap_start.sys_steal) / tck / secs;
  }
  double us_per_rt = scpu >= 0 && rts > 0 ? scpu * 1e6 / rts : -1;

  printf("loadgen: %s conns=%d size=%zu warmup=%.2fs window=%.3fs "
         "(MB/s counts payload in one direction)\n",
         opt_addr, opt_conns, opt_size, opt_warmup, secs);
  printf("  %.0f round trips/s, %.2f MB/s, latency p50 %.1f us p99 %.1f us "
         "p99.9 %.1f us max %.1f us\n",
         rtps, mbps, p50, p99, p999, maxus);
  if (scpu >= 0)
    printf("  server pid %ld: %.4f s CPU (%s, %d threads) = %.2f of a core, "
           "%.3f CPU-us per round trip\n",
           opt_pid, scpu, src, snap_end.threads, scpu_frac, us_per_rt);
  if (sys_busy >= 0)
    printf("  machine: %.2f cores busy (all processes and IRQs, /proc/stat), "
           "%.2f cores stolen\n",
           sys_busy, sys_steal);
  printf("  loadgen CPU: %.2f of a core%s\n", client_frac,
         client_frac > 0.9 ? "  WARNING: the load generator may be the limit"
                           : "");

  char line[1024];
  snprintf(line, sizeof line,
           "conns=%d size=%zu secs=%.4f rts=%.0f rtps=%.1f mbps=%.3f "
           "p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f "
           "server_cpu_s=%.6f server_cpu_frac=%.4f server_cpu_us_per_rt=%.4f "
           "server_cpu_src=%s server_cpu_stat_s=%.2f server_threads=%d "
           "client_cpu_frac=%.4f sys_busy_cores=%.2f sys_steal_cores=%.2f "
           "errors=0",
           opt_conns, opt_size, secs, rts, rtps, mbps, p50, p99, p999, maxus,
           scpu, scpu_frac, us_per_rt, src, scpu_stat, snap_end.threads,
           client_frac, sys_busy, sys_steal);
  if (opt_udp) {
    size_t l = strlen(line);
    snprintf(line + l, sizeof line - l,
             " proto=udp losses=%llu dups=%llu abandoned=%llu",
             (unsigned long long)udp_losses, (unsigned long long)udp_dups,
             (unsigned long long)udp_abandoned);
    printf("  udp: %llu datagrams lost and sent again, %llu late duplicates "
           "skipped, %llu abandoned at the end\n",
           (unsigned long long)udp_losses, (unsigned long long)udp_dups,
           (unsigned long long)udp_abandoned);
  }
  if (opt_http) {
    size_t l = strlen(line);
    snprintf(line + l, sizeof line - l, " proto=http");
  }
  printf("RESULT %s\n", line);
  fflush(stdout);

  if (opt_out != NULL) {
    FILE *f = fopen(opt_out, "a");
    if (f == NULL) fatal("open %s: %s", opt_out, strerror(errno));
    struct stat st;
    int empty = fstat(fileno(f), &st) == 0 && st.st_size == 0;
    char keys[1024] = "", vals[1024] = "";
    char *save, *tok = strtok_r(line, " ", &save);
    while (tok != NULL) {
      char *eq = strchr(tok, '=');
      *eq = 0;
      if (keys[0]) {
        strcat(keys, "\t");
        strcat(vals, "\t");
      }
      strcat(keys, tok);
      strcat(vals, eq + 1);
      tok = strtok_r(NULL, " ", &save);
    }
    if (empty) fprintf(f, "%s\n", keys);
    fprintf(f, "%s\n", vals);
    fclose(f);
  }
}

/* ---------- UDP mode ---------- */

static size_t msg_off(const conn_t *c, uint64_t k) {
  return (size_t)(((uint64_t)c->id * 7919u + k * 39193u) % PAT_SPAN);
}

/* A late echo of one of the flow's earlier datagrams (one that was sent
 * again after a timeout, so that two echoes of it came back). */
static int udp_is_dup(const conn_t *c, size_t n) {
  if (c->resends == 0 || n != opt_size || c->k == 0) return 0;
  uint64_t cur = c->k - 1; /* index of the latest datagram */
  uint64_t lo = cur >= 16 ? cur - 16 : 0;
  for (uint64_t k = cur + (c->busy ? 0 : 1); k-- > lo;) {
    if (memcmp(scratch, pattern + msg_off(c, k), n) == 0) return 1;
  }
  return 0;
}

static void udp_recv(conn_t *c) {
  for (;;) {
    ssize_t n = recv(c->fd, scratch, SCRATCH_SIZE, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      conn_fail(c, "recv", errno); /* ECONNREFUSED: nobody at -addr */
    }
    if (c->busy && (size_t)n == opt_size &&
        memcmp(scratch, pattern + c->off, opt_size) == 0) {
      complete_msg(c);
      continue;
    }
    if (udp_is_dup(c, (size_t)n)) {
      udp_dups++;
      continue;
    }
    if ((size_t)n != opt_size)
      fatal("flow %d datagram %llu: echo of %zd bytes, sent %zu", c->id,
            (unsigned long long)(c->k - 1), n, opt_size);
    if (!c->busy)
      conn_fail(c, "unexpected datagram while none in flight", 0);
    const unsigned char *exp = pattern + c->off;
    size_t i = 0;
    while (scratch[i] == exp[i]) i++;
    fatal("flow %d datagram %llu: mismatch at byte %zu of %zu: got 0x%02x "
          "want 0x%02x",
          c->id, (unsigned long long)(c->k - 1), i, opt_size, scratch[i],
          exp[i]);
  }
}

static void udp_run(const struct sockaddr_storage *ss, socklen_t len) {
  if (opt_size > 65507) fatal("-size %zu is more than a UDP datagram holds", opt_size);
  for (int i = 0; i < opt_conns; i++) {
    conn_t *c = &conns[i];
    c->id = i;
    c->fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) fatal("socket: %s", strerror(errno));
    if (connect(c->fd, (const struct sockaddr *)ss, len) < 0)
      fatal("connect %s: %s", opt_addr, strerror(errno));
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &e) < 0)
      fatal("epoll_ctl: %s", strerror(errno));
  }

  uint64_t timeout_ns = (uint64_t)(opt_timeout_ms * 1e6);
  uint64_t scan_every = timeout_ns / 4;
  if (scan_every < 1000000) scan_every = 1000000;
  uint64_t t = now_ns();
  for (int i = 0; i < opt_conns; i++) start_msg(&conns[i], t);
  uint64_t prime_deadline = t + 10000000000ULL, drain_deadline = 0;
  uint64_t next_scan = t + scan_every;

  struct epoll_event evs[MAX_EVENTS];
  for (;;) {
    t = now_ns();
    maybe_transition(t);
    if (phase == PH_PRIME && t > prime_deadline)
      fatal("priming: only %d of %d flows got their first echo within 10 s",
            primed, opt_conns);
    if (phase == PH_DRAIN) {
      if (drain_deadline == 0) drain_deadline = t + 5 * timeout_ns;
      if (inflight == 0) break;
      if (t > drain_deadline) {
        udp_abandoned = (uint64_t)inflight;
        break;
      }
    }
    if (t >= next_scan) {
      /* Lost datagrams: send them again. */
      for (int i = 0; i < opt_conns; i++) {
        conn_t *c = &conns[i];
        if (c->busy && t - c->tsend >= timeout_ns) {
          udp_losses++;
          c->resends++;
          udp_send(c, t);
        }
      }
      next_scan = t + scan_every;
    }

    uint64_t next = next_scan;
    if (phase == PH_WARMUP && warm_end < next) next = warm_end;
    if (phase == PH_MEASURE && meas_end < next) next = meas_end;
    uint64_t d = next > t ? next - t : 0;
    int timeout_ms = (int)((d + 999999) / 1000000);
    int n = epoll_wait(epfd, evs, MAX_EVENTS, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      fatal("epoll_wait: %s", strerror(errno));
    }
    for (int i = 0; i < n; i++) {
      conn_t *c = &conns[evs[i].data.u32];
      if ((evs[i].events & EPOLLERR) != 0 && (evs[i].events & EPOLLIN) == 0) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        conn_fail(c, "socket error", err);
      }
      udp_recv(c);
    }
  }
  for (int i = 0; i < opt_conns; i++) close(conns[i].fd);
  if (udp_abandoned > 0)
    fprintf(stderr,
            "loadgen: note: %llu datagram(s) still unanswered at the end of "
            "the drain\n",
            (unsigned long long)udp_abandoned);
}

/* ---------- main ---------- */

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGPIPE, SIG_IGN);
  parse_args(argc, argv);
  raise_nofile(opt_conns + 64);

  if (opt_http) {
    if (opt_udp) fatal("-http and -udp exclude each other");
    int n = snprintf(http_req, sizeof http_req,
                     "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", opt_http, opt_addr);
    if (n <= 0 || (size_t)n >= sizeof http_req) fatal("-http path too long");
    opt_size = (size_t)n;
  }
  /* Pattern: PAT_SPAN possible starts, each followed by opt_size bytes. */
  pattern = malloc(PAT_SPAN + opt_size);
  if (pattern == NULL) fatal("out of memory");
  uint64_t x = 0x243F6A8885A308D3ULL;
  for (size_t i = 0; i < PAT_SPAN + opt_size; i++) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    pattern[i] = (unsigned char)((x * 0x2545F4914F6CDD1DULL) >> 56);
  }
  if (opt_http) memcpy(pattern, http_req, opt_size); /* every request at 0 */

  struct sockaddr_storage ss;
  socklen_t sslen;
  resolve(&ss, &sslen);

  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) fatal("epoll_create1: %s", strerror(errno));
  conns = calloc((size_t)opt_conns, sizeof *conns);
  if (conns == NULL) fatal("out of memory");

  if (opt_udp) {
    udp_run(&ss, sslen);
    emit();
    return 0;
  }

  uint64_t deadline = now_ns() + 10000000000ULL;
  for (int i = 0; i < opt_conns; i++) {
    conn_t *c = &conns[i];
    c->id = i;
    c->fd = connect_one(&ss, sslen, deadline);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &e) < 0)
      fatal("epoll_ctl: %s", strerror(errno));
  }

  /* Prime: one round trip on every connection. */
  uint64_t t = now_ns();
  for (int i = 0; i < opt_conns; i++) start_msg(&conns[i], t);
  uint64_t prime_deadline = t + 10000000000ULL, drain_deadline = 0;

  struct epoll_event evs[MAX_EVENTS];
  for (;;) {
    t = now_ns();
    maybe_transition(t);
    if (phase == PH_PRIME && t > prime_deadline)
      fatal("priming: only %d of %d connections got their first echo within "
            "10 s",
            primed, opt_conns);
    if (phase == PH_DRAIN) {
      if (drain_deadline == 0) drain_deadline = t + 5000000000ULL;
      if (inflight == 0) {
        /* Half-close every connection; the server should answer with FIN. */
        phase = PH_CLOSE;
        drain_deadline = t + 1000000000ULL;
        for (int i = 0; i < opt_conns; i++) shutdown(conns[i].fd, SHUT_WR);
      } else if (t > drain_deadline) {
        fatal("drain: %d round trips still unanswered after 5 s", inflight);
      }
    }
    if (phase == PH_CLOSE && (fins == opt_conns || t > drain_deadline)) break;

    int timeout_ms = 100;
    uint64_t next = 0;
    if (phase == PH_WARMUP) next = warm_end;
    if (phase == PH_MEASURE) next = meas_end;
    if (next) {
      uint64_t d = next > t ? next - t : 0;
      timeout_ms = (int)((d + 999999) / 1000000);
    }
    int n = epoll_wait(epfd, evs, MAX_EVENTS, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      fatal("epoll_wait: %s", strerror(errno));
    }
    for (int i = 0; i < n; i++) {
      conn_t *c = &conns[evs[i].data.u32];
      uint32_t ev = evs[i].events;
      if (c->got_fin) continue;
      if ((ev & EPOLLERR) != 0 && phase != PH_CLOSE) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        conn_fail(c, "socket error", err);
      }
      if ((ev & EPOLLOUT) != 0 && c->busy) do_send(c);
      if ((ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) do_recv(c);
    }
  }

  int unclosed = opt_conns - fins;
  for (int i = 0; i < opt_conns; i++) close(conns[i].fd);
  if (unclosed > 0)
    fprintf(stderr,
            "loadgen: note: %d of %d connections got no FIN from the server "
            "within 1 s of our half-close\n",
            unclosed, opt_conns);
  emit();
  return 0;
}
