/* uvgo_fs.c: the file system requests (fs.go, fs_attr.go, fs_dir.go;
 * uvgo.h).
 *
 * Every call allocates its uv_fs_t. With a non-zero ID it starts the request
 * with uvgo_fs_cb, which hands it to Go (goUVReq) and then cleans it up and
 * frees it; a failed start frees it at once. With ID 0 the call runs
 * synchronously (libuv's NULL callback) and returns the request so that Go
 * reads its results, then releases it with uvgo_fs_free. */
#include <string.h>

#include "uvgo.h"
#include "_cgo_export.h"

/* uv_fs_req_cleanup, plus the dirents array that uvgo_fs_readdir lent the
 * directory for this request, then the request itself. */
static void fs_release(uv_fs_t* req) {
  uv_dir_t* dir = NULL;
  if (req->fs_type == UV_FS_READDIR)
    dir = req->ptr;
  /* A cancelled closedir never ran: its directory is still open and its
   * Dir still holds it, so cleanup must not free it. */
  if (req->fs_type == UV_FS_CLOSEDIR && req->result == UV_ECANCELED)
    req->ptr = NULL;
  uv_fs_req_cleanup(req); /* frees the entries' names through dir */
  if (dir != NULL) {
    free(dir->dirents);
    dir->dirents = NULL;
    dir->nentries = 0;
  }
  free(req);
}

/* Gives back what a finished readdir request holds of its directory (the
 * names, the dirents array), so that the directory may be closed at once:
 * Go calls it once it has copied the entries, before its callback, which
 * may start uv_fs_closedir on the thread pool. */
void uvgo_fs_readdir_done(uv_fs_t* req) {
  uv_dir_t* dir = req->ptr;
  if (req->fs_type != UV_FS_READDIR || dir == NULL)
    return;
  uv_fs_req_cleanup(req); /* a second cleanup finds nothing to free */
  free(dir->dirents);
  dir->dirents = NULL;
  dir->nentries = 0;
}

void uvgo_fs_free(uv_fs_t* req) {
  fs_release(req);
}

static void uvgo_fs_cb(uv_fs_t* req) {
  int status = req->result < 0 ? (int) req->result : 0;
  goUVReq(UVGO_REQ_LOOP_ID(req), UVGO_REQ_ID(req), status);
  fs_release(req);
}

/* The common part of every call below: call is the uv_fs_* call, with cb
 * and req in scope. A synchronous call that libuv refused before running it
 * returns the error but leaves req->result at 0: the error goes there, where
 * Go reads it. (The return value is an int, which a large count may
 * overflow, so it is not read for success.) */
#define FS_CALL(call)                                    \
  uvgo_new_t r = {NULL, 0};                              \
  uv_fs_cb cb = id != 0 ? uvgo_fs_cb : NULL;             \
  uv_fs_t* req = uvgo_calloc(1, sizeof(*req));           \
  if (req == NULL) {                                     \
    r.err = UV_ENOMEM;                                   \
    return r;                                            \
  }                                                      \
  req->data = (void*) id;                                \
  r.err = (call);                                        \
  if (cb == NULL && r.err < 0 && r.err != (int) req->result) \
    req->result = r.err; /* refused before it ran */     \
  if (cb != NULL && r.err < 0) {                         \
    fs_release(req);                                     \
    return r;                                            \
  }                                                      \
  r.ptr = req;                                           \
  return r

uvgo_new_t uvgo_fs_open(uv_loop_t* l, uintptr_t id, const char* path,
                        int flags, int mode) {
  FS_CALL(uv_fs_open(l, req, path, flags, mode, cb));
}

uvgo_new_t uvgo_fs_close(uv_loop_t* l, uintptr_t id, int fd) {
  FS_CALL(uv_fs_close(l, req, fd, cb));
}

uvgo_new_t uvgo_fs_read(uv_loop_t* l, uintptr_t id, int fd,
                        const uv_buf_t* bufs, unsigned int nbufs,
                        int64_t off) {
  FS_CALL(uv_fs_read(l, req, fd, bufs, nbufs, off, cb));
}

