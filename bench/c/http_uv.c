/*
 * http_uv: an HTTP/1.1 server in plain C on libuv + llhttp, the limit for
 * uvhttp (the same two libraries, nothing else in between).
 *
 *   http_uv -addr HOST:PORT
 *
 * Routes: /plaintext (200 "Hello, World!", text/plain), /json
 * ({"message":"Hello, World!"}, application/json), /bytes/N (N bytes of 'x',
 * application/octet-stream, N up to 16 MiB); anything else is 404.
 *
 * One static 64 KiB read buffer serves every connection. llhttp runs over
 * each read; every request completed in that read appends its response to
 * the output (heads into one buffer shared like the read buffer, large
 * bodies as a pointer to one static filler), and after the read the whole
 * output goes out at once: uv_try_write first, and only what the kernel did
 * not take is copied and queued with uv_write (libuv refuses a try_write
 * while writes are queued, so responses stay in order). Keep-alive as
 * llhttp_should_keep_alive says; a request that is not kept alive gets
 * "Connection: close" and the connection closes after its response. A parse
 * error answers 400 and closes. Date is formatted once per second.
 *
 * Prints "listening on HOST:PORT" once listening and exits 0 on SIGINT or
 * SIGTERM. SIGPIPE is ignored.
 */
#include <llhttp.h>
#include <uv.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define READ_BUF_SIZE (64 * 1024)
#define HIGH_WATER (1024 * 1024)
#define LOW_WATER (256 * 1024)
#define BACKLOG 1024
#define URL_MAX 256
#define MAX_BYTES (16 << 20)
#define INLINE_BODY 1024 /* bodies up to this size are copied into out */
#define MAX_IOV 64

typedef struct conn {
  uv_tcp_t tcp; /* first member */
  llhttp_t parser;
  char url[URL_MAX];
  size_t url_len;
  int url_over;   /* target longer than URL_MAX: 404 */
  int close_after; /* close once the output is written */
  int closing;
  int paused;
} conn;

/* The output of the read being handled, shared by every connection as the
 * read buffer is (one loop, one thread: a read callback flushes it before it
 * returns): response heads and small bodies in out, and a list of segments,
 * each either a stretch of out (base NULL, len = the offset where it ends)
 * or a large static body. */
static char *out;
static size_t out_len, out_cap;
static struct seg {
  const char *base;
  size_t len;
} segs[MAX_IOV];
static int nsegs;
static size_t out_mark; /* out bytes already covered by segs */

typedef struct wreq {
  uv_write_t req;
  char data[];
} wreq;

static uv_loop_t *loop;
static uv_tcp_t server;
static uv_signal_t sigint_h, sigterm_h;
static char read_buf[READ_BUF_SIZE];
static llhttp_settings_t settings;
static char *filler;
static char date_hdr[64]; /* "Date: ...\r\n" */
static size_t date_len;
static time_t date_sec = -1;

static void die(const char *what, int err) {
  fprintf(stderr, "http_uv: %s: %s\n", what, uv_strerror(err));
  exit(1);
}

