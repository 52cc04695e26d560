package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// File system requests (uv_fs_*).
//
// Every uv_fs_* call of libuv that Linux supports is one function, FS
// followed by libuv's verb (uv_fs_open: FSOpen), taking the loop first and
// a callback last. One pattern serves them all, as libuv's NULL callback
// does:
//
//   - With a callback, the call starts the request on libuv's thread pool
//     and returns a *Req (whose Cancel is uv_cancel) and a start error; the
//     results, and the error, go to the callback, which runs on the loop.
//     The loop stays alive until it has run. Call this form on the loop's
//     goroutine.
//   - With a nil callback, the call runs synchronously (libuv runs it
//     inline) and returns its results, a nil *Req and the error. This form
//     does not use the loop beyond checking that it is open, so it may run
//     on any goroutine; it blocks that goroutine.
//
// Results come first in the return values, then the *Req, then the error:
//
//	fd, _, err := uv.FSOpen(l, name, os.O_RDONLY, 0, nil)          // sync
//	_, req, err := uv.FSOpen(l, name, os.O_RDONLY, 0, func(fd int, err error) { ... })
//
// Errors, returned or passed to the callback, are *Error values naming the
// libuv call and the path (the first path of two-path calls such as
// rename, the second one in Detail): &Error{Op: "uv_fs_open", Path: name,
// Code: ENOENT}, which matches fs.ErrNotExist, syscall.ENOENT and ENOENT
// through errors.Is. Bad arguments fail before libuv sees them, with an
// *Error that says why in Detail: an empty path (ENOENT), a path with a NUL
// byte (EINVAL), a negative fd (EBADF), a nil buffer, an unknown flag
// (EINVAL).
//
// Buffers: FSRead, FSReadV, FSWrite and FSWriteV hand the thread pool the
// caller's memory, pinned (runtime.Pinner) from the call until the callback
// returns, without a copy. The buffers must not be read, written or reused
// until the callback runs. Open flags are Linux's (os.O_*, which libuv's
// UV_FS_O_* equal); modes are os.FileMode permission bits with ModeSetuid,
// ModeSetgid and ModeSticky.
//
// https://docs.libuv.org/en/v1.x/fs.html

// fsCall is one fs call being made: the loop, libuv's name for it, the path
// its errors name and whether it runs asynchronously.
type fsCall struct {
	l      *Loop
	op     string
	path   string
	detail string // the second path of two-path calls
	async  bool
}

// newFSCall checks the loop for the call op.
func newFSCall(l *Loop, op, path string, async bool) (*fsCall, error) {
	c := &fsCall{l: l, op: op, path: path, async: async}
	if l == nil {
		return nil, c.fail(EINVAL, "nil loop")
	}
	if l.closed {
		return nil, ErrLoopClosed
	}
	if async {
		l.checkThread(op)
	}
	return c, nil
}

// fail returns an *Error for the call with code and a detail.
func (c *fsCall) fail(code Errno, detail string) error {
	if c.detail != "" {
		if detail != "" {
			detail = c.detail + "; " + detail
		} else {
			detail = c.detail
		}
	}
	return &Error{Op: c.op, Path: c.path, Code: code, Detail: detail}
}

// result returns the error for a finished request's result.
func (c *fsCall) result(res C.ssize_t) error {
	if res >= 0 {
		return nil
	}
	return c.fail(Errno(res), "")
}

// cpath returns p as a NUL-terminated Go string for C (libuv copies the path
// of an asynchronous request, and a synchronous one ends with the call).
func (c *fsCall) cpath(p string) (*C.char, error) {
	if p == "" {
		return nil, c.fail(ENOENT, "empty path")
	}
	if strings.IndexByte(p, 0) >= 0 {
		return nil, c.fail(EINVAL, "path contains a NUL byte")
	}
	b := make([]byte, len(p)+1)
	copy(b, p)
	return (*C.char)(unsafe.Pointer(&b[0])), nil
}

// cpath2 is cpath for the two paths of rename, link, symlink and copyfile;
// the second one is named in the errors' Detail.
func (c *fsCall) cpath2(p, np string) (*C.char, *C.char, error) {
	c.detail = "new path " + strconv.Quote(np)
	cp, err := c.cpath(p)
	if err != nil {
		return nil, nil, err
	}
	cnp, err := c.cpath(np)
	if err != nil {
		return nil, nil, err
	}
	return cp, cnp, nil
}

