package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/gouv/gouv/examples/http/routes"
	"github.com/gouv/gouv/uv/uvhttp"
)

// -mode nethttp: the net/http handlers of -mode std (routes.Std), served
// by uvhttp's HTTPHandler on -loops loops.
func init() { modes["nethttp"] = runNetHTTP }

func runNetHTTP(addr string, loops int, stdout io.Writer, sig <-chan os.Signal) error {
	s := &uvhttp.Server{Addr: addr, Loops: loops, HTTPHandler: routes.Std()}
	bound, err := s.Start()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "listening on %s\n", bound)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		return err
	}
	if err := s.Wait(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
