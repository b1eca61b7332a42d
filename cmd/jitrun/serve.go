package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/jitrun/jitrun/serve"
)

// serveFlags are the flags of `jitrun serve`.
type serveFlags struct {
	addr  string
	token string
}

const serveUsage = "[--addr HOST:PORT] [--token TOKEN]"

const serveHelp = "Serve opens a web page on which you write x86-64 code, run it, trace it, benchmark it and\n" +
	"list it: jitrun in a browser, offline (the page is in this binary and fetches nothing\n" +
	"else). It prints the URL to open and runs until Ctrl-C or SIGTERM, which also kill the\n" +
	"runs in progress. Every run happens in a child process under a strict policy: no files,\n" +
	"no sockets, no new processes, limits on CPU time, memory and output (see docs/serve.md).\n" +
	"The page's JSON API (POST /api/run, /api/bench, /api/asm, /api/disasm, GET /api/examples)\n" +
	"serves scripts too.\n\n" +
	"By default it listens on " + serve.DefaultAddr + " only, and refuses requests that name another host\n" +
	"(DNS rebinding) and posts from other sites. --addr on an address other than loopback\n" +
	"(0.0.0.0:8642, a LAN address) requires an access token: --token, or a random one, printed\n" +
	"in the URL (?token=…); every request must then carry it. Port 0 picks a free port."

// register adds the flags of serve to fset.
func (f *serveFlags) register(fset *flag.FlagSet) {
	fset.StringVar(&f.addr, "addr", serve.DefaultAddr, "listen on `HOST:PORT` (port 0: a free one); a host other than loopback needs a token")
	fset.StringVar(&f.token, "token", "", "access `TOKEN` every request must carry (default: none on loopback, a random one elsewhere)")
}

// cmdServe is `jitrun serve`.
func cmdServe(e *env, cl *commandLine, f *serveFlags) error {
	if len(cl.pos) > 0 {
		return inputError("serve takes no arguments, got %q (see 'jitrun serve -h')", cl.pos[0])
	}
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return inputError("--addr %q: %v: write HOST:PORT (127.0.0.1:8642, 0.0.0.0:8642, 127.0.0.1:0)", f.addr, err)
	}
	token := f.token
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
