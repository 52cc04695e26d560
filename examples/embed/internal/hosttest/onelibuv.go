package hosttest

/*
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>

static int hosttest_anchor(void) { return 0; }

// The file that defines what a global lookup of name finds: what a
// library loaded at start-up, or by dlopen without RTLD_DEEPBIND, binds.
static const char* hosttest_where(const char* name) {
  Dl_info i;
  void* p = dlsym(RTLD_DEFAULT, name);
  if (p == NULL || dladdr(p, &i) == 0)
    return NULL;
  return i.dli_fname;
}

// The file of the program itself.
static const char* hosttest_main(void) {
  Dl_info i;
  if (dladdr((void*) hosttest_anchor, &i) == 0)
    return NULL;
  return i.dli_fname;
}
*/
import "C"

import (
	"bufio"
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// OneLibuv checks that every libuv function the loaded library whose file
// name begins with lib ("libh2o.so.0") imports resolves to the libuv that gouv
// itself uses: the program's own static copy, or libuv.so.1 with the
// uvshared tag. It returns how many functions it checked.
func OneLibuv(t *testing.T, lib string) int {
	path := loadedPath(t, lib)
	f, err := elf.Open(path)
	require.NoError(t, err)
	defer f.Close()
	syms, err := f.ImportedSymbols()
	require.NoError(t, err)
	want := C.GoString(C.hosttest_main())
	if sharedLibuv {
		want = "libuv.so.1"
	}
	n := 0
	for _, s := range syms {
		if !strings.HasPrefix(s.Name, "uv_") {
			continue
		}
		name := C.CString(s.Name)
		got := C.hosttest_where(name)
		C.free(unsafe.Pointer(name))
		n++
		if assert.NotNil(t, got, "%s: %s is not found globally", lib, s.Name) {
			assert.True(t, strings.HasSuffix(C.GoString(got), want),
				"%s: %s resolves to %s, not gouv's libuv (%s)", lib, s.Name, C.GoString(got), want)
		}
	}
	assert.Positive(t, n, "%s imports no libuv function", lib)
	return n
}

// loadedPath finds the file of a loaded library in /proc/self/maps by the
// beginning of its name.
func loadedPath(t *testing.T, lib string) string {
	m, err := os.Open("/proc/self/maps")
	require.NoError(t, err)
	defer m.Close()
	sc := bufio.NewScanner(m)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 6 && strings.HasPrefix(filepath.Base(f[5]), lib) {
			return f[5]
		}
	}
	require.FailNow(t, lib+" is not loaded")
	return ""
}