uvgo_new_t uvgo_fs_write(uv_loop_t* l, uintptr_t id, int fd,
                         const uv_buf_t* bufs, unsigned int nbufs,
                         int64_t off) {
  FS_CALL(uv_fs_write(l, req, fd, bufs, nbufs, off, cb));
}

uvgo_new_t uvgo_fs_unlink(uv_loop_t* l, uintptr_t id, const char* path) {
  FS_CALL(uv_fs_unlink(l, req, path, cb));
}

uvgo_new_t uvgo_fs_mkdir(uv_loop_t* l, uintptr_t id, const char* path,
                         int mode) {
  FS_CALL(uv_fs_mkdir(l, req, path, mode, cb));
}

uvgo_new_t uvgo_fs_mkdtemp(uv_loop_t* l, uintptr_t id, const char* tpl) {
  FS_CALL(uv_fs_mkdtemp(l, req, tpl, cb));
}

uvgo_new_t uvgo_fs_mkstemp(uv_loop_t* l, uintptr_t id, const char* tpl) {
  FS_CALL(uv_fs_mkstemp(l, req, tpl, cb));
}

uvgo_new_t uvgo_fs_rmdir(uv_loop_t* l, uintptr_t id, const char* path) {
  FS_CALL(uv_fs_rmdir(l, req, path, cb));
}

uvgo_new_t uvgo_fs_opendir(uv_loop_t* l, uintptr_t id, const char* path) {
  FS_CALL(uv_fs_opendir(l, req, path, cb));
}

uvgo_new_t uvgo_fs_closedir(uv_loop_t* l, uintptr_t id, uv_dir_t* dir) {
  FS_CALL(uv_fs_closedir(l, req, dir, cb));
}

/* Lends dir an array of n entries for this request (fs_release frees it
 * with the request). */
uvgo_new_t uvgo_fs_readdir(uv_loop_t* l, uintptr_t id, uv_dir_t* dir,
                           size_t n) {
  uvgo_new_t r = {NULL, UV_ENOMEM};
  uv_fs_cb cb = id != 0 ? uvgo_fs_cb : NULL;
  uv_fs_t* req = uvgo_calloc(1, sizeof(*req));
  uv_dirent_t* ents = uvgo_calloc(n, sizeof(*ents));
  if (req == NULL || ents == NULL) {
    free(req);
    free(ents);
    return r;
  }
  dir->dirents = ents;
  dir->nentries = n;
  req->data = (void*) id;
  r.err = uv_fs_readdir(l, req, dir, cb);
  if (cb == NULL && r.err < 0 && r.err != (int) req->result)
    req->result = r.err;
  if (req->ptr == NULL) { /* refused before it took dir */
    free(ents);
    dir->dirents = NULL;
    dir->nentries = 0;
  }
  if (cb != NULL && r.err < 0) {
    fs_release(req);
    return r;
  }
  r.ptr = req;
  return r;
}

uvgo_new_t uvgo_fs_scandir(uv_loop_t* l, uintptr_t id, const char* path) {
  FS_CALL(uv_fs_scandir(l, req, path, 0, cb));
}

uvgo_new_t uvgo_fs_stat(uv_loop_t* l, uintptr_t id, const char* path) {
  FS_CALL(uv_fs_stat(l, req, path, cb));
}

uvgo_new_t uvgo_fs_fstat(uv_loop_t* l, uintptr_t id, int fd) {
  FS_CALL(uv_fs_fstat(l, req, fd, cb));
}

uvgo_new_t uvgo_fs_lstat(uv_loop_t* l, uintptr_t id, const char* path) {
  FS_CALL(uv_fs_lstat(l, req, path, cb));
}

uvgo_new_t uvgo_fs_statfs(uv_loop_t* l, uintptr_t id, const char* path) {
  FS_CALL(uv_fs_statfs(l, req, path, cb));
}

uvgo_new_t uvgo_fs_rename(uv_loop_t* l, uintptr_t id, const char* path,
                          const char* new_path) {
  FS_CALL(uv_fs_rename(l, req, path, new_path, cb));
}