// fd checks a file descriptor.
func (c *fsCall) fd(fd int) error {
	if fd < 0 || fd > 1<<31-1 {
		return c.fail(EBADF, "bad fd "+strconv.Itoa(fd))
	}
	return nil
}

// flags checks flags against the ones the call knows.
func (c *fsCall) flags(flags, known int) error {
	if flags < 0 {
		return c.fail(EINVAL, "unknown flags "+strconv.Itoa(flags))
	}
	if flags&^known != 0 {
		return c.fail(EINVAL, "unknown flags 0x"+strconv.FormatInt(int64(flags), 16))
	}
	return nil
}

// runInt runs a call whose result is a count or an fd: the request's
// result, or zero when it failed, to cb (if not nil) and to the caller.
func (c *fsCall) runInt(pin func(*runtime.Pinner), zero int, cb func(int, error),
	start func(id C.uintptr_t) C.uvgo_new_t) (int, *Req, error) {
	n := zero
	r, err := c.run(pin, start, func(req *C.uv_fs_t, err error) {
		if err == nil {
			n = int(req.result)
		}
		if cb != nil {
			cb(n, err)
		}
	})
	return n, r, err
}

// run starts the request (start gets the request's ID), or runs it when
// the call is synchronous (start gets 0). pin, when not nil, pins the Go
// memory the request uses: into the request's Pinner until its callback
// returns, or for the synchronous call's duration. done reads the results
// from the finished C request and passes them on; it runs on the loop from
// the request's callback, or before run returns for a synchronous call.
func (c *fsCall) run(pin func(*runtime.Pinner), start func(id C.uintptr_t) C.uvgo_new_t,
	done func(req *C.uv_fs_t, err error)) (*Req, error) {
	if !c.async {
		var pn runtime.Pinner
		if pin != nil {
			pin(&pn)
		}
		res := start(0)
		pn.Unpin()
		if res.ptr == nil {
			return nil, c.fail(Errno(res.err), "")
		}
		req := (*C.uv_fs_t)(res.ptr)
		defer C.uvgo_fs_free(req)
		err := c.result(req.result)
		done(req, err)
		return nil, err
	}
	r := c.l.newLoopReq(reqFS, func(r *Req, status int) {
		req := (*C.uv_fs_t)(r.ptr)
		done(req, c.result(req.result))
	})
	if pin != nil {
		pin(&r.pin)
	}
	if err := r.started(start(C.uintptr_t(r.id)), c.op, c.path); err != nil {
		if c.detail != "" {
			err.(*Error).Detail = c.detail
		}
		return nil, err
	}
	return r, nil
}

// unixMode converts m to the mode bits of open, mkdir and chmod.
func unixMode(m os.FileMode) C.int {
	u := uint32(m.Perm())
	if m&os.ModeSetuid != 0 {
		u |= syscall.S_ISUID
	}
	if m&os.ModeSetgid != 0 {
		u |= syscall.S_ISGID
	}
	if m&os.ModeSticky != 0 {
		u |= syscall.S_ISVTX
	}
	return C.int(u)
}

// FSOpen opens a file (uv_fs_open) and gives its descriptor. flags are
// Linux's open flags (os.O_RDONLY, os.O_CREATE...; the kernel judges them,
// only negative ones are refused), mode the permissions of a created file.
// With a nil cb it runs synchronously and returns the fd.
func FSOpen(l *Loop, path string, flags int, mode os.FileMode, cb func(fd int, err error)) (int, *Req, error) {
	c, err := newFSCall(l, "uv_fs_open", path, cb != nil)
	if err != nil {
		return -1, nil, err
	}
	p, err := c.cpath(path)
	if err != nil {
		return -1, nil, err
	}
	if flags < 0 || flags > 1<<31-1 {
		return -1, nil, c.flags(flags, 0)
	}
	return c.runInt(nil, -1, cb, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_open(l.ptr, id, p, C.int(flags), unixMode(mode))
	})
}

