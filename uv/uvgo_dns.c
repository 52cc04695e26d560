/* uvgo_dns.c: getaddrinfo and getnameinfo requests (dns.go, uvgo.h). */
#include <string.h>
#include <netdb.h>
#include <netinet/in.h>

#include "uvgo.h"
#include "_cgo_export.h"

static void uvgo_getaddrinfo_cb(uv_getaddrinfo_t* req, int status,
                                struct addrinfo* res) {
  goUVReq(UVGO_REQ_LOOP_ID(req), UVGO_REQ_ID(req), status);
  uv_freeaddrinfo(res);
  free(req);
}

/* Starts a getaddrinfo request (async), or runs it (sync: ptr is then the
 * request, whose addrinfo list Go reads before uvgo_getaddrinfo_free).
 * libuv copies node, service and hints, so the caller may free them as
 * soon as this returns. */
uvgo_new_t uvgo_getaddrinfo(uv_loop_t* loop, uintptr_t id, const char* node,
                            const char* service, int has_hints, int family,
                            int socktype, int protocol, int flags,
                            int async) {
  uvgo_new_t r = {NULL, 0};
  struct addrinfo hints;
  uv_getaddrinfo_t* req = uvgo_calloc(1, sizeof(*req));
  if (req == NULL) {
    r.err = UV_ENOMEM;
    return r;
  }
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = family;
  hints.ai_socktype = socktype;
  hints.ai_protocol = protocol;
  hints.ai_flags = flags;
  req->data = (void*) id;
  r.err = uv_getaddrinfo(loop, req, async ? uvgo_getaddrinfo_cb : NULL, node,
                         service, has_hints ? &hints : NULL);
  if (r.err != 0) {
    uvgo_getaddrinfo_free(req);
    return r;
  }
  r.ptr = req;
  return r;
}

void uvgo_getaddrinfo_free(uv_getaddrinfo_t* req) {
  uv_freeaddrinfo(req->addrinfo);
  free(req);
}

static void uvgo_getnameinfo_cb(uv_getnameinfo_t* req, int status,
                                const char* host, const char* service) {
  goUVReq(UVGO_REQ_LOOP_ID(req), UVGO_REQ_ID(req), status);
  free(req);
}

/* Starts a getnameinfo request (async), or runs it (sync: ptr is then the
 * request, whose host and service Go reads before freeing it). */
uvgo_new_t uvgo_getnameinfo(uv_loop_t* loop, uintptr_t id, int family,
                            const uint8_t* ip, uint16_t port, uint32_t scope,
                            int flags, int async) {
  uvgo_new_t r = {NULL, 0};
  struct sockaddr_storage ss;
  uv_getnameinfo_t* req = uvgo_calloc(1, sizeof(*req));
  if (req == NULL) {
    r.err = UV_ENOMEM;
    return r;
  }
  uvgo_make_addr(&ss, family, ip, port, scope);
  req->data = (void*) id;
  r.err = uv_getnameinfo(loop, req, async ? uvgo_getnameinfo_cb : NULL,
                         (const struct sockaddr*) &ss, flags);
  if (r.err != 0) {
    free(req);
    return r;
  }
  r.ptr = req;
  return r;
}
