package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"sync"
	"unsafe"
)

// Lib is a shared library loaded into the process (uv_lib_t): dlopen and
// dlsym for a Go program that hosts C code, with the loader's messages as
// errors. Its methods may be called from any goroutine.
//
// https://docs.libuv.org/en/v1.x/dll.html
type Lib struct {
	mu   sync.Mutex
	ptr  *C.uv_lib_t // nil once closed
	path string
}

// DLError is a failed Open or Sym: Op names the libuv call ("uv_dlopen",
// "uv_dlsym"), Name the library's path or the symbol, and Msg is the
// loader's message (uv_dlerror), "libnope.so: cannot open shared object
// file: No such file or directory". Err, when set, is the error it wraps
// (ErrClosed for a closed Lib).
type DLError struct {
	Op, Name, Msg string
	Err           error
}

// Error returns "op name: message".
func (e *DLError) Error() string { return e.Op + " " + e.Name + ": " + e.Msg }

// Unwrap returns Err.
func (e *DLError) Unwrap() error { return e.Err }

// Open loads the shared library at path (uv_dlopen, dlopen with
// RTLD_LAZY). A path without a slash is searched for as dlopen does
// (LD_LIBRARY_PATH, the ld.so cache): "libm.so.6". The error carries the
// loader's message (uv_dlerror). Close the Lib when done.
func Open(path string) (*Lib, error) {
	cs, err := cArg("uv_dlopen", path)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cs))
	p := (*C.uv_lib_t)(C.calloc(1, C.sizeof_uv_lib_t))
	if p == nil {
		return nil, &Error{Op: "uv_dlopen", Path: path, Code: ENOMEM}
	}
	if C.uv_dlopen(cs, p) != 0 {
		msg := C.GoString(C.uv_dlerror(p))
		C.uv_dlclose(p) // frees the message
		C.free(unsafe.Pointer(p))
		return nil, &DLError{Op: "uv_dlopen", Name: path, Msg: msg}
	}
	return &Lib{ptr: p, path: path}, nil
}

// Path returns the path Open was given.
func (l *Lib) Path() string {
	if l == nil {
		return ""
	}
	return l.path
}

// Sym returns the address of the symbol name in the library (uv_dlsym): a
// C function or variable, for C code to use (a Go program calls it through
// a C function that takes the pointer). A missing symbol is a *DLError
// with the loader's message; one whose value is NULL gives nil and no
// error, as dlsym does.
func (l *Lib) Sym(name string) (unsafe.Pointer, error) {
	cs, err := cArg("uv_dlsym", name)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cs))
	if l == nil {
		return nil, &DLError{Op: "uv_dlsym", Name: name, Msg: "nil *Lib: open libraries with Open", Err: ErrClosed}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ptr == nil {
		return nil, &DLError{Op: "uv_dlsym", Name: name, Msg: "library " + l.path + " is closed", Err: ErrClosed}
	}
	var sym unsafe.Pointer
	if C.uv_dlsym(l.ptr, cs, &sym) != 0 {
		return nil, &DLError{Op: "uv_dlsym", Name: name, Msg: C.GoString(C.uv_dlerror(l.ptr))}
	}
	return sym, nil
}

// Close unloads the library (uv_dlclose): pointers from Sym must not be
// used after it. A second Close returns a *DLError wrapping ErrClosed.
func (l *Lib) Close() error {
	if l == nil {
		return &DLError{Op: "uv_dlclose", Msg: "nil *Lib: open libraries with Open", Err: ErrClosed}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ptr == nil {
		return &DLError{Op: "uv_dlclose", Name: l.path, Msg: "library already closed", Err: ErrClosed}
	}
	C.uv_dlclose(l.ptr)
	C.free(unsafe.Pointer(l.ptr))
	l.ptr = nil
	return nil
}
