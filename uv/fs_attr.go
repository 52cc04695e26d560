package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"os"
	"strconv"
	"time"
)

// File status and attributes: stat, statfs, access, chmod, utime, chown
// (fs.go describes the pattern every fs call follows).

// statCall is FSStat and FSLstat.
func statCall(l *Loop, op, path string, cb func(Stat, error),
	start func(id C.uintptr_t, p *C.char) C.uvgo_new_t) (Stat, *Req, error) {
	c, err := newFSCall(l, op, path, cb != nil)
	if err != nil {
		return Stat{}, nil, err
	}
	p, err := c.cpath(path)
	if err != nil {
		return Stat{}, nil, err
	}
	var st Stat
	r, err := c.run(nil, func(id C.uintptr_t) C.uvgo_new_t { return start(id, p) }, statDone(&st, cb))
	return st, r, err
}

// statDone reads a stat request's result into st and passes it to cb.
func statDone(st *Stat, cb func(Stat, error)) func(*C.uv_fs_t, error) {
	return func(req *C.uv_fs_t, err error) {
		if err == nil {
			*st = statFromC(&req.statbuf)
		}
		if cb != nil {
			cb(*st, err)
		}
	}
}

// FSStat gives a file's status, following symbolic links (uv_fs_stat).
// With a nil cb it runs synchronously and returns it.
func FSStat(l *Loop, path string, cb func(st Stat, err error)) (Stat, *Req, error) {
	return statCall(l, "uv_fs_stat", path, cb, func(id C.uintptr_t, p *C.char) C.uvgo_new_t {
		return C.uvgo_fs_stat(l.ptr, id, p)
	})
}

// FSLstat gives a file's status, or a symbolic link's own (uv_fs_lstat).
// With a nil cb it runs synchronously and returns it.
func FSLstat(l *Loop, path string, cb func(st Stat, err error)) (Stat, *Req, error) {
	return statCall(l, "uv_fs_lstat", path, cb, func(id C.uintptr_t, p *C.char) C.uvgo_new_t {
		return C.uvgo_fs_lstat(l.ptr, id, p)
	})
}

// FSFstat gives the status of an open file (uv_fs_fstat). With a nil cb it
// runs synchronously and returns it.
func FSFstat(l *Loop, fd int, cb func(st Stat, err error)) (Stat, *Req, error) {
	c, err := newFSCall(l, "uv_fs_fstat", "", cb != nil)
	if err != nil {
		return Stat{}, nil, err
	}
	if err := c.fd(fd); err != nil {
		return Stat{}, nil, err
	}
	var st Stat
	r, err := c.run(nil, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_fstat(l.ptr, id, C.int(fd))
	}, statDone(&st, cb))
	return st, r, err
}

// StatFS is a file system's status (uv_statfs_t, from statfs(2)).
//
// https://docs.libuv.org/en/v1.x/fs.html#c.uv_statfs_t
type StatFS struct {
	Type   uint64 // the file system's magic number (f_type)
	BSize  uint64 // block size (f_bsize)
	Blocks uint64 // blocks (f_blocks)
	BFree  uint64 // free blocks (f_bfree)
	BAvail uint64 // free blocks for unprivileged users (f_bavail)
	Files  uint64 // inodes (f_files)
	FFree  uint64 // free inodes (f_ffree)
}

// FSStatfs gives the status of the file system that holds path
// (uv_fs_statfs). With a nil cb it runs synchronously and returns it.
func FSStatfs(l *Loop, path string, cb func(st StatFS, err error)) (StatFS, *Req, error) {
	c, err := newFSCall(l, "uv_fs_statfs", path, cb != nil)
	if err != nil {
		return StatFS{}, nil, err
	}
	p, err := c.cpath(path)
	if err != nil {
		return StatFS{}, nil, err
	}
	var st StatFS
	r, err := c.run(nil, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_statfs(l.ptr, id, p)
	}, func(req *C.uv_fs_t, err error) {
		if err == nil {
			s := (*C.uv_statfs_t)(req.ptr)
			st = StatFS{
				Type: uint64(s.f_type), BSize: uint64(s.f_bsize), Blocks: uint64(s.f_blocks),
				BFree: uint64(s.f_bfree), BAvail: uint64(s.f_bavail),
				Files: uint64(s.f_files), FFree: uint64(s.f_ffree),
			}
		}
		if cb != nil {
			cb(st, err)
		}
	})
	return st, r, err
}