// fdCall is the shape of the calls on one fd without results: close,
// fsync, fdatasync.
func fdCall(l *Loop, op string, fd int, cb func(error),
	start func(id C.uintptr_t) C.uvgo_new_t) (*Req, error) {
	c, err := newFSCall(l, op, "", cb != nil)
	if err != nil {
		return nil, err
	}
	if err := c.fd(fd); err != nil {
		return nil, err
	}
	return c.run(nil, start, errDone(cb))
}

// errDone passes a result-less request's error to cb.
func errDone(cb func(error)) func(*C.uv_fs_t, error) {
	return func(_ *C.uv_fs_t, err error) {
		if cb != nil {
			cb(err)
		}
	}
}

// FSClose closes a file descriptor (uv_fs_close). With a nil cb it runs
// synchronously.
func FSClose(l *Loop, fd int, cb func(err error)) (*Req, error) {
	return fdCall(l, "uv_fs_close", fd, cb, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_close(l.ptr, id, C.int(fd))
	})
}

// fsBufs returns bufs as uv_buf_t values and a function that pins their
// memory; nil and empty buffers are zero-length buffers with a NULL base.
func fsBufs(bufs [][]byte) ([]C.uv_buf_t, func(*runtime.Pinner)) {
	vec := make([]C.uv_buf_t, len(bufs))
	pin := func(pn *runtime.Pinner) {
		for i, b := range bufs {
			if len(b) > 0 {
				p := unsafe.SliceData(b)
				pn.Pin(p)
				vec[i] = C.uv_buf_t{base: (*C.char)(unsafe.Pointer(p)), len: C.size_t(len(b))}
			}
		}
	}
	return vec, pin
}

// rwCall is FSReadV and FSWriteV.
func rwCall(l *Loop, op string, fd int, bufs [][]byte, off int64, cb func(int, error),
	start func(id C.uintptr_t, vec *C.uv_buf_t, n C.uint) C.uvgo_new_t) (int, *Req, error) {
	c, err := newFSCall(l, op, "", cb != nil)
	if err != nil {
		return 0, nil, err
	}
	if err := c.fd(fd); err != nil {
		return 0, nil, err
	}
	if len(bufs) == 0 {
		return 0, nil, c.fail(EINVAL, "nil buffer")
	}
	if len(bufs) > 1<<31-1 {
		return 0, nil, c.fail(EINVAL, "too many buffers")
	}
	if off < -1 {
		return 0, nil, c.fail(EINVAL, "negative offset")
	}
	vec, pin := fsBufs(bufs)
	return c.runInt(pin, 0, cb, func(id C.uintptr_t) C.uvgo_new_t {
		return start(id, unsafe.SliceData(vec), C.uint(len(vec)))
	})
}

// FSRead reads from fd into p (uv_fs_read) at offset off, or at the file's
// position when off is -1, and gives the count read: 0 at the end of the
// file, as libuv says (no io.EOF). With a nil cb it runs synchronously and
// returns the count. A nil p is an error (EINVAL). p is pinned, not
// copied: the thread pool reads into it until the callback runs, so it
// must not be touched until then.
func FSRead(l *Loop, fd int, p []byte, off int64, cb func(n int, err error)) (int, *Req, error) {
	if p == nil {
		return FSReadV(l, fd, nil, off, cb)
	}
	return FSReadV(l, fd, [][]byte{p}, off, cb)
}

// FSReadV reads from fd into bufs in order (uv_fs_read with several
// buffers, readv/preadv), as FSRead does; one read fills at most the first
// 1024 (IOV_MAX), as in libuv. bufs must hold at least one
// buffer (EINVAL otherwise); a nil one among them reads nothing. The
// buffers are pinned, not copied, and must not be touched until the
// callback runs.
func FSReadV(l *Loop, fd int, bufs [][]byte, off int64, cb func(n int, err error)) (int, *Req, error) {
	if len(bufs) > C.UVGO_MAX_VEC {
		bufs = bufs[:C.UVGO_MAX_VEC] // libuv reads into IOV_MAX buffers at most
	}
	return rwCall(l, "uv_fs_read", fd, bufs, off, cb, func(id C.uintptr_t, vec *C.uv_buf_t, n C.uint) C.uvgo_new_t {
		return C.uvgo_fs_read(l.ptr, id, C.int(fd), vec, n, C.int64_t(off))
	})
}

