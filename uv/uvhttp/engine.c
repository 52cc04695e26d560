/* engine.c: the connection engine's C side (engine.h). */
#include <string.h>

#include "engine.h"
#include "_cgo_export.h"

/* The word gouv keeps past every uv_tcp_t for add-ons (uv/addon.go). */
#define SLOT(s) (*(uvh_conn_t**) ((char*) (s) + sizeof(uv_tcp_t)))

static llhttp_settings_t settings;
static uv_once_t settings_once = UV_ONCE_INIT;

uvh_loop_t* uvh_loop_new(uintptr_t id) {
  uvh_loop_t* L = calloc(1, sizeof(*L));
  if (L == NULL)
    return NULL;
  L->id = id;
  L->evcap = 256;
  L->hdrcap = 1024;
  L->ev = malloc(L->evcap * sizeof(*L->ev));
  L->hdr = malloc(L->hdrcap * sizeof(*L->hdr));
  if (L->ev == NULL || L->hdr == NULL) {
    uvh_loop_free(L);
    return NULL;
  }
  return L;
}

void uvh_loop_free(uvh_loop_t* L) {
  if (L == NULL)
    return;
  free(L->ev);
  free(L->hdr);
  free(L);
}

char* uvh_rbuf(uvh_loop_t* L) { return L->rbuf; }

/* Grows an array of n elements of size sz to hold one more. */
static int grow(void** a, uint32_t* cap, uint32_t n, size_t sz) {
  void* p;
  if (n < *cap)
    return 0;
  p = realloc(*a, (size_t) *cap * 2 * sz);
  if (p == NULL)
    return -1;
  *a = p;
  *cap *= 2;
  return 0;
}

static uvh_ev_t* push(uvh_conn_t* c, uint32_t kind) {
  uvh_loop_t* L = c->L;
  uvh_ev_t* e;
  if (grow((void**) &L->ev, &L->evcap, L->nev, sizeof(*L->ev)) != 0)
    return NULL;
  e = &L->ev[L->nev++];
  memset(e, 0, sizeof(*e));
  e->kind = kind;
  return e;
}

/* Fails the parse with HTTP status code. */
static int fail(uvh_conn_t* c, int code) {
  if (c->code == 0)
    c->code = code;
  return -1;
}

/* Checks that the head so far, up to end, fits in maxhdr. */
static int head_fits(uvh_conn_t* c, const char* end) {
  return (uint64_t) (end - c->head) <= c->maxhdr;
}

static int on_message_begin(llhttp_t* p) {
  uvh_conn_t* c = p->data;
  c->head = NULL;
  c->in_head = 1;
  c->h0 = c->L->nhdr;
  c->url_off = c->url_len = 0;
  c->last = 0;
  c->body = 0;
  return 0;
}

static int on_method(llhttp_t* p, const char* at, size_t len) {
  uvh_conn_t* c = p->data;
  (void) len;
  if (c->head == NULL)
    c->head = at;
  return 0;
}

static int on_url(llhttp_t* p, const char* at, size_t len) {
  uvh_conn_t* c = p->data;
  if (!head_fits(c, at + len))
    return fail(c, 431);
  if (c->url_len == 0)
    c->url_off = (uint32_t) (at - c->head);
  c->url_len += (uint32_t) len;
  return 0;
}

static int on_header_field(llhttp_t* p, const char* at, size_t len) {
  uvh_conn_t* c = p->data;
  uvh_loop_t* L = c->L;
  uvh_hdr_t* h;
  if (!c->in_head) /* a trailer: dropped */
    return 0;
  if (!head_fits(c, at + len))
    return fail(c, 431);
  if (c->last == 1) {
    L->hdr[L->nhdr - 1].nlen += (uint32_t) len;
    return 0;
  }
  if (grow((void**) &L->hdr, &L->hdrcap, L->nhdr, sizeof(*L->hdr)) != 0)
    return fail(c, 500);
  h = &L->hdr[L->nhdr++];
  h->noff = (uint32_t) (at - c->head);
  h->nlen = (uint32_t) len;
  h->voff = h->noff + h->nlen;
  h->vlen = 0;
  c->last = 1;
  return 0;
}

static int on_header_value(llhttp_t* p, const char* at, size_t len) {
  uvh_conn_t* c = p->data;
  uvh_hdr_t* h;
  if (!c->in_head)
    return 0;
  if (!head_fits(c, at + len))
    return fail(c, 431);
  h = &c->L->hdr[c->L->nhdr - 1];
  if (c->last != 2)
    h->voff = (uint32_t) (at - c->head);
  h->vlen += (uint32_t) len;
  c->last = 2;
  return 0;
}