uvgo_new_t uvgo_fs_fsync(uv_loop_t* l, uintptr_t id, int fd) {
  FS_CALL(uv_fs_fsync(l, req, fd, cb));
}

uvgo_new_t uvgo_fs_fdatasync(uv_loop_t* l, uintptr_t id, int fd) {
  FS_CALL(uv_fs_fdatasync(l, req, fd, cb));
}

uvgo_new_t uvgo_fs_ftruncate(uv_loop_t* l, uintptr_t id, int fd,
                             int64_t off) {
  FS_CALL(uv_fs_ftruncate(l, req, fd, off, cb));
}

uvgo_new_t uvgo_fs_copyfile(uv_loop_t* l, uintptr_t id, const char* path,
                            const char* new_path, int flags) {
  FS_CALL(uv_fs_copyfile(l, req, path, new_path, flags, cb));
}

uvgo_new_t uvgo_fs_sendfile(uv_loop_t* l, uintptr_t id, int out_fd,
                            int in_fd, int64_t in_off, size_t length) {
  FS_CALL(uv_fs_sendfile(l, req, out_fd, in_fd, in_off, length, cb));
}

uvgo_new_t uvgo_fs_access(uv_loop_t* l, uintptr_t id, const char* path,
                          int mode) {
  FS_CALL(uv_fs_access(l, req, path, mode, cb));
}

uvgo_new_t uvgo_fs_chmod(uv_loop_t* l, uintptr_t id, const char* path,
                         int mode) {
  FS_CALL(uv_fs_chmod(l, req, path, mode, cb));
}

uvgo_new_t uvgo_fs_fchmod(uv_loop_t* l, uintptr_t id, int fd, int mode) {
  FS_CALL(uv_fs_fchmod(l, req, fd, mode, cb));
}

uvgo_new_t uvgo_fs_utime(uv_loop_t* l, uintptr_t id, const char* path,
                         double atime, double mtime) {
  FS_CALL(uv_fs_utime(l, req, path, atime, mtime, cb));
}

uvgo_new_t uvgo_fs_futime(uv_loop_t* l, uintptr_t id, int fd, double atime,
                          double mtime) {
  FS_CALL(uv_fs_futime(l, req, fd, atime, mtime, cb));
}

uvgo_new_t uvgo_fs_lutime(uv_loop_t* l, uintptr_t id, const char* path,
                          double atime, double mtime) {
  FS_CALL(uv_fs_lutime(l, req, path, atime, mtime, cb));
}

uvgo_new_t uvgo_fs_link(uv_loop_t* l, uintptr_t id, const char* path,
                        const char* new_path) {
  FS_CALL(uv_fs_link(l, req, path, new_path, cb));
}

uvgo_new_t uvgo_fs_symlink(uv_loop_t* l, uintptr_t id, const char* path,
                           const char* new_path, int flags) {
  FS_CALL(uv_fs_symlink(l, req, path, new_path, flags, cb));
}

uvgo_new_t uvgo_fs_readlink(uv_loop_t* l, uintptr_t id, const char* path) {
  FS_CALL(uv_fs_readlink(l, req, path, cb));
}

uvgo_new_t uvgo_fs_realpath(uv_loop_t* l, uintptr_t id, const char* path) {
  FS_CALL(uv_fs_realpath(l, req, path, cb));
}

uvgo_new_t uvgo_fs_chown(uv_loop_t* l, uintptr_t id, const char* path,
                         uint32_t uid, uint32_t gid) {
  FS_CALL(uv_fs_chown(l, req, path, (uv_uid_t) uid, (uv_gid_t) gid, cb));
}

uvgo_new_t uvgo_fs_fchown(uv_loop_t* l, uintptr_t id, int fd, uint32_t uid,
                          uint32_t gid) {
  FS_CALL(uv_fs_fchown(l, req, fd, (uv_uid_t) uid, (uv_gid_t) gid, cb));
}

uvgo_new_t uvgo_fs_lchown(uv_loop_t* l, uintptr_t id, const char* path,
                          uint32_t uid, uint32_t gid) {
  FS_CALL(uv_fs_lchown(l, req, path, (uv_uid_t) uid, (uv_gid_t) gid, cb));
}
