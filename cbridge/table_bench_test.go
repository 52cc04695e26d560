package cbridge

import (
	"runtime/cgo"
	"testing"
)

type payload struct{ n int }

// BenchmarkTable measures what a request costs in the table: register,
// look up once (the callback) and delete.
func BenchmarkTable(b *testing.B) {
	var tb Table[*payload]
	p := &payload{}
	b.ReportAllocs()
	for b.Loop() {
		id := tb.New(p)
		v, _ := tb.Get(id)
		v.n++
		tb.Delete(id)
	}
}

// BenchmarkCgoHandle is the same sequence on runtime/cgo.Handle, the
// standard library's global, locked equivalent.
func BenchmarkCgoHandle(b *testing.B) {
	p := &payload{}
	b.ReportAllocs()
	for b.Loop() {
		h := cgo.NewHandle(p)
		h.Value().(*payload).n++
		h.Delete()
	}
}

// BenchmarkTableGet and BenchmarkCgoHandleValue measure the lookup alone,
// which is what every handle callback pays.
func BenchmarkTableGet(b *testing.B) {
	var tb Table[*payload]
	id := tb.New(&payload{})
	b.ReportAllocs()
	for b.Loop() {
		v, _ := tb.Get(id)
		v.n++
	}
}

func BenchmarkCgoHandleValue(b *testing.B) {
	h := cgo.NewHandle(&payload{})
	defer h.Delete()
	b.ReportAllocs()
	for b.Loop() {
		h.Value().(*payload).n++
	}
}