static int on_headers_complete(llhttp_t* p) {
  uvh_conn_t* c = p->data;
  uvh_ev_t* e;
  c->in_head = 0;
  if ((p->flags & F_CONTENT_LENGTH) && p->content_length > c->maxbody)
    return fail(c, 413);
  e = push(c, UVH_HEAD);
  if (e == NULL)
    return fail(c, 500);
  e->off = (uint32_t) (c->head - c->base);
  e->url_off = c->url_off;
  e->url_len = c->url_len;
  e->hdr = c->h0;
  e->nhdr = c->L->nhdr - c->h0;
  e->method = p->method;
  e->major = p->http_major;
  e->minor = p->http_minor;
  e->flags = (llhttp_should_keep_alive(p) ? UVH_KEEPALIVE : 0) |
             ((p->flags & F_CHUNKED) ? UVH_CHUNKED : 0) |
             ((p->flags & F_CONTENT_LENGTH) ? UVH_HASLEN : 0) |
             (p->upgrade ? UVH_UPGRADE : 0);
  e->clen = (p->flags & F_CONTENT_LENGTH) ? p->content_length : 0;
  return 0;
}

static int on_body(llhttp_t* p, const char* at, size_t len) {
  uvh_conn_t* c = p->data;
  uvh_ev_t* e;
  c->body += len;
  if (c->body > c->maxbody)
    return fail(c, 413);
  e = push(c, UVH_BODY);
  if (e == NULL)
    return fail(c, 500);
  e->off = (uint32_t) (at - c->base);
  e->len = (uint32_t) len;
  return 0;
}

static int on_message_complete(llhttp_t* p) {
  uvh_conn_t* c = p->data;
  uvh_ev_t* e = push(c, UVH_DONE);
  if (e == NULL)
    return fail(c, 500);
  e->flags = llhttp_should_keep_alive(p) ? UVH_KEEPALIVE : 0;
  c->head = NULL;
  return 0;
}

static void settings_init(void) {
  llhttp_settings_init(&settings);
  settings.on_message_begin = on_message_begin;
  settings.on_method = on_method;
  settings.on_url = on_url;
  settings.on_header_field = on_header_field;
  settings.on_header_value = on_header_value;
  settings.on_headers_complete = on_headers_complete;
  settings.on_body = on_body;
  settings.on_message_complete = on_message_complete;
}

uvh_conn_t* uvh_conn_new(uvh_loop_t* L, void* tcp, uintptr_t id,
                         uint64_t maxhdr, uint64_t maxbody) {
  uvh_conn_t* c;
  uv_once(&settings_once, settings_init);
  c = calloc(1, sizeof(*c));
  if (c == NULL)
    return NULL;
  llhttp_init(&c->p, HTTP_REQUEST, &settings);
  c->p.data = c;
  c->L = L;
  c->s = tcp;
  c->id = id;
  c->maxhdr = maxhdr;
  c->maxbody = maxbody;
  SLOT(tcp) = c;
  return c;
}

void uvh_conn_free(uvh_conn_t* c) {
  if (c == NULL)
    return;
  free(c->carry);
  free(c->saved);
  free(c);
}

/* Frees c while its handle lives on, without the engine. */
void uvh_conn_detach(uvh_conn_t* c) {
  SLOT(c->s) = NULL;
  if (c->running)
    c->detached = 1; /* uvh_execute frees it once Go returns */
  else
    uvh_conn_free(c);
}

static void alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf) {
  uvh_conn_t* c = SLOT(h);
  (void) suggested;
  buf->base = c->L->rbuf;
  buf->len = sizeof(c->L->rbuf);
}

static void read_cb(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  uvh_conn_t* c = SLOT(s);
  if (nread == 0)
    return;
  if (c->hold && !c->discard && !c->dead) {
    goUVHTTPHeld(c->L->id, c->id, buf->base, nread);
    return;
  }
  if (nread < 0) {
    goUVHTTPEnd(c->L->id, c->id, (int) nread);
    return;
  }
  if (c->discard || c->dead)
    return;
  uvh_execute(c, buf->base, (size_t) nread);
}

int uvh_read_start(uvh_conn_t* c) {
  return uv_read_start(c->s, alloc_cb, read_cb);
}

/* Appends n bytes to the carry buffer. */
static int carry_append(uvh_conn_t* c, const char* data, size_t n) {
  if (c->clen + n > c->ccap) {
    size_t cap = c->ccap ? c->ccap : 4096;
    char* p;
    while (cap < c->clen + n)
      cap *= 2;
    p = realloc(c->carry, cap);
    if (p == NULL)
      return -1;
    c->carry = p;
    c->ccap = cap;
  }
  memmove(c->carry + c->clen, data, n);
  c->clen += n;
  return 0;
}

