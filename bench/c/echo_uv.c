/*
 * echo_uv: a TCP echo server in plain C on libuv, the reference point
 * ("physical limit") for any libuv binding in the benchmark.
 *
 *   echo_uv -addr HOST:PORT [-mode write|try]
 *
 * -mode write: every read is answered with one uv_write of a copy of the data.
 * -mode try:   uv_try_write first; only the part the kernel did not take is
 *              copied and queued with uv_write.
 *
 * One static 64 KiB read buffer serves every connection (one loop, one
 * thread: a read callback finishes with the buffer before the next alloc).
 * Half-close: on EOF the server stops reading, uv_shutdown (which libuv runs
 * after the pending writes) and closes in the shutdown callback. A reset or
 * any other error closes the connection at once. When a connection's
 * write_queue_size passes HIGH_WATER, reading stops until the queue drains
 * below LOW_WATER.
 *
 * Prints "listening on HOST:PORT" (the bound port) once listening, and exits
 * 0 on SIGINT or SIGTERM. Nothing is logged per connection. SIGPIPE is
 * ignored (libuv writes with write(2), so a peer's reset would otherwise kill
 * the process).
 */
#include <uv.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_BUF_SIZE (64 * 1024)
#define HIGH_WATER (1024 * 1024)
#define LOW_WATER (256 * 1024)
#define BACKLOG 1024

enum { MODE_WRITE, MODE_TRY };

typedef struct conn {
  uv_tcp_t tcp; /* first member: (conn *)stream == container */
  uv_shutdown_t shutdown_req;
  int paused;  /* reading stopped for back-pressure */
  int eof;     /* peer sent FIN */
  int closing; /* uv_close called */
} conn;

typedef struct wreq {
  uv_write_t req;
  conn *c;
  char data[]; /* copy of the bytes being written */
} wreq;

static int mode = MODE_WRITE;
static uv_loop_t *loop;
static uv_tcp_t server;
static uv_signal_t sigint_h, sigterm_h;
static char read_buf[READ_BUF_SIZE];

static void die(const char *what, int err) {
  fprintf(stderr, "echo_uv: %s: %s\n", what, uv_strerror(err));
  exit(1);
}

static void on_conn_closed(uv_handle_t *h) { free(h); /* h == &conn->tcp */ }

static void conn_close(conn *c) {
  if (c->closing) return;
  c->closing = 1;
  uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  (void)suggested;
  buf->base = read_buf;
  buf->len = sizeof read_buf;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static void on_write(uv_write_t *req, int status) {
  wreq *w = (wreq *)req;
  conn *c = w->c;
  free(w);
  if (status < 0) {
    /* UV_ECANCELED: the handle is being closed; anything else: reset etc. */
    if (status != UV_ECANCELED) conn_close(c);
    return;
  }
  if (c->paused && !c->closing && !c->eof &&
      c->tcp.write_queue_size <= LOW_WATER) {
    c->paused = 0;
    int r = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (r < 0) conn_close(c);
  }
}

static void on_shutdown(uv_shutdown_t *req, int status) {
  (void)status; /* close either way */
  conn_close((conn *)req->handle);
}

static void queue_write(conn *c, const char *data, size_t len) {
  wreq *w = malloc(sizeof *w + len);
  if (w == NULL) {
    conn_close(c);
    return;
  }
  w->c = c;
  memcpy(w->data, data, len);
  uv_buf_t b = uv_buf_init(w->data, (unsigned int)len);
  int r = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write);
  if (r < 0) {
    free(w);
    conn_close(c);
    return;
  }
  if (!c->paused && c->tcp.write_queue_size > HIGH_WATER) {
    c->paused = 1;
    uv_read_stop((uv_stream_t *)&c->tcp);
  }
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  conn *c = (conn *)s;
  if (nread > 0) {
    const char *p = buf->base;
    size_t len = (size_t)nread;
    if (mode == MODE_TRY) {
      uv_buf_t b = uv_buf_init((char *)p, (unsigned int)len);
      int n = uv_try_write(s, &b, 1);
      if (n == UV_EAGAIN || n == UV_ENOSYS) {
        n = 0;
      } else if (n < 0) {
        conn_close(c);
        return;
      }
      p += n;
      len -= (size_t)n;
    }
    if (len > 0) queue_write(c, p, len);
    return;
  }
  if (nread == 0) return; /* EAGAIN, nothing read */
  if (nread == UV_EOF) {
    /* Half-close: echo what is queued, then send our FIN, then close. */
    c->eof = 1;
    uv_read_stop(s);
    int r = uv_shutdown(&c->shutdown_req, s, on_shutdown);
    if (r < 0) conn_close(c);
    return;
  }
  conn_close(c); /* ECONNRESET and other errors */
}

static void on_connection(uv_stream_t *srv, int status) {
  if (status < 0) return; /* e.g. EMFILE: keep serving the others */
  conn *c = calloc(1, sizeof *c);
  if (c == NULL) return;
  uv_tcp_init(loop, &c->tcp);
  if (uv_accept(srv, (uv_stream_t *)&c->tcp) != 0) {
    conn_close(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
    conn_close(c);
}

static void close_walk_cb(uv_handle_t *h, void *arg) {
  (void)arg;
  if (uv_is_closing(h)) return;
  if (h->type == UV_TCP && h != (uv_handle_t *)&server) {
    conn_close((conn *)h);
    return;
  }
  uv_close(h, NULL); /* server and signal handles are static */
}

static void on_signal(uv_signal_t *h, int signum) {
  (void)signum;
  uv_walk(h->loop, close_walk_cb, NULL);
}

static void usage(void) {
  fprintf(stderr, "usage: echo_uv -addr HOST:PORT [-mode write|try]\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *addr = "127.0.0.1:0";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] == '-' && a[1] == '-') a++; /* accept --flag as well */
    if (strcmp(a, "-addr") == 0 && i + 1 < argc) {
      addr = argv[++i];
    } else if (strcmp(a, "-mode") == 0 && i + 1 < argc) {
      const char *m = argv[++i];
      if (strcmp(m, "write") == 0)
        mode = MODE_WRITE;
      else if (strcmp(m, "try") == 0)
        mode = MODE_TRY;
      else
        usage();
    } else {
      usage();
    }
  }

  /* Split HOST:PORT at the last colon; accept [v6]:port. */
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

  /* libuv writes with write(2): a peer that reset would raise SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);

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
  int bport;
  if (bound.ss_family == AF_INET6) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&bound;
    uv_ip6_name(s6, ip, sizeof ip);
    bport = ntohs(s6->sin6_port);
    printf("listening on [%s]:%d\n", ip, bport);
  } else {
    struct sockaddr_in *s4 = (struct sockaddr_in *)&bound;
    uv_ip4_name(s4, ip, sizeof ip);
    bport = ntohs(s4->sin_port);
    printf("listening on %s:%d\n", ip, bport);
  }
  fflush(stdout);

  uv_signal_init(loop, &sigint_h);
  uv_signal_start(&sigint_h, on_signal, SIGINT);
  uv_signal_init(loop, &sigterm_h);
  uv_signal_start(&sigterm_h, on_signal, SIGTERM);

  uv_run(loop, UV_RUN_DEFAULT);
  r = uv_loop_close(loop);
  if (r != 0) {
    fprintf(stderr, "echo_uv: uv_loop_close: %s\n", uv_strerror(r));
    return 1;
  }
  return 0;
}
