package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/repl"
	"github.com/jitrun/jitrun/trampoline"
)

// jitrun repl: type an instruction, see what it did (package repl does
// the work; this file reads the flags and the input, repl_loop.go runs
// each line, repl_format.go prints, repl_term.go is the terminal,
// repl_history.go its history, repl_stdin.go keeps standard input the
// REPL's).

const replUsage = "[--syntax intel|go] [--timeout D] [--echo] [FILE]"

const replHelp = "Repl assembles each line typed and runs it against a machine that keeps its state\n" +
	"between lines — every register, a stack of its own and a scratch area whose address rdi\n" +
	"holds at the start — and prints the registers each line changed. A fault, a timeout or\n" +
	"Ctrl-C puts back the state from before the line. A label alone on a line (loop:) or a\n" +
	"jump to a label not yet defined opens a block, which an empty line ends and runs.\n" +
	"Commands start with a dot: .help lists them. In a terminal, lines are edited as in a\n" +
	"shell, with a history kept in $XDG_STATE_HOME/jitrun/repl_history (or\n" +
	"~/.local/state/jitrun/repl_history); from a pipe or FILE, the lines run without\n" +
	"prompts. Standard input is the REPL's: code that reads it gets end-of-file.\n" +
	"System calls that would end or derail jitrun (exit, execve, …) are refused as faults.\n" +
	"It ends with status 0 at .quit, Ctrl-D or the end of the input. See docs/repl.md."

// replFlags are repl's flags.
type replFlags struct {
	syntax  string
	timeout time.Duration
	echo    bool
}

func (f *replFlags) register(fset *flag.FlagSet) {
	fset.StringVar(&f.syntax, "syntax", "intel", "the `SYNTAX` lines are written in: intel or go (.syntax changes it)")
	fset.DurationVar(&f.timeout, "timeout", repl.DefaultTimeout, "stop a line that runs longer than `D` (it is undone, reported as a timeout)")
	fset.BoolVar(&f.echo, "echo", false, "from a pipe or FILE, print each line read after \"> \" (\"... \" in a block) before what it did: a transcript")
}

// cmdRepl is `jitrun repl`.
func cmdRepl(e *env, cl *commandLine, f *replFlags) error {
	if len(cl.pos) > 1 {
		return inputError("takes at most one FILE, got %d arguments", len(cl.pos))
	}
	syn, err := asm.ParseSyntax(f.syntax)
	if err != nil || syn != asm.SyntaxGo && syn != asm.SyntaxIntel {
		return inputError("--syntax %q: want intel or go", f.syntax)
	}
	if f.timeout < trampoline.MinTimeout || f.timeout > repl.MaxTimeout {
		return inputError("--timeout %v: want %v to %v", f.timeout, trampoline.MinTimeout, repl.MaxTimeout)
	}
	var script io.Reader
	if len(cl.pos) == 1 {
		data, err := input{path: cl.pos[0], what: "source", limit: maxSource}.read(e)
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(data)) == 0 {
			return inputError("%s: empty input: no instructions", cl.pos[0])
		}
		if i := bytes.IndexByte(data, 0); i >= 0 {
			return inputError("%s: a NUL byte at offset %d: FILE is lines of text (a binary file?)", cl.pos[0], i)
		}
		script = bytes.NewReader(data)
	}
	if e.guardSyscalls != nil {
		// As run's child: code cannot end, fork or replace jitrun.
		if err := e.guardSyscalls(trampoline.SyscallsGuard); err != nil {
			return systemError("install the system-call guard: %v", err)
		}
	}
	in, restoreStdin, err := takeStdin(e) // repl_stdin.go
	if err != nil {
		return systemError("%v", err)
	}
	defer restoreStdin()
	s, err := repl.New(repl.Options{Syntax: syn, Timeout: f.timeout})
	if err != nil {
		return systemError("%v", err)
	}
	defer s.Close()
	l := &replLoop{e: e, s: s}
	switch {
	case script != nil:
		l.out = e.stdout
		return l.readAll(script, f.echo)
	case in.terminal && isTerminal(e.stdout):
		return runTerminal(l, in) // repl_term.go
	}
	l.out = e.stdout
	if in.file != nil {
		fmt.Fprintln(e.stderr, "jitrun repl: standard input is the REPL's: code that reads it gets end-of-file")
	}
	return l.readAll(in.r, f.echo)
}

// readAll runs every line of r (a pipe, a file) until the end or .quit,
// printing each after "> " first when echo is set.
func (l *replLoop) readAll(r io.Reader, echo bool) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, tooLong, err := readLine(br)
		if errors.Is(err, io.EOF) && line == "" && !tooLong {
			return l.end()
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return systemError("read the input: %v", err)
		}
		if echo {
			prompt := "> "
			if l.s.BlockOpen() {
				prompt = "... "
			}
			fmt.Fprintf(l.out, "%s%s\n", prompt, line)
		}
		if tooLong {
			l.errorLine(fmt.Errorf("the line is longer than %d bytes: dropped", repl.MaxLineLen))
			continue
		}
		if l.handle(line) {
			return nil
		}
	}
}

// end runs an open block at the end of the input, at Ctrl-D and at
// .quit, as an empty line would.
func (l *replLoop) end() error {
	if l.s.BlockOpen() {
		l.handle("")
	}
	return nil
}

// readLine reads one line, without its ending; a line longer than
// repl.MaxLineLen is read to its end and reported as tooLong.
func readLine(br *bufio.Reader) (line string, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) <= repl.MaxLineLen+2 {
			buf = append(buf, chunk...)
		} else {
			tooLong = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if tooLong {
			return "", true, err
		}
		s := string(buf)
		s = trimEOL(s)
		return s, false, err
	}
}

func trimEOL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