/* Keeps the head cut by the end of the batch (from c->head on) and its
 * headers for the next read. */
static void keep_head(uvh_conn_t* c, const char* end) {
  uvh_loop_t* L = c->L;
  size_t keep = (size_t) (end - c->head);
  uint32_t n = L->nhdr - c->h0;
  if (c->head == c->carry) {
    c->clen = keep;
  } else {
    c->clen = 0;
    if (carry_append(c, c->head, keep) != 0)
      goto nomem;
  }
  if (n > c->savedcap) {
    uvh_hdr_t* p = realloc(c->saved, n * sizeof(*p));
    if (p == NULL)
      goto nomem;
    c->saved = p;
    c->savedcap = n;
  }
  memcpy(c->saved, &L->hdr[c->h0], n * sizeof(*c->saved));
  c->nsaved = n;
  return;
nomem:
  c->clen = 0;
  c->dead = 1;
  goUVHTTPEnd(L->id, c->id, UV_ENOMEM);
}

/* Drops the carry buffer once no head needs it, unless it is small. */
static void drop_carry(uvh_conn_t* c) {
  c->clen = 0;
  c->nsaved = 0;
  if (c->ccap > 16384) {
    free(c->carry);
    c->carry = NULL;
    c->ccap = 0;
  }
}

void uvh_execute(uvh_conn_t* c, const char* data, size_t n) {
  uvh_loop_t* L = c->L;
  const char *base = data, *from = data, *end;
  llhttp_errno_t err;
  L->nev = 0;
  L->nhdr = 0;
  c->stop = 0;
  if (c->clen > 0) {
    size_t old = c->clen;
    if (carry_append(c, data, n) != 0) {
      c->dead = 1;
      goUVHTTPEnd(L->id, c->id, UV_ENOMEM);
      return;
    }
    base = c->carry;
    from = base + old;
    n = c->clen;
    c->head = base;
    while (L->hdrcap < c->nsaved) {
      if (grow((void**) &L->hdr, &L->hdrcap, L->hdrcap, sizeof(*L->hdr)) != 0) {
        c->dead = 1;
        goUVHTTPEnd(L->id, c->id, UV_ENOMEM);
        return;
      }
    }
    memcpy(L->hdr, c->saved, c->nsaved * sizeof(*L->hdr));
    L->nhdr = c->nsaved;
    c->h0 = 0;
  }
  c->base = base;
  end = base + n;
  err = llhttp_execute(&c->p, from, (size_t) (end - from));
  while (err == HPE_PAUSED_UPGRADE) {
    /* An Upgrade request is answered as any other: the connection goes on
     * speaking HTTP. */
    const char* pos = llhttp_get_error_pos(&c->p);
    if (L->nev > 0 && L->ev[L->nev - 1].kind == UVH_DONE) {
      /* Where the upgraded request ends: a face that detaches (Hijack)
       * takes the bytes from there. */
      L->ev[L->nev - 1].off = (uint32_t) (pos - base);
      L->ev[L->nev - 1].len = 1;
    }
    llhttp_resume_after_upgrade(&c->p);
    err = llhttp_execute(&c->p, pos, (size_t) (end - pos));
  }
  if (err != HPE_OK) {
    uvh_ev_t* e = push(c, UVH_ERROR);
    c->dead = 1;
    if (e != NULL)
      e->code = (uint16_t) (c->code ? c->code : 400);
  } else if (c->in_head && c->head != NULL && !head_fits(c, end)) {
    uvh_ev_t* e = push(c, UVH_ERROR);
    c->dead = 1;
    if (e != NULL)
      e->code = 431;
  }
  c->running = 1;
  goUVHTTPBatch(L->id, c->id, (char*) base, n);
  c->running = 0;
  if (c->detached) {
    uvh_conn_free(c);
    return;
  }
  if (c->stop || c->dead || !c->in_head || c->head == NULL)
    drop_carry(c);
  else
    keep_head(c, end);
}

/* Makes the parser start afresh at the next byte it is given: Go calls it
 * in a batch when it stops answering (an asynchronous response) and keeps
 * the bytes not answered yet, to feed them again later. Returns where in
 * the batch's buffer the head cut by its end begins, or the buffer's
 * length when there is none. */
size_t uvh_rewind(uvh_conn_t* c) {
  size_t cut = (size_t) -1;
  if (c->in_head && c->head != NULL)
    cut = (size_t) (c->head - c->base);
  llhttp_reset(&c->p);
  c->in_head = 0;
  c->head = NULL;
  c->stop = 1;
  return cut;
}
