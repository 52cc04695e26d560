// Package cbridge maps the integer IDs that C code holds to Go values.
//
// libuv keeps pointers to its handles and requests and calls back into the
// program later. The cgo rules forbid C from keeping a Go pointer after a
// call returns, so gouv stores only an integer [ID] in a handle's data field
// and looks the Go object up in a [Table] when libuv calls back.
//
// A Table belongs to one event loop and is used only from the goroutine that
// runs that loop, so it takes no lock. An ID packs a slot index and the
// slot's generation: a late callback that carries the ID of a deleted entry
// misses instead of finding whatever reuses the slot. The zero ID is never
// valid.
//
// The package is pure Go (no import "C"), so it builds with CGO_ENABLED=0,
// is seen whole by the race detector and is fuzzed on its own.
package cbridge
