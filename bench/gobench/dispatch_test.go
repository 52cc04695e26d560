package gobench

import (
	"testing"

	"github.com/gouv/gouv/uv"
)

// BenchmarkDispatch is one libuv callback delivered to Go through cbridge:
// an idle handle's callback, once per loop iteration (C shim, Go export,
// table lookup, typed callback).
func BenchmarkDispatch(b *testing.B) {
	l, err := uv.NewLoop()
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	idle, err := uv.NewIdle(l)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	b.ReportAllocs()
	b.ResetTimer()
	idle.Start(func(i *uv.Idle) {
		n++
		if n == b.N {
			i.Close(nil)
		}
	})
	l.Run(uv.RunDefault)
}
