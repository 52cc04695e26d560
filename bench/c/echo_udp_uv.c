/*
 * echo_udp_uv: a UDP echo server in plain C on libuv, the reference point
 * for gouv's UDP echo (examples/echo -udp) in the benchmark.
 *
 *   echo_udp_uv -addr HOST:PORT [-mmsg 1|0] [-rcvbuf BYTES]
 *
 * Every datagram is sent back to its sender: uv_udp_try_send first, and
 * only when the kernel does not take it at once (UV_EAGAIN, or earlier
 * sends still queued) a copy is queued with uv_udp_send.
 *
 * -mmsg 1 (the default) opens the socket with UV_UDP_RECVMMSG: one
 * recvmmsg(2) reads up to 20 datagrams (libuv's batch), each in its own
 * 64 KiB chunk of one static buffer; -mmsg 0 reads one datagram per
 * recvmsg(2) into a 64 KiB buffer.
 *
 * -rcvbuf sets SO_RCVBUF (default 4 MiB, 0 keeps the system's): with 1000
 * flows each keeping a datagram in flight, the default 208 KiB drops
 * datagrams whenever the server falls behind by a few hundred.
 *
 * Prints "listening on HOST:PORT" (the bound port) once bound, and exits 0
 * on SIGINT or SIGTERM.
 */
#include <uv.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DGRAM_MAX (64 * 1024) /* libuv's chunk per datagram */
#define MMSG_WIDTH 20         /* libuv's recvmmsg batch */

typedef struct sreq {
  uv_udp_send_t req;
  char data[]; /* copy of the datagram */
} sreq;

static uv_loop_t *loop;
static uv_udp_t sock;
static uv_signal_t sigint_h, sigterm_h;
static char *recv_buf;
static size_t recv_buf_len;

static void die(const char *what, int err) {
  fprintf(stderr, "echo_udp_uv: %s: %s\n", what, uv_strerror(err));
  exit(1);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)h;
  (void)suggested;
  buf->base = recv_buf;
  buf->len = recv_buf_len;
}

static void on_sent(uv_udp_send_t *req, int status) {
  (void)status; /* a lost echo is UDP's right */
  free(req);
}

static void on_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
                    const struct sockaddr *from, unsigned flags) {
  if (nread < 0 || from == NULL) return; /* error, EAGAIN or MMSG_FREE */
  if (flags & UV_UDP_PARTIAL) return;    /* cannot happen: 64 KiB chunks */
  uv_buf_t b = uv_buf_init(buf->base, (unsigned int)nread);
  int r = uv_udp_try_send(h, &b, 1, from);
  if (r >= 0) return;
  if (r != UV_EAGAIN) return;
  sreq *s = malloc(sizeof *s + (size_t)nread);
  if (s == NULL) return;
  memcpy(s->data, buf->base, (size_t)nread);
  b = uv_buf_init(s->data, (unsigned int)nread);
  if (uv_udp_send(&s->req, h, &b, 1, from, on_sent) < 0) free(s);
}

static void on_signal(uv_signal_t *h, int signum) {
  (void)h;
  (void)signum;
  uv_close((uv_handle_t *)&sock, NULL);
  uv_close((uv_handle_t *)&sigint_h, NULL);
  uv_close((uv_handle_t *)&sigterm_h, NULL);
}

static void usage(void) {
  fprintf(stderr,
          "usage: echo_udp_uv -addr HOST:PORT [-mmsg 1|0] [-rcvbuf BYTES]\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *addr = "127.0.0.1:0";
  int mmsg = 1, rcvbuf = 4 << 20;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] == '-' && a[1] == '-') a++;
    if (strcmp(a, "-addr") == 0 && i + 1 < argc)
      addr = argv[++i];
    else if (strcmp(a, "-mmsg") == 0 && i + 1 < argc)
      mmsg = atoi(argv[++i]) != 0;
    else if (strcmp(a, "-rcvbuf") == 0 && i + 1 < argc)
      rcvbuf = atoi(argv[++i]);
    else
      usage();
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
  int r, family;
  if (strchr(h, ':') != NULL) {
    family = AF_INET6;
    r = uv_ip6_addr(h, port, (struct sockaddr_in6 *)&ss);
  } else {
    family = AF_INET;
    r = uv_ip4_addr(h, port, (struct sockaddr_in *)&ss);
  }
  if (r < 0) die("address", r);

  recv_buf_len = mmsg ? (size_t)DGRAM_MAX * MMSG_WIDTH : DGRAM_MAX;
  recv_buf = malloc(recv_buf_len);
  if (recv_buf == NULL) die("malloc", UV_ENOMEM);

  loop = uv_default_loop();
  unsigned int flags = (unsigned int)family;
  if (mmsg) flags |= UV_UDP_RECVMMSG;
  if ((r = uv_udp_init_ex(loop, &sock, flags)) < 0) die("uv_udp_init_ex", r);
  if ((r = uv_udp_bind(&sock, (struct sockaddr *)&ss, 0)) < 0)
    die("uv_udp_bind", r);
  if (rcvbuf > 0 &&
      (r = uv_recv_buffer_size((uv_handle_t *)&sock, &rcvbuf)) < 0)
    die("uv_recv_buffer_size", r);
  if (mmsg && !uv_udp_using_recvmmsg(&sock))
    fprintf(stderr, "echo_udp_uv: warning: recvmmsg not in use\n");
  if ((r = uv_udp_recv_start(&sock, on_alloc, on_recv)) < 0)
    die("uv_udp_recv_start", r);

  struct sockaddr_storage bound;
  int blen = sizeof bound;
  if ((r = uv_udp_getsockname(&sock, (struct sockaddr *)&bound, &blen)) < 0)
    die("uv_udp_getsockname", r);
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
  r = uv_loop_close(loop);
  free(recv_buf);
  if (r != 0) {
    fprintf(stderr, "echo_udp_uv: uv_loop_close: %s\n", uv_strerror(r));
    return 1;
  }
  return 0;
}