// FSWrite writes p to fd (uv_fs_write) at offset off, or at the file's
// position when off is -1, and gives the count written. With a nil cb it
// runs synchronously and returns the count. A nil p is an error (EINVAL);
// an empty one writes nothing. p is pinned, not copied: the thread pool
// reads it until the callback runs, so it must not be touched until then.
func FSWrite(l *Loop, fd int, p []byte, off int64, cb func(n int, err error)) (int, *Req, error) {
	if p == nil {
		return FSWriteV(l, fd, nil, off, cb)
	}
	return FSWriteV(l, fd, [][]byte{p}, off, cb)
}

// FSWriteV writes bufs in order to fd (uv_fs_write with several buffers,
// writev/pwritev), as FSWrite does. bufs must hold at least one buffer
// (EINVAL otherwise); a nil one among them writes nothing. The buffers are
// pinned, not copied, and must not be touched until the callback runs.
func FSWriteV(l *Loop, fd int, bufs [][]byte, off int64, cb func(n int, err error)) (int, *Req, error) {
	return rwCall(l, "uv_fs_write", fd, bufs, off, cb, func(id C.uintptr_t, vec *C.uv_buf_t, n C.uint) C.uvgo_new_t {
		return C.uvgo_fs_write(l.ptr, id, C.int(fd), vec, n, C.int64_t(off))
	})
}

// pathCall is the shape of the calls on one path without results.
func pathCall(l *Loop, op, path string, cb func(error),
	start func(id C.uintptr_t, p *C.char) C.uvgo_new_t) (*Req, error) {
	c, err := newFSCall(l, op, path, cb != nil)
	if err != nil {
		return nil, err
	}
	p, err := c.cpath(path)
	if err != nil {
		return nil, err
	}
	return c.run(nil, func(id C.uintptr_t) C.uvgo_new_t { return start(id, p) }, errDone(cb))
}

// FSUnlink removes a file (uv_fs_unlink). With a nil cb it runs
// synchronously.
func FSUnlink(l *Loop, path string, cb func(err error)) (*Req, error) {
	return pathCall(l, "uv_fs_unlink", path, cb, func(id C.uintptr_t, p *C.char) C.uvgo_new_t {
		return C.uvgo_fs_unlink(l.ptr, id, p)
	})
}

// FSMkdir creates a directory with the permissions mode (uv_fs_mkdir).
// With a nil cb it runs synchronously.
func FSMkdir(l *Loop, path string, mode os.FileMode, cb func(err error)) (*Req, error) {
	return pathCall(l, "uv_fs_mkdir", path, cb, func(id C.uintptr_t, p *C.char) C.uvgo_new_t {
		return C.uvgo_fs_mkdir(l.ptr, id, p, unixMode(mode))
	})
}

// FSRmdir removes an empty directory (uv_fs_rmdir). With a nil cb it runs
// synchronously.
func FSRmdir(l *Loop, path string, cb func(err error)) (*Req, error) {
	return pathCall(l, "uv_fs_rmdir", path, cb, func(id C.uintptr_t, p *C.char) C.uvgo_new_t {
		return C.uvgo_fs_rmdir(l.ptr, id, p)
	})
}

// FSMkdtemp creates a directory with a unique name (uv_fs_mkdtemp, as
// mkdtemp(3)): tpl ends with "XXXXXX", which is replaced. It gives the
// directory's path. With a nil cb it runs synchronously and returns it.
func FSMkdtemp(l *Loop, tpl string, cb func(path string, err error)) (string, *Req, error) {
	c, err := newFSCall(l, "uv_fs_mkdtemp", tpl, cb != nil)
	if err != nil {
		return "", nil, err
	}
	p, err := c.cpath(tpl)
	if err != nil {
		return "", nil, err
	}
	var path string
	r, err := c.run(nil, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_mkdtemp(l.ptr, id, p)
	}, func(req *C.uv_fs_t, err error) {
		if err == nil {
			path = C.GoString(req.path)
		}
		if cb != nil {
			cb(path, err)
		}
	})
	return path, r, err
}

