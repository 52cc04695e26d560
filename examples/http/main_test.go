package main

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRun serves every mode's routes, then stops on SIGINT with a nil
// error (exit 0).
func TestRun(t *testing.T) {
	for _, mode := range []string{"loop", "std", "nethttp"} {
		t.Run(mode, func(t *testing.T) {
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- run([]string{"-addr", "127.0.0.1:0", "-loops", "2", "-mode", mode}, pw)
				pw.Close()
			}()
			line, err := bufio.NewReader(pr).ReadString('\n')
			require.NoError(t, err)
			addr := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
			tr := &http.Transport{}
			c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			for path, want := range map[string]string{
				"/plaintext": "Hello, World!",
				"/json":      `{"message":"Hello, World!"}`,
				"/bytes/7":   "xxxxxxx",
			} {
				resp, err := c.Get("http://" + addr + path)
				require.NoError(t, err)
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				assert.Equal(t, want, string(b), path)
			}
			resp, err := c.Post("http://"+addr+"/echo", "text/plain", strings.NewReader("echo me"))
			require.NoError(t, err)
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			assert.Equal(t, "echo me", string(b))
			tr.CloseIdleConnections()
			require.NoError(t, syscall.Kill(syscall.Getpid(), syscall.SIGINT))
			select {
			case err := <-done:
				assert.NoError(t, err)
			case <-time.After(15 * time.Second):
				t.Fatal("no exit after SIGINT")
			}
		})
	}
}
