package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"strconv"
	"unsafe"
)

// DirEntType is the type of a directory entry (uv_dirent_type_t), as the
// file system reports it; DirentUnknown when it does not.
type DirEntType int

// Directory entry types (UV_DIRENT_*).
const (
	DirentUnknown DirEntType = C.UV_DIRENT_UNKNOWN
	DirentFile    DirEntType = C.UV_DIRENT_FILE
	DirentDir     DirEntType = C.UV_DIRENT_DIR
	DirentLink    DirEntType = C.UV_DIRENT_LINK
	DirentFIFO    DirEntType = C.UV_DIRENT_FIFO
	DirentSocket  DirEntType = C.UV_DIRENT_SOCKET
	DirentChar    DirEntType = C.UV_DIRENT_CHAR
	DirentBlock   DirEntType = C.UV_DIRENT_BLOCK
)

var direntTypeNames = [...]string{
	DirentUnknown: "unknown", DirentFile: "file", DirentDir: "dir", DirentLink: "link",
	DirentFIFO: "fifo", DirentSocket: "socket", DirentChar: "char", DirentBlock: "block",
}

// String returns the type's name: "file", "dir", "link"...
func (t DirEntType) String() string {
	if t >= 0 && int(t) < len(direntTypeNames) {
		return direntTypeNames[t]
	}
	return "DirEntType(" + strconv.Itoa(int(t)) + ")"
}

// DirEnt is a directory entry (uv_dirent_t): a name in the directory, not
// a path, and its type.
type DirEnt struct {
	Name string
	Type DirEntType
}

func direntFromC(d *C.uv_dirent_t) DirEnt {
	return DirEnt{Name: C.GoString(d.name), Type: DirEntType(d._type)}
}

// FSScandir lists a directory (uv_fs_scandir, then uv_fs_scandir_next until
// UV_EOF) and gives its entries, without "." and "..", sorted by name
// (strcmp) as libuv sorts them. With a nil cb it runs synchronously and
// returns them.
func FSScandir(l *Loop, path string, cb func(ents []DirEnt, err error)) ([]DirEnt, *Req, error) {
	c, err := newFSCall(l, "uv_fs_scandir", path, cb != nil)
	if err != nil {
		return nil, nil, err
	}
	p, err := c.cpath(path)
	if err != nil {
		return nil, nil, err
	}
	var ents []DirEnt
	r, err := c.run(nil, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_scandir(l.ptr, id, p)
	}, func(req *C.uv_fs_t, err error) {
		if err == nil {
			ents = make([]DirEnt, 0, int(req.result))
			var d C.uv_dirent_t
			for C.uv_fs_scandir_next(req, &d) == 0 {
				ents = append(ents, direntFromC(&d))
			}
		}
		if cb != nil {
			cb(ents, err)
		}
	})
	return ents, r, err
}

// Dir is an open directory stream (uv_dir_t), read a few entries at a time
// with FSReaddir and closed with FSClosedir. libuv allocates it in
// FSOpendir and frees it in FSClosedir: a Dir that is not closed leaks its
// memory and its descriptor. A Dir takes one request at a time: FSReaddir
// or FSClosedir while another of its requests is in flight is EBUSY. Use
// it on one goroutine.
type Dir struct {
	ptr  *C.uv_dir_t // nil once FSClosedir started
	busy bool        // a request on it is in flight
}

// dir checks d for the call.
func (c *fsCall) dir(d *Dir) error {
	switch {
	case d == nil:
		return c.fail(EINVAL, "nil Dir")
	case d.ptr == nil:
		return c.fail(EBADF, "Dir is closed")
	case d.busy:
		return c.fail(EBUSY, "another request on the Dir is in flight")
	}
	return nil
}

// FSOpendir opens a directory for FSReaddir (uv_fs_opendir) and gives the
// Dir, which FSClosedir must close. With a nil cb it runs synchronously
// and returns it.
func FSOpendir(l *Loop, path string, cb func(d *Dir, err error)) (*Dir, *Req, error) {
	c, err := newFSCall(l, "uv_fs_opendir", path, cb != nil)
	if err != nil {
		return nil, nil, err
	}
	p, err := c.cpath(path)
	if err != nil {
		return nil, nil, err
	}
	var d *Dir
	r, err := c.run(nil, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_opendir(l.ptr, id, p)
	}, func(req *C.uv_fs_t, err error) {
		if err == nil {
			d = &Dir{ptr: (*C.uv_dir_t)(req.ptr)}
		}
		if cb != nil {
			cb(d, err)
		}
	})
	return d, r, err
}

// FSReaddir reads up to n entries of d (uv_fs_readdir, with an array of n
// uv_dirent_t that the binding lends for the request) and gives them, "."
// and ".." left out; none, and no error, at the end of the directory. With
// a nil cb it runs synchronously and returns them.
func FSReaddir(l *Loop, d *Dir, n int, cb func(ents []DirEnt, err error)) ([]DirEnt, *Req, error) {
	c, err := newFSCall(l, "uv_fs_readdir", "", cb != nil)
	if err != nil {
		return nil, nil, err
	}
	if err := c.dir(d); err != nil {
		return nil, nil, err
	}
	if n <= 0 || n > 1<<20 {
		return nil, nil, c.fail(EINVAL, "bad entry count "+strconv.Itoa(n))
	}
	var ents []DirEnt
	d.busy = true
	r, err := c.run(nil, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_readdir(l.ptr, id, d.ptr, C.size_t(n))
	}, func(req *C.uv_fs_t, err error) {
		d.busy = false
		if err == nil {
			m := int(req.result)
			ents = make([]DirEnt, m)
			cents := unsafe.Slice(d.ptr.dirents, m)
			for i := range ents {
				ents[i] = direntFromC(&cents[i])
			}
		}
		// The callback may close d: the request lets go of it first.
		C.uvgo_fs_readdir_done(req)
		if cb != nil {
			cb(ents, err)
		}
	})
	if r == nil {
		d.busy = false // done, or the start failed and no callback comes
	}
	return ents, r, err
}

// FSClosedir closes d (uv_fs_closedir), which libuv then frees; d cannot
// be used afterwards (EBADF). With a nil cb it runs synchronously.
func FSClosedir(l *Loop, d *Dir, cb func(err error)) (*Req, error) {
	c, err := newFSCall(l, "uv_fs_closedir", "", cb != nil)
	if err != nil {
		return nil, err
	}
	if err := c.dir(d); err != nil {
		return nil, err
	}
	ptr := d.ptr
	d.busy = true
	r, err := c.run(nil, func(id C.uintptr_t) C.uvgo_new_t {
		return C.uvgo_fs_closedir(l.ptr, id, ptr)
	}, func(_ *C.uv_fs_t, err error) {
		d.busy = false
		// closedir frees the uv_dir_t even when closedir(3) fails; a
		// cancelled request never ran.
		if e, ok := err.(*Error); !ok || e.Code != ECANCELED {
			d.ptr = nil
		}
		if cb != nil {
			cb(err)
		}
	})
	if r == nil {
		d.busy = false
	}
	return r, err
}
