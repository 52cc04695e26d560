package uv

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A system library opens, its symbol is a C function that works when
// called, and Close unloads it once: a second Close, and Sym after Close,
// are errors wrapping ErrClosed.
func TestDlopenLibm(t *testing.T) {
	lib, err := Open("libm.so.6")
	require.NoError(t, err)
	assert.Equal(t, "libm.so.6", lib.Path())
	cos, err := lib.Sym("cos")
	require.NoError(t, err)
	require.NotNil(t, cos)
	assert.Equal(t, 1.0, callDoubleFunc(cos, 0))
	assert.InDelta(t, -1.0, callDoubleFunc(cos, 3.141592653589793), 1e-15)

	_, err = lib.Sym("no_such_symbol_in_libm")
	var de *DLError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "uv_dlsym", de.Op)
	assert.Equal(t, "no_such_symbol_in_libm", de.Name)
	assert.Contains(t, de.Msg, "no_such_symbol_in_libm", "the loader's message")
	assert.Contains(t, err.Error(), "undefined symbol")

	require.NoError(t, lib.Close())
	err = lib.Close()
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorAs(t, err, &de)
	assert.Equal(t, "uv_dlclose", de.Op)
	_, err = lib.Sym("cos")
	assert.ErrorIs(t, err, ErrClosed)

	var nilLib *Lib
	_, err = nilLib.Sym("cos")
	assert.ErrorIs(t, err, ErrClosed)
	assert.ErrorIs(t, nilLib.Close(), ErrClosed)
	_, err = (&Lib{}).Sym("cos")
	assert.ErrorIs(t, err, ErrClosed)
}

// A missing library is a *DLError with the loader's message naming it;
// a name with a NUL byte is EINVAL.
func TestDlopenMissing(t *testing.T) {
	lib, err := Open("libgouv-no-such-library.so")
	assert.Nil(t, lib)
	var de *DLError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "uv_dlopen", de.Op)
	assert.Equal(t, "libgouv-no-such-library.so", de.Name)
	assert.Contains(t, de.Msg, "libgouv-no-such-library.so")
	assert.Contains(t, de.Msg, "No such file")

	_, err = Open("libm\x00.so")
	assert.ErrorIs(t, err, EINVAL)
	lib, err = Open("libm.so.6")
	require.NoError(t, err)
	_, err = lib.Sym("c\x00os")
	assert.ErrorIs(t, err, EINVAL)
	require.NoError(t, lib.Close())
}

// dlerror (test-dlerror.c): a file that is not a library fails to open
// with a message naming it, the same each time; Close of a Lib that was
// never opened is not reachable (Open returns no Lib).
func TestDlerror(t *testing.T) {
	path, err := filepath.Abs("testdata/load_error.node")
	require.NoError(t, err)
	var msgs []string
	for range 2 {
		lib, err := Open(path)
		assert.Nil(t, lib)
		var de *DLError
		require.ErrorAs(t, err, &de)
		assert.Contains(t, de.Msg, path)
		assert.NotContains(t, de.Msg, "no error")
		msgs = append(msgs, de.Msg)
	}
	assert.Equal(t, msgs[0], msgs[1])
	assert.False(t, errors.Is(err, ErrClosed))
}

// Sym and Close may race from several goroutines: one Close wins, and
// every Sym either finds the symbol or says the library is closed.
func TestDlConcurrent(t *testing.T) {
	lib, err := Open("libm.so.6")
	require.NoError(t, err)
	var wg sync.WaitGroup
	var closes sync.Map
	for i := range 8 {
		wg.Go(func() {
			for range 200 {
				if _, err := lib.Sym("sin"); err != nil {
					assert.ErrorIs(t, err, ErrClosed)
				}
			}
			closes.Store(i, lib.Close())
		})
	}
	wg.Wait()
	ok := 0
	closes.Range(func(_, v any) bool {
		if v == nil {
			ok++
		} else {
			assert.ErrorIs(t, v.(error), ErrClosed)
		}
		return true
	})
	assert.Equal(t, 1, ok)
}