static void update_date(void) {
  time_t now = time(NULL);
  if (now == date_sec) return;
  date_sec = now;
  struct tm tm;
  gmtime_r(&now, &tm);
  date_len = strftime(date_hdr, sizeof date_hdr,
                      "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
}

static void out_reserve(conn *c, size_t n) {
  (void)c;
  if (out_len + n <= out_cap) return;
  size_t cap = out_cap ? out_cap : 4096;
  while (cap < out_len + n) cap *= 2;
  out = realloc(out, cap);
  if (out == NULL) {
    fprintf(stderr, "http_uv: out of memory\n");
    exit(1);
  }
  out_cap = cap;
}

static void out_append(conn *c, const char *p, size_t n) {
  out_reserve(c, n);
  memcpy(out + out_len, p, n);
  out_len += n;
}

/* seg_close ends the current out segment (if any bytes were appended). */
static void seg_close(void) {
  if (out_len == out_mark) return;
  segs[nsegs].base = NULL;
  segs[nsegs].len = out_len;
  nsegs++;
  out_mark = out_len;
}

static void flush(conn *c);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void respond(conn *c, const char *status, const char *ctype,
                    const char *body, size_t n) {
  char head[256];
  int hl = snprintf(head, sizeof head,
                    "HTTP/1.1 %s\r\nServer: C\r\nContent-Type: %s\r\n"
                    "Content-Length: %zu\r\n%s",
                    status, ctype, n,
                    c->close_after ? "Connection: close\r\n" : "");
  out_append(c, head, (size_t)hl);
  out_append(c, date_hdr, date_len);
  out_append(c, "\r\n", 2);
  if (n <= INLINE_BODY) {
    out_append(c, body, n);
  } else {
    seg_close();
    segs[nsegs].base = body;
    segs[nsegs].len = n;
    nsegs++;
  }
  /* keep room for a header segment and a body segment */
  if (nsegs >= MAX_IOV - 2) flush(c);
}

static int on_message_begin(llhttp_t *p) {
  conn *c = p->data;
  c->url_len = 0;
  c->url_over = 0;
  return 0;
}

static int on_url(llhttp_t *p, const char *at, size_t n) {
  conn *c = p->data;
  if (c->url_len + n > URL_MAX) {
    c->url_over = 1;
    return 0;
  }
  memcpy(c->url + c->url_len, at, n);
  c->url_len += n;
  return 0;
}

static int url_is(conn *c, const char *s) {
  size_t n = strlen(s);
  return c->url_len == n && memcmp(c->url, s, n) == 0;
}

static int on_message_complete(llhttp_t *p) {
  conn *c = p->data;
  static const char hello[] = "Hello, World!";
  static const char json[] = "{\"message\":\"Hello, World!\"}";
  if (!llhttp_should_keep_alive(p)) c->close_after = 1;
  if (c->url_over) {
    respond(c, "404 Not Found", "text/plain", "", 0);
  } else if (url_is(c, "/plaintext")) {
    respond(c, "200 OK", "text/plain", hello, sizeof hello - 1);
  } else if (url_is(c, "/json")) {
    respond(c, "200 OK", "application/json", json, sizeof json - 1);
  } else if (c->url_len > 7 && memcmp(c->url, "/bytes/", 7) == 0) {
    long n = 0;
    size_t i;
    for (i = 7; i < c->url_len && c->url[i] >= '0' && c->url[i] <= '9'; i++) {
      n = n * 10 + (c->url[i] - '0');
      if (n > MAX_BYTES) break;
    }
    if (i != c->url_len || n > MAX_BYTES)
      respond(c, "400 Bad Request", "text/plain", "", 0);
    else
      respond(c, "200 OK", "application/octet-stream", filler, (size_t)n);
  } else {
    respond(c, "404 Not Found", "text/plain", "", 0);
  }
  /* Stop at a request that closes: later pipelined bytes are ignored. */
  return c->close_after ? HPE_PAUSED : 0;
}

static void on_close(uv_handle_t *h) {
  free((conn *)h);
}

static void conn_close(conn *c) {
  if (c->closing) return;
  c->closing = 1;
  uv_close((uv_handle_t *)&c->tcp, on_close);
}

static void on_write(uv_write_t *req, int status) {
  conn *c = (conn *)req->handle;
  free(req);
  if (status < 0) {
    conn_close(c);
    return;
  }
  if (c->closing) return;
  if (c->close_after && c->tcp.write_queue_size == 0) {
    conn_close(c);
    return;
  }
  if (c->paused && c->tcp.write_queue_size < LOW_WATER) {
    c->paused = 0;
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
  }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  (void)suggested;
  buf->base = read_buf;
  buf->len = sizeof read_buf;
}

/* flush writes everything appended since the last flush. */
static void flush(conn *c) {
  seg_close();
  if (nsegs == 0) return;
  uv_buf_t bufs[MAX_IOV];
  size_t start = 0, total = 0;
  for (int i = 0; i < nsegs; i++) {
    if (segs[i].base == NULL) {
      bufs[i] = uv_buf_init(out + start, (unsigned)(segs[i].len - start));
      start = segs[i].len;
    } else {
      bufs[i] = uv_buf_init((char *)segs[i].base, (unsigned)segs[i].len);
    }
    total += bufs[i].len;
  }
  int n = nsegs;
  nsegs = 0;
  out_len = out_mark = 0;
  int r = uv_try_write((uv_stream_t *)&c->tcp, bufs, (unsigned)n);
  size_t done = 0;
  if (r >= 0) {
    done = (size_t)r;
  } else if (r != UV_EAGAIN) {
    conn_close(c);
    return;
  }
  if (done == total) {
    if (c->close_after) conn_close(c);
    return;
  }
  wreq *w = malloc(sizeof *w + (total - done));
  if (w == NULL) {
    fprintf(stderr, "http_uv: out of memory\n");
    exit(1);
  }
  size_t off = 0, skip = done;
  for (int i = 0; i < n; i++) {
    size_t l = bufs[i].len;
    if (skip >= l) {
      skip -= l;
      continue;
    }
    memcpy(w->data + off, bufs[i].base + skip, l - skip);
    off += l - skip;
    skip = 0;
  }
  uv_buf_t rest = uv_buf_init(w->data, (unsigned)off);
  if ((r = uv_write(&w->req, (uv_stream_t *)&c->tcp, &rest, 1, on_write)) < 0) {
    free(w);
    conn_close(c);
    return;
  }
  if (c->tcp.write_queue_size > HIGH_WATER && !c->paused) {
    c->paused = 1;
    uv_read_stop((uv_stream_t *)&c->tcp);
  }
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  conn *c = (conn *)s;
  if (nread < 0) {
    conn_close(c);
    return;
  }
  if (nread == 0 || c->close_after) return;
  update_date();
  llhttp_errno_t e = llhttp_execute(&c->parser, buf->base, (size_t)nread);
  if (e != HPE_OK && e != HPE_PAUSED) {
    c->close_after = 1;
    respond(c, "400 Bad Request", "text/plain", "", 0);
  }
  flush(c);
}

static void on_connection(uv_stream_t *srv, int status) {
  if (status < 0) return;
  conn *c = calloc(1, sizeof *c);
  if (c == NULL) {
    fprintf(stderr, "http_uv: out of memory\n");
    exit(1);
  }
  uv_tcp_init(loop, &c->tcp);
  if (uv_accept(srv, (uv_stream_t *)&c->tcp) < 0) {
    conn_close(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  llhttp_init(&c->parser, HTTP_REQUEST, &settings);
  c->parser.data = c;
  uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

static void close_walk_cb(uv_handle_t *h, void *arg) {
  (void)arg;
  if (uv_is_closing(h)) return;
  if (h->type == UV_TCP && h != (uv_handle_t *)&server) {
    conn_close((conn *)h);
    return;
  }
  uv_close(h, NULL);
}

static void on_signal(uv_signal_t *h, int signum) {
  (void)signum;
  uv_walk(h->loop, close_walk_cb, NULL);
}

static void usage(void) {
  fprintf(stderr, "usage: http_uv -addr HOST:PORT\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *addr = "127.0.0.1:0";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] == '-' && a[1] == '-') a++;
    if (strcmp(a, "-addr") == 0 && i + 1 < argc)
      addr = argv[++i];
    else
      usage();
  }
  char host[256];
  const char *colon = strrchr(addr, ':');
  if (colon == NULL || (size_t)(colon - addr) >= sizeof host) usage();
  memcpy(host, addr, (size_t)(colon - addr));
  host[colon - addr] = 0;
  int port = atoi(colon + 1);
  char *h = host;
  size_t hl = strlen(h);
  if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
    h[hl - 1] = 0;
    h++;
  }
  struct sockaddr_storage ss;
  int r;
  if (strchr(h, ':') != NULL)
    r = uv_ip6_addr(h, port, (struct sockaddr_in6 *)&ss);
  else
    r = uv_ip4_addr(h, port, (struct sockaddr_in *)&ss);
  if (r < 0) die("address", r);

  signal(SIGPIPE, SIG_IGN);
  filler = malloc(MAX_BYTES);
  if (filler == NULL) die("malloc", UV_ENOMEM);
  memset(filler, 'x', MAX_BYTES);
  llhttp_settings_init(&settings);
  settings.on_message_begin = on_message_begin;
  settings.on_url = on_url;
  settings.on_message_complete = on_message_complete;

  loop = uv_default_loop();
  if ((r = uv_tcp_init(loop, &server)) < 0) die("uv_tcp_init", r);
  if ((r = uv_tcp_bind(&server, (struct sockaddr *)&ss, 0)) < 0)
    die("uv_tcp_bind", r);
  if ((r = uv_listen((uv_stream_t *)&server, BACKLOG, on_connection)) < 0)
    die("uv_listen", r);
  struct sockaddr_storage bound;
  int blen = sizeof bound;
  if ((r = uv_tcp_getsockname(&server, (struct sockaddr *)&bound, &blen)) < 0)
    die("uv_tcp_getsockname", r);
  char ip[INET6_ADDRSTRLEN];
  if (bound.ss_family == AF_INET6) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&bound;
    uv_ip6_name(s6, ip, sizeof ip);
    printf("listening on [%s]:%d\n", ip, ntohs(s6->sin6_port));
  } else {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&bound;
    uv_ip4_name(s4, ip, sizeof ip);
    printf("listening on %s:%d\n", ip, ntohs(s4->sin_port));
  }
  fflush(stdout);

  uv_signal_init(loop, &sigint_h);
  uv_signal_start(&sigint_h, on_signal, SIGINT);
  uv_signal_init(loop, &sigterm_h);
  uv_signal_start(&sigterm_h, on_signal, SIGTERM);
  uv_run(loop, UV_RUN_DEFAULT);
  free(filler);
  free(out);
  if ((r = uv_loop_close(loop)) != 0) {
    fprintf(stderr, "http_uv: uv_loop_close: %s\n", uv_strerror(r));
    return 1;
  }
  return 0;
}