// Modes of FSAccess, or'ed (access(2)'s F_OK, R_OK, W_OK, X_OK).
const (
	FSAccessExists = 0 // F_OK: the file exists
	FSAccessRead   = 4 // R_OK
	FSAccessWrite  = 2 // W_OK
	FSAccessExec   = 1 // X_OK
)

// FSAccess checks that the caller may use path as mode says (uv_fs_access,
// access(2)); mode is FSAccessExists or FSAccess* values or'ed, others are
// EINVAL. With a nil cb it runs synchronously.
func FSAccess(l *Loop, path string, mode int, cb func(err error)) (*Req, error) {
	c, err := newFSCall(l, "uv_fs_access", path, cb != nil)
	if err != nil {
		return nil, err
	}
	p, err := c.cpath(path)
	if err != nil {
		return nil, err
	}
	if err := c.flags(mode, FSAccessRead|FSAccessWrite|FSAccessExec); err != nil {
		return nil, err
	}
	return c.run(nil, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_access(l.ptr, id, p, C.int(mode))
	}, errDone(cb))
}

// FSChmod sets a file's permissions (uv_fs_chmod). With a nil cb it runs
// synchronously.
func FSChmod(l *Loop, path string, mode os.FileMode, cb func(err error)) (*Req, error) {
	return pathCall(l, "uv_fs_chmod", path, cb, func(id C.uintptr_t, p *C.char) C.uvgo_new_t {
		return C.uvgo_fs_chmod(l.ptr, id, p, unixMode(mode))
	})
}

// FSFchmod sets an open file's permissions (uv_fs_fchmod). With a nil cb
// it runs synchronously.
func FSFchmod(l *Loop, fd int, mode os.FileMode, cb func(err error)) (*Req, error) {
	return fdCall(l, "uv_fs_fchmod", fd, cb, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_fchmod(l.ptr, id, C.int(fd), unixMode(mode))
	})
}

// fsTime converts t to libuv's float64 seconds since the epoch, so that
// libuv gives the system t floored to the microsecond. libuv truncates the
// fraction toward zero to whole microseconds (uv__fs_to_timespec), and a
// float64 holds today's times to about a quarter of a microsecond: t's
// microsecond sent as is comes out one less about half the time. Sent
// half a microsecond past it, on the side libuv's truncation cuts (later
// after the epoch, earlier before it), it comes out whole.
func fsTime(t time.Time) C.double {
	sec, usec := t.Unix(), t.Nanosecond()/1000
	if usec == 0 {
		return C.double(sec)
	}
	frac := float64(usec) + 0.5
	if sec < 0 {
		frac = float64(usec) - 0.5
	}
	return C.double(float64(sec) + frac/1e6)
}

// FSUtime sets a file's access and modification times, following symbolic
// links (uv_fs_utime). libuv passes the times as float64 seconds: they
// are set floored to the microsecond, before the epoch too, for times
// between the years 1901 and 2106. With a nil cb it runs synchronously.
func FSUtime(l *Loop, path string, atime, mtime time.Time, cb func(err error)) (*Req, error) {
	return pathCall(l, "uv_fs_utime", path, cb, func(id C.uintptr_t, p *C.char) C.uvgo_new_t {
		return C.uvgo_fs_utime(l.ptr, id, p, fsTime(atime), fsTime(mtime))
	})
}

