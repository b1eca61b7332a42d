package main

import (
	"flag"
	"strconv"
	"strings"
)

// jitrun serve is in serve_net.go, which links package serve (net/http),
// in a jitrun built without cgo; with cgo, serve_cgo.go refuses it. With
// cgo on, the net package links the C library, and a jitrun linked with
// it makes system calls (thread creation, the dynamic loader's at every
// exec) from libc's text: the system-call guard of run and bench, which
// allows only calls from jitrun's own text, would refuse them, and every
// child jitrun starts under the guard (bench's clock probe, probe's)
// would die. So the jitrun that serves is a static one:
// CGO_ENABLED=0 go build ./cmd/jitrun, or -tags netgo.

// defaultServeAddr is serve.DefaultAddr (serve_net_test.go checks it),
// repeated here so that a jitrun built with cgo, which does not link
// package serve, shows the same help.
const defaultServeAddr = "127.0.0.1:8642"

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
	"By default it listens on " + defaultServeAddr + " only, and refuses requests that name another host\n" +
	"(DNS rebinding) and posts from other sites. --addr on an address other than loopback\n" +
	"(0.0.0.0:8642, a LAN address) requires an access token: --token, or a random one, printed\n" +
	"in the URL (?token=…); every request must then carry it. Port 0 picks a free port.\n\n" +
	"It needs a jitrun built without cgo (CGO_ENABLED=0 go build ./cmd/jitrun, or -tags netgo):\n" +
	"with cgo, net/http would link the C library, whose system calls run's guard refuses."

// register adds the flags of serve to fset.
func (f *serveFlags) register(fset *flag.FlagSet) {
	fset.StringVar(&f.addr, "addr", defaultServeAddr, "listen on `HOST:PORT` (port 0: a free one); a host other than loopback needs a token")
	fset.StringVar(&f.token, "token", "", "access `TOKEN` every request must carry (default: none on loopback, a random one elsewhere)")
}

// check refuses arguments and an --addr that is not HOST:PORT, in every
// build.
func (f *serveFlags) check(cl *commandLine) error {
	if len(cl.pos) > 0 {
		return inputError("serve takes no arguments, got %q (see 'jitrun serve -h')", cl.pos[0])
	}
	i := strings.LastIndexByte(f.addr, ':')
	if i < 0 {
		return inputError("--addr %q has no port: write HOST:PORT (127.0.0.1:8642, 0.0.0.0:8642, 127.0.0.1:0)", f.addr)
	}
	if port, err := strconv.ParseUint(f.addr[i+1:], 10, 16); err != nil {
		return inputError("--addr %q: port %q is not a number from 0 to 65535", f.addr, f.addr[i+1:])
	} else if port == 0 && f.addr[i+1:] != "0" {
		return inputError("--addr %q: write port 0 as 0", f.addr)
	}
	return nil
}
