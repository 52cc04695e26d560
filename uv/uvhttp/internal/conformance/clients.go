package conformance

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// curl drives curl (make deps installs it): GET, keep-alive over several
// URLs, HTTP/1.0, POST with Expect: 100-continue, chunked upload, HEAD.
func curl(t *testing.T, _ Target, addr string) {
	bin, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is missing: make deps installs it")
	}
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"-sS", "--max-time", "10"}, args...)...).Output()
		require.NoError(t, err, "curl %v", args)
		return string(out)
	}
	u := "http://" + addr
	assert.Equal(t, "Hello, World!", run(u+"/plaintext"))
	assert.Equal(t, "Hello, World!"+`{"message":"Hello, World!"}`+"Hello, World!",
		run(u+"/plaintext", u+"/json", u+"/plaintext"))
	assert.Equal(t, "Hello, World!", run("--http1.0", u+"/plaintext"))
	assert.Equal(t, "hello", run("-H", "Expect: 100-continue", "--data-binary", "hello", u+"/echo"))
	big := filepath.Join(t.TempDir(), "big")
	data := bytes.Repeat([]byte("0123456789"), 30000)
	require.NoError(t, os.WriteFile(big, data, 0o600))
	assert.Equal(t, string(data), run("-H", "Transfer-Encoding: chunked", "--data-binary", "@"+big, u+"/echo"))
	head := run("-I", u+"/plaintext")
	assert.Contains(t, head, "HTTP/1.1 200")
	assert.Contains(t, strings.ToLower(head), "content-length: 13")
	assert.Equal(t, "404", run("-o", "/dev/null", "-w", "%{http_code}", u+"/nothing"))
}

// pythonScript drives Python's http.client over one keep-alive
// connection: GET, POST, a chunked POST, HEAD, 404.
const pythonScript = `
import http.client, sys
c = http.client.HTTPConnection(sys.argv[1], timeout=10)
def req(method, path, body=None, headers={}, chunked=False):
    c.request(method, path, body=body, headers=headers, encode_chunked=chunked)
    r = c.getresponse()
    return r.status, r.read()
assert req("GET", "/plaintext") == (200, b"Hello, World!")
assert req("GET", "/json") == (200, b'{"message":"Hello, World!"}')
assert req("POST", "/echo", b"x" * 100000) == (200, b"x" * 100000)
assert req("POST", "/echo", iter([b"ab", b"cd", b"ef"]), {"Transfer-Encoding": "chunked"}, True) == (200, b"abcdef")
assert req("HEAD", "/plaintext") == (200, b"")
assert req("GET", "/bytes/5000") == (200, b"x" * 5000)
assert req("GET", "/nothing")[0] == 404
print("ok")
`

// python drives Python's http.client (the system's python3).
func python(t *testing.T, _ Target, addr string) {
	bin := "/usr/bin/python3"
	if _, err := os.Stat(bin); err != nil {
		if bin, err = exec.LookPath("python3"); err != nil {
			t.Skip("no python3")
		}
	}
	out, err := exec.Command(bin, "-c", pythonScript, addr).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, "ok\n", string(out))
}