// FSFutime sets an open file's access and modification times
// (uv_fs_futime), as FSUtime does. With a nil cb it runs synchronously.
func FSFutime(l *Loop, fd int, atime, mtime time.Time, cb func(err error)) (*Req, error) {
	return fdCall(l, "uv_fs_futime", fd, cb, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_futime(l.ptr, id, C.int(fd), fsTime(atime), fsTime(mtime))
	})
}

// FSLutime sets the access and modification times of a symbolic link
// itself (uv_fs_lutime), as FSUtime does. With a nil cb it runs
// synchronously.
func FSLutime(l *Loop, path string, atime, mtime time.Time, cb func(err error)) (*Req, error) {
	return pathCall(l, "uv_fs_lutime", path, cb, func(id C.uintptr_t, p *C.char) C.uvgo_new_t {
		return C.uvgo_fs_lutime(l.ptr, id, p, fsTime(atime), fsTime(mtime))
	})
}

// ownerIDs checks uid and gid for chown: -1 leaves one unchanged.
func (c *fsCall) ownerIDs(uid, gid int) (C.uint32_t, C.uint32_t, error) {
	if uid < -1 || uid >= 1<<32-1 {
		return 0, 0, c.fail(EINVAL, "bad uid "+strconv.Itoa(uid))
	}
	if gid < -1 || gid >= 1<<32-1 {
		return 0, 0, c.fail(EINVAL, "bad gid "+strconv.Itoa(gid))
	}
	return C.uint32_t(uint32(uid)), C.uint32_t(uint32(gid)), nil
}

// chownCall is FSChown and FSLchown.
func chownCall(l *Loop, op, path string, uid, gid int, cb func(error),
	start func(id C.uintptr_t, p *C.char, u, g C.uint32_t) C.uvgo_new_t) (*Req, error) {
	c, err := newFSCall(l, op, path, cb != nil)
	if err != nil {
		return nil, err
	}
	p, err := c.cpath(path)
	if err != nil {
		return nil, err
	}
	u, g, err := c.ownerIDs(uid, gid)
	if err != nil {
		return nil, err
	}
	return c.run(nil, func(id C.uintptr_t) C.uvgo_new_t { return start(id, p, u, g) }, errDone(cb))
}

// FSChown sets a file's owner and group, following symbolic links
// (uv_fs_chown); -1 leaves one unchanged. With a nil cb it runs
// synchronously.
func FSChown(l *Loop, path string, uid, gid int, cb func(err error)) (*Req, error) {
	return chownCall(l, "uv_fs_chown", path, uid, gid, cb, func(id C.uintptr_t, p *C.char, u, g C.uint32_t) C.uvgo_new_t {
		return C.uvgo_fs_chown(l.ptr, id, p, u, g)
	})
}

// FSLchown sets the owner and group of a symbolic link itself
// (uv_fs_lchown); -1 leaves one unchanged. With a nil cb it runs
// synchronously.
func FSLchown(l *Loop, path string, uid, gid int, cb func(err error)) (*Req, error) {
	return chownCall(l, "uv_fs_lchown", path, uid, gid, cb, func(id C.uintptr_t, p *C.char, u, g C.uint32_t) C.uvgo_new_t {
		return C.uvgo_fs_lchown(l.ptr, id, p, u, g)
	})
}

// FSFchown sets an open file's owner and group (uv_fs_fchown); -1 leaves
// one unchanged. With a nil cb it runs synchronously.
func FSFchown(l *Loop, fd, uid, gid int, cb func(err error)) (*Req, error) {
	c, err := newFSCall(l, "uv_fs_fchown", "", cb != nil)
	if err != nil {
		return nil, err
	}
	if err := c.fd(fd); err != nil {
		return nil, err
	}
	u, g, err := c.ownerIDs(uid, gid)
	if err != nil {
		return nil, err
	}
	return c.run(nil, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_fchown(l.ptr, id, C.int(fd), u, g)
	}, errDone(cb))
}
