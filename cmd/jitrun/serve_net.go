//go:build !cgo || netgo

package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/jitrun/jitrun/serve"
)

// cmdServe is `jitrun serve`.
func cmdServe(e *env, cl *commandLine, f *serveFlags) error {
	if err := f.check(cl); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return inputError("--addr %q: %v: write HOST:PORT (127.0.0.1:8642, 0.0.0.0:8642, 127.0.0.1:0)", f.addr, err)
	}
	token := f.token
	if token != "" {
		if err := serve.CheckToken(token); err != nil {
			return inputError("--token: %v", err)
		}
	}
	if token == "" && !serve.IsLoopback(host) {
		if token, err = serve.NewToken(); err != nil {
			return systemError("%v", err)
		}
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return systemError("--addr %s: %v", f.addr, err)
	}
	defer ln.Close()
	s, err := serve.New(serve.Config{Addr: ln.Addr().String(), Token: token})
	if err != nil {
		return systemError("%v", err)
	}
	fmt.Fprintf(e.stdout, "jitrun serve: open %s (Ctrl-C stops)\n", s.URL())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := s.Serve(ctx, ln); err != nil {
		return systemError("serving: %v", err)
	}
	fmt.Fprintf(e.stdout, "jitrun serve: stopped\n")
	return nil
}
