package uv

import (
	"errors"
	"io"
	"io/fs"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// error_message (test-error.c): libuv's own messages never read "Success",
// and unknown codes, of either sign, get a message that names the code
// rather than a bare "Unknown error". libuv 1.44.2's uv_strerror and
// uv_err_name both say "Unknown system error N".
func TestErrorMessage(t *testing.T) {
	assert.NotContains(t, EINVAL.Error(), "Success")
	assert.Equal(t, "invalid argument", EINVAL.Error())
	for _, code := range []int{1337, -1337} {
		e := Errno(code)
		assert.NotEqual(t, "Unknown error", e.Error())
		assert.Contains(t, e.Error(), strconv.Itoa(code))
		assert.Equal(t, "Unknown system error "+strconv.Itoa(code), e.Error())
		assert.Equal(t, "Unknown system error "+strconv.Itoa(code), e.Name())
	}
	assert.Equal(t, "Unknown system error 0", Errno(0).Error())
}

// Names and messages of known codes, as uv_err_name and uv_strerror give
// them.
func TestErrnoNames(t *testing.T) {
	for _, c := range []struct {
		e          Errno
		name, text string
	}{
		{EADDRINUSE, "EADDRINUSE", "address already in use"},
		{ECONNRESET, "ECONNRESET", "connection reset by peer"},
		{ECONNREFUSED, "ECONNREFUSED", "connection refused"},
		{ENOENT, "ENOENT", "no such file or directory"},
		{EAGAIN, "EAGAIN", "resource temporarily unavailable"},
		{ECANCELED, "ECANCELED", "operation canceled"},
		{EBUSY, "EBUSY", "resource busy or locked"},
		{EOF, "EOF", "end of file"},
		{UNKNOWN, "UNKNOWN", "unknown error"},
		{EAI_NONAME, "EAI_NONAME", "unknown node or service"},
		{ECHARSET, "ECHARSET", "invalid Unicode character"},
	} {
		assert.Equal(t, c.name, c.e.Name())
		assert.Equal(t, c.text, c.e.Error())
	}
	// Every named code has a message, and libuv's codes are negative.
	for e, name := range errnoNames {
		assert.Less(t, int(e), 0, name)
		assert.NotEmpty(t, errnoMessages[e], name)
	}
	assert.Len(t, errnoMessages, len(errnoNames))
}

// On Unix libuv's codes are negated errnos, so they match the
// syscall.Errno of the same name, and what that matches in turn.
func TestErrnoIs(t *testing.T) {
	assert.Equal(t, Errno(-int(syscall.EADDRINUSE)), EADDRINUSE)
	assert.ErrorIs(t, EADDRINUSE, syscall.EADDRINUSE)
	assert.NotErrorIs(t, EADDRINUSE, syscall.EADDRNOTAVAIL)
	assert.ErrorIs(t, ECONNRESET, syscall.ECONNRESET)
	assert.ErrorIs(t, ENOENT, fs.ErrNotExist)
	assert.ErrorIs(t, ENOENT, os.ErrNotExist)
	assert.ErrorIs(t, EACCES, fs.ErrPermission)
	assert.ErrorIs(t, EPERM, fs.ErrPermission)
	assert.ErrorIs(t, EEXIST, fs.ErrExist)
	assert.ErrorIs(t, ENOSYS, errors.ErrUnsupported)
	assert.NotErrorIs(t, EINVAL, fs.ErrNotExist)

	assert.True(t, ETIMEDOUT.Timeout())
	assert.False(t, EINVAL.Timeout())
	assert.True(t, EAGAIN.Temporary())
	assert.False(t, EOF.Temporary())
	assert.False(t, EOF.Timeout())
}

// EOF matches io.EOF and no errno: libuv's own codes (EOF, ECHARSET,
// EAI_*, UNKNOWN) are not negated errnos.
func TestErrnoEOF(t *testing.T) {
	assert.ErrorIs(t, EOF, io.EOF)
	assert.NotErrorIs(t, EINVAL, io.EOF)
	for n := syscall.Errno(0); n < 4096; n++ {
		require.False(t, errors.Is(EOF, n), "EOF matches %d (%v)", int(n), n)
		require.False(t, errors.Is(UNKNOWN, n), "UNKNOWN matches %d", int(n))
		require.False(t, errors.Is(ECHARSET, n), "ECHARSET matches %d", int(n))
		require.False(t, errors.Is(EFTYPE, n), "EFTYPE matches %d", int(n))
		require.False(t, errors.Is(EAI_NONAME, n), "EAI_NONAME matches %d", int(n))
	}
	var wrapped error = &Error{Op: "uv_read_start", Code: EOF}
	assert.ErrorIs(t, wrapped, io.EOF)
}

// *Error: formatting, and errors.Is / errors.As through it.
func TestError(t *testing.T) {
	var err error = &Error{Op: "uv_tcp_bind", Code: EADDRINUSE}
	assert.Equal(t, "uv_tcp_bind: EADDRINUSE: address already in use", err.Error())
	assert.ErrorIs(t, err, syscall.EADDRINUSE)
	assert.ErrorIs(t, err, EADDRINUSE)
	assert.NotErrorIs(t, err, ECONNRESET)
	var errno Errno
	require.ErrorAs(t, err, &errno)
	assert.Equal(t, EADDRINUSE, errno)
	var se syscall.Errno
	assert.False(t, errors.As(err, &se), "an Errno is not a syscall.Errno")

	err = &Error{Op: "uv_loop_close", Code: EBUSY, Detail: "open: timer"}
	assert.Equal(t, "uv_loop_close: EBUSY: resource busy or locked (open: timer)", err.Error())

	err = &Error{Op: "uv_x", Code: -1337}
	assert.Equal(t, "uv_x: Unknown system error -1337: Unknown system error -1337", err.Error())
}

// check turns a libuv status into nil or an *Error naming the call.
func TestCheck(t *testing.T) {
	assert.NoError(t, check("uv_x", 0))
	assert.NoError(t, check("uv_x", 42))
	err := check("uv_timer_start", int(EINVAL))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, &Error{Op: "uv_timer_start", Code: EINVAL}, e)
}

