package uv

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TCP.Raw gives the uv_tcp_t while the handle is open, with the add-on
// slot past it zeroed; nil once closed.
func TestTCPRaw(t *testing.T) {
	l := newLoop(t)
	tcp, err := NewTCP(l)
	require.NoError(t, err)
	p := tcp.Raw()
	require.NotNil(t, p)
	slot := (*unsafe.Pointer)(unsafe.Add(p, tcpSize()))
	assert.Nil(t, *slot)
	doClose(t, tcp)
	runLoop(t, l, RunDefault)
	assert.Nil(t, tcp.Raw())
}

// An add-on's export that defers Loop.Recover turns a panic into what
// gouv's callbacks do: the loop stops and Run re-panics with it.
func TestLoopRecover(t *testing.T) {
	l := newLoop(t)
	addonExport := func() {
		defer l.Recover()
		panic("addon boom")
	}
	require.NoError(t, l.Post(func() {
		addonExport()
		// Reached: the panic stopped at Recover, as at gouv's trampolines.
	}))
	p := runPanic(t, l, RunDefault)
	assert.Equal(t, "addon boom", p.Value)
	assert.NotPanics(t, func() {
		func() {
			defer l.Recover() // no panic: nothing happens
		}()
	})
}
