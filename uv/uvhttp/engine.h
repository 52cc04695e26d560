/* engine.h: uvhttp's C side. llhttp runs in the read callback over the
 * bytes libuv read; every complete request (and body piece) of one read is
 * recorded as an event with offsets into the buffer parsed, and Go is
 * entered once per read (goUVHTTPBatch) to answer them all. */
#ifndef UVHTTP_ENGINE_H_
#define UVHTTP_ENGINE_H_

#include <stdint.h>
#include <stdlib.h>
#include <uv.h>
#include <llhttp.h>

#if LLHTTP_VERSION_MAJOR != 8
#error "uvhttp needs llhttp 8.x (third_party/llhttp/install.sh)"
#endif

#define UVH_RBUF_SIZE 65536

/* Event kinds. */
enum {
  UVH_HEAD = 1,  /* a request's head: method, target, headers */
  UVH_BODY = 2,  /* a piece of its body (decoded when chunked) */
  UVH_DONE = 3,  /* the request is complete */
  UVH_ERROR = 4  /* the bytes are not HTTP: code is the status to answer */
};

/* Head flags. */
enum {
  UVH_KEEPALIVE = 1,
  UVH_CHUNKED = 2,
  UVH_HASLEN = 4,
  UVH_UPGRADE = 8
};

/* One header: offsets from the request's first byte. */
typedef struct {
  uint32_t noff, nlen, voff, vlen;
} uvh_hdr_t;

/* One event. For UVH_HEAD, off is where the request starts in the batch's
 * buffer and url/headers are relative to it; for UVH_BODY, off and len
 * are the piece's place in the buffer; for UVH_ERROR, code is the status. */
typedef struct {
  uint32_t kind;
  uint32_t off, len;
  uint32_t url_off, url_len;
  uint32_t hdr, nhdr;
  uint16_t code;
  uint8_t method, major, minor, flags;
  uint64_t clen;
} uvh_ev_t;

/* A loop's state: the read buffer and the event and header arrays, reused
 * by every read of the loop's connections (one read is parsed at a time). */
typedef struct {
  uintptr_t id;
  uvh_ev_t* ev;
  uint32_t nev, evcap;
  uvh_hdr_t* hdr;
  uint32_t nhdr, hdrcap;
  char rbuf[UVH_RBUF_SIZE];
} uvh_loop_t;

/* A connection's state, found through the word past its uv_tcp_t (the
 * slot gouv keeps for add-ons, uv/addon.go). */
typedef struct {
  llhttp_t p;
  uvh_loop_t* L;
  uv_stream_t* s;
  uintptr_t id;
  uint64_t maxhdr, maxbody, body;
  const char* base;  /* the buffer being parsed */
  const char* head;  /* the current request's first byte, NULL if none */
  uint32_t h0;       /* its first header in L->hdr */
  uint32_t url_off, url_len;
  int last;          /* 1 after a field piece, 2 after a value piece */
  int in_head;       /* between message begin and headers complete */
  int code;          /* the status of an error found in a callback */
  int dead;          /* an error was reported: parse no more */
  int stop;          /* Go rewound the parser during the batch */
  int discard;       /* read and drop everything (lingering close) */
  int hold;          /* hand what is read to Go unparsed (goUVHTTPHeld) */
  int running;       /* Go is answering a batch */
  int detached;      /* freed by Go during the batch: free after it */
  /* A head cut by the end of a read: its bytes and headers so far. */
  char* carry;
  size_t clen, ccap;
  uvh_hdr_t* saved;
  uint32_t nsaved, savedcap;
} uvh_conn_t;

uvh_loop_t* uvh_loop_new(uintptr_t id);
void uvh_loop_free(uvh_loop_t* L);
uvh_conn_t* uvh_conn_new(uvh_loop_t* L, void* tcp, uintptr_t id,
                         uint64_t maxhdr, uint64_t maxbody);
void uvh_conn_free(uvh_conn_t* c);
void uvh_conn_detach(uvh_conn_t* c);
int uvh_read_start(uvh_conn_t* c);
void uvh_execute(uvh_conn_t* c, const char* data, size_t n);
size_t uvh_rewind(uvh_conn_t* c);
char* uvh_rbuf(uvh_loop_t* L);

#endif