// statusErr: nil for success (and positive counts), io.EOF itself for
// UV_EOF, the Errno otherwise; the hot codes do not allocate.
func TestStatusErr(t *testing.T) {
	assert.NoError(t, statusErr(0))
	assert.NoError(t, statusErr(7))
	assert.Equal(t, io.EOF, statusErr(int(EOF)))
	for _, e := range []Errno{EAGAIN, ECANCELED, ECONNRESET, EPIPE, ENOBUFS, EINVAL, ETIMEDOUT, -1337} {
		assert.Equal(t, error(e), statusErr(int(e)), e.Name())
	}

	var sink error
	for _, e := range []Errno{0, EOF, EAGAIN, ECANCELED, ECONNRESET, EPIPE, ENOBUFS} {
		status := int(e)
		allocs := testing.AllocsPerRun(100, func() { sink = statusErr(status) })
		assert.Zero(t, allocs, "statusErr(%s) allocates", e.Name())
	}
	_ = sink
}

// The misuse sentinels: ErrClosed matches net.ErrClosed, the others match
// nothing but themselves.
func TestMisuseErrors(t *testing.T) {
	assert.ErrorIs(t, ErrClosed, net.ErrClosed)
	assert.NotErrorIs(t, ErrLoopClosed, net.ErrClosed)
	assert.NotErrorIs(t, ErrRunning, net.ErrClosed)
	for _, err := range []error{ErrClosed, ErrLoopClosed, ErrRunning, ErrNilCallback} {
		assert.True(t, strings.HasPrefix(err.Error(), "uv: "), err.Error())
	}
	assert.NotErrorIs(t, ErrClosed, ErrLoopClosed)
}

// FuzzErrno: every int gives a non-empty name and message and never
// panics, whatever it is compared with.
func FuzzErrno(f *testing.F) {
	for _, n := range []int{0, 1, -1, -22, -98, -3008, -4080, -4094, -4095, -4096, 1337, -1337, math.MinInt, math.MaxInt, math.MinInt32} {
		f.Add(n)
	}
	targets := []error{io.EOF, fs.ErrNotExist, fs.ErrPermission, syscall.EINVAL, syscall.Errno(0), net.ErrClosed, nil}
	f.Fuzz(func(t *testing.T, n int) {
		e := Errno(n)
		if e.Name() == "" {
			t.Errorf("Errno(%d).Name() is empty", n)
		}
		if e.Error() == "" {
			t.Errorf("Errno(%d).Error() is empty", n)
		}
		if _, known := errnoNames[e]; !known {
			want := "Unknown system error " + strconv.Itoa(n)
			if e.Name() != want || e.Error() != want {
				t.Errorf("Errno(%d): %q, %q; want %q", n, e.Name(), e.Error(), want)
			}
		}
		for _, target := range targets {
			_ = errors.Is(e, target)
		}
		_ = e.Timeout()
		_ = e.Temporary()
		_ = statusErr(n)
		if n < 0 {
			var err error = &Error{Op: "uv_fuzz", Code: e}
			if !strings.HasPrefix(err.Error(), "uv_fuzz: ") {
				t.Errorf("Error(%d) = %q", n, err.Error())
			}
		}
	})
}