// FSMkstemp creates and opens a file with a unique name (uv_fs_mkstemp, as
// mkstemp(3)): tpl ends with "XXXXXX", which is replaced. It gives the
// file's descriptor and path. With a nil cb it runs synchronously and
// returns them.
func FSMkstemp(l *Loop, tpl string, cb func(fd int, path string, err error)) (int, string, *Req, error) {
	c, err := newFSCall(l, "uv_fs_mkstemp", tpl, cb != nil)
	if err != nil {
		return -1, "", nil, err
	}
	p, err := c.cpath(tpl)
	if err != nil {
		return -1, "", nil, err
	}
	fd, path := -1, ""
	r, err := c.run(nil, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_mkstemp(l.ptr, id, p)
	}, func(req *C.uv_fs_t, err error) {
		if err == nil {
			fd, path = int(req.result), C.GoString(req.path)
		}
		if cb != nil {
			cb(fd, path, err)
		}
	})
	return fd, path, r, err
}

// twoPathCall is the shape of rename, link, symlink and copyfile.
func twoPathCall(l *Loop, op, path, newPath string, flags, known int, cb func(error),
	start func(id C.uintptr_t, p, np *C.char) C.uvgo_new_t) (*Req, error) {
	c, err := newFSCall(l, op, path, cb != nil)
	if err != nil {
		return nil, err
	}
	p, np, err := c.cpath2(path, newPath)
	if err != nil {
		return nil, err
	}
	if err := c.flags(flags, known); err != nil {
		return nil, err
	}
	return c.run(nil, func(id C.uintptr_t) C.uvgo_new_t { return start(id, p, np) }, errDone(cb))
}

// FSRename renames path to newPath, replacing a file there (uv_fs_rename).
// With a nil cb it runs synchronously.
func FSRename(l *Loop, path, newPath string, cb func(err error)) (*Req, error) {
	return twoPathCall(l, "uv_fs_rename", path, newPath, 0, 0, cb, func(id C.uintptr_t, p, np *C.char) C.uvgo_new_t {
		return C.uvgo_fs_rename(l.ptr, id, p, np)
	})
}

// FSFsync flushes a file's data and metadata to storage (uv_fs_fsync).
// With a nil cb it runs synchronously.
func FSFsync(l *Loop, fd int, cb func(err error)) (*Req, error) {
	return fdCall(l, "uv_fs_fsync", fd, cb, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_fsync(l.ptr, id, C.int(fd))
	})
}

// FSFdatasync flushes a file's data to storage (uv_fs_fdatasync). With a
// nil cb it runs synchronously.
func FSFdatasync(l *Loop, fd int, cb func(err error)) (*Req, error) {
	return fdCall(l, "uv_fs_fdatasync", fd, cb, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_fdatasync(l.ptr, id, C.int(fd))
	})
}

// FSFtruncate sets an open file's size (uv_fs_ftruncate). With a nil cb it
// runs synchronously.
func FSFtruncate(l *Loop, fd int, size int64, cb func(err error)) (*Req, error) {
	return fdCall(l, "uv_fs_ftruncate", fd, cb, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_ftruncate(l.ptr, id, C.int(fd), C.int64_t(size))
	})
}

// Flags of FSCopyfile (UV_FS_COPYFILE_*).
const (
	// FSCopyfileExcl fails with EEXIST when newPath exists.
	FSCopyfileExcl = C.UV_FS_COPYFILE_EXCL
	// FSCopyfileFIClone makes a copy-on-write reflink when the file
	// system can, and copies otherwise.
	FSCopyfileFIClone = C.UV_FS_COPYFILE_FICLONE
	// FSCopyfileFICloneForce makes a copy-on-write reflink or fails.
	FSCopyfileFICloneForce = C.UV_FS_COPYFILE_FICLONE_FORCE
)

// FSCopyfile copies the file path to newPath (uv_fs_copyfile), replacing a
// file there unless flags has FSCopyfileExcl; flags is 0 or FSCopyfile*
// values or'ed, others are EINVAL. With a nil cb it runs synchronously.
func FSCopyfile(l *Loop, path, newPath string, flags int, cb func(err error)) (*Req, error) {
	const known = FSCopyfileExcl | FSCopyfileFIClone | FSCopyfileFICloneForce
	return twoPathCall(l, "uv_fs_copyfile", path, newPath, flags, known, cb, func(id C.uintptr_t, p, np *C.char) C.uvgo_new_t {
		return C.uvgo_fs_copyfile(l.ptr, id, p, np, C.int(flags))
	})
}

// FSSendfile copies up to length bytes from inFd, starting at its offset
// off, to outFd at its position (uv_fs_sendfile, sendfile(2), with libuv's
// read/write fallback), and gives the count copied. inFd's own position
// does not move. With a nil cb it runs synchronously and returns the
// count.
func FSSendfile(l *Loop, outFd, inFd int, off int64, length int, cb func(n int, err error)) (int, *Req, error) {
	c, err := newFSCall(l, "uv_fs_sendfile", "", cb != nil)
	if err != nil {
		return 0, nil, err
	}
	if err := c.fd(outFd); err != nil {
		return 0, nil, err
	}
	if err := c.fd(inFd); err != nil {
		return 0, nil, err
	}
	if off < 0 || length < 0 {
		return 0, nil, c.fail(EINVAL, "negative offset or length")
	}
	return c.runInt(nil, 0, cb, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_sendfile(l.ptr, id, C.int(outFd), C.int(inFd), C.int64_t(off), C.size_t(length))
	})
}

// FSLink makes newPath a hard link to path (uv_fs_link). With a nil cb it
// runs synchronously.
func FSLink(l *Loop, path, newPath string, cb func(err error)) (*Req, error) {
	return twoPathCall(l, "uv_fs_link", path, newPath, 0, 0, cb, func(id C.uintptr_t, p, np *C.char) C.uvgo_new_t {
		return C.uvgo_fs_link(l.ptr, id, p, np)
	})
}

// Flags of FSSymlink (UV_FS_SYMLINK_*). Both matter only on Windows; Linux
// accepts and ignores them.
const (
	FSSymlinkDir      = C.UV_FS_SYMLINK_DIR      // the target is a directory
	FSSymlinkJunction = C.UV_FS_SYMLINK_JUNCTION // make a junction point
)

// FSSymlink makes newPath a symbolic link to path (uv_fs_symlink); flags is
// 0 or FSSymlink* values or'ed, others are EINVAL. With a nil cb it runs
// synchronously.
func FSSymlink(l *Loop, path, newPath string, flags int, cb func(err error)) (*Req, error) {
	return twoPathCall(l, "uv_fs_symlink", path, newPath, flags, FSSymlinkDir|FSSymlinkJunction, cb, func(id C.uintptr_t, p, np *C.char) C.uvgo_new_t {
		return C.uvgo_fs_symlink(l.ptr, id, p, np, C.int(flags))
	})
}

// stringCall is FSReadlink and FSRealpath: the result is the C string at
// req->ptr.
func stringCall(l *Loop, op, path string, cb func(string, error),
	start func(id C.uintptr_t, p *C.char) C.uvgo_new_t) (string, *Req, error) {
	c, err := newFSCall(l, op, path, cb != nil)
	if err != nil {
		return "", nil, err
	}
	p, err := c.cpath(path)
	if err != nil {
		return "", nil, err
	}
	var s string
	r, err := c.run(nil, func(id C.uintptr_t) C.uvgo_new_t { return start(id, p) }, func(req *C.uv_fs_t, err error) {
		if err == nil {
			s = C.GoString((*C.char)(req.ptr))
		}
		if cb != nil {
			cb(s, err)
		}
	})
	return s, r, err
}

// FSReadlink gives the target of a symbolic link (uv_fs_readlink). With a
// nil cb it runs synchronously and returns it.
func FSReadlink(l *Loop, path string, cb func(target string, err error)) (string, *Req, error) {
	return stringCall(l, "uv_fs_readlink", path, cb, func(id C.uintptr_t, p *C.char) C.uvgo_new_t {
		return C.uvgo_fs_readlink(l.ptr, id, p)
	})
}

// FSRealpath gives the canonical absolute path of path, with every symbolic
// link resolved (uv_fs_realpath, realpath(3)). With a nil cb it runs
// synchronously and returns it.
func FSRealpath(l *Loop, path string, cb func(resolved string, err error)) (string, *Req, error) {
	return stringCall(l, "uv_fs_realpath", path, cb, func(id C.uintptr_t, p *C.char) C.uvgo_new_t {
		return C.uvgo_fs_realpath(l.ptr, id, p)
	})
}
