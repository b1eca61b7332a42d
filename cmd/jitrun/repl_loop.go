package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/jitrun/jitrun/asm"
	"github.com/jitrun/jitrun/internal/lanes"
	"github.com/jitrun/jitrun/repl"
)

// replLoop runs the lines of a REPL session and prints what each did.
type replLoop struct {
	e   *env
	s   *repl.Session
	out io.Writer
	// running, when set, brackets each run of code (the terminal leaves
	// raw mode for it, so that Ctrl-C raises SIGINT).
	running func(start bool)
}

// handle runs one line of input; it reports whether the session ends.
func (l *replLoop) handle(text string) (quit bool) {
	line, err := repl.Parse(text)
	if err != nil {
		l.errorLine(err)
		return false
	}
	if line.Command == "" {
		l.runCode(func(ctx context.Context) (*repl.Outcome, error) { return l.s.Feed(ctx, line.Code) })
		return false
	}
	if l.s.BlockOpen() && line.Command != "quit" && line.Command != "help" {
		l.errorLine(errors.New("a block is open: end it with an empty line first"))
		return false
	}
	switch line.Command {
	case "quit":
		if len(line.Args) > 0 {
			l.errorLine(errors.New(".quit takes no arguments"))
			return false
		}
		l.end() // an open block runs, as at Ctrl-D and the end of the input
		return true
	case "help":
		l.write(replCommandHelp)
	case "regs":
		l.cmdRegs(line.Args)
	case "show":
		l.cmdShow(line.Args)
	case "set":
		if len(line.Args) != 2 {
			l.errorLine(errors.New("usage: .set REG VALUE (.set rax 42, .set xmm0 0x3ff0000000000000)"))
			return false
		}
		out, err := l.s.Set(line.Args[0], line.Args[1])
		if err != nil {
			l.errorLine(err)
			return false
		}
		l.write(l.formatOutcome(out))
	case "undo":
		if len(line.Args) > 0 {
			l.errorLine(errors.New(".undo takes no arguments"))
			return false
		}
		before := *l.s.Regs()
		e, err := l.s.Undo()
		if err != nil {
			l.errorLine(err)
			return false
		}
		var b strings.Builder
		fmt.Fprintf(&b, "undone: %s\n", oneLine(e.Text))
		l.writeChanges(&b, repl.Changes(&before, l.s.Regs()))
		l.write(b.String())
	case "reset":
		if len(line.Args) > 0 {
			l.errorLine(errors.New(".reset takes no arguments"))
			return false
		}
		if err := l.s.Reset(); err != nil {
			l.errorLine(err)
			return false
		}
		l.write("reset: every register, the stack and the scratch area are as they started; nothing to undo\n")
	case "syntax":
		l.cmdSyntax(line.Args)
	case "load":
		l.cmdLoad(line.Args)
	case "save":
		l.cmdSave(line.Args)
	case "history":
		l.cmdHistory(line.Args)
	}
	return false
}

// replCommandHelp is what .help prints.
const replCommandHelp = `Type an instruction to run it; the registers it changed are printed (old -> new).
A label alone (loop:) or a jump to a label not yet defined opens a block: an empty
line ends it and runs it. rdi starts at the scratch area (4096 bytes); the stack
is 32 KiB, its top stack+0x8000. Commands:
  .regs [--lanes VIEW]   every register (VIEW: hex, i8 … i64, u8 … u64, f32, f64)
  .show WHAT[:LEN][/FMT] memory, as gdb's x: .show rsp:32/gx, .show scratch:16/b
  .set REG VALUE         give rax–r15, rflags or xmm0–xmm15 a value
  .undo                  take the last line back
  .reset                 start again: registers, stack and scratch area as at the start
  .syntax intel|go       the syntax of the lines that follow
  .load FILE             call a file's code (it ends with RET) on the current state
  .save FILE             write what was typed as a file jitrun run runs (-: show it)
  .history               the lines typed that ran, or did not
  .help                  this
  .quit                  end (as Ctrl-D, or the end of the input)
`

// runCode runs code (a line, a block, a .load) with the session's
// timeout, Ctrl-C interrupting it, and prints the outcome.
func (l *replLoop) runCode(do func(ctx context.Context) (*repl.Outcome, error)) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
			cancel()
		case <-done:
		}
	}()
	if l.running != nil {
		l.running(true)
	}
	out, err := do(ctx)
	if l.running != nil {
		l.running(false)
	}
	close(done)
	signal.Stop(sig)
	if err != nil {
		l.errorLine(err)
		return
	}
	l.write(l.formatOutcome(out))
}

func (l *replLoop) cmdRegs(args []string) {
	view := regView{}
	switch {
	case len(args) == 0:
	case len(args) == 2 && (args[0] == "--lanes" || args[0] == "-lanes"):
		v, err := lanes.ParseView(args[1])
		if err != nil {
			l.errorLine(fmt.Errorf(".regs --lanes: %v", err))
			return
		}
		view = regView{view: v, set: true}
	default:
		l.errorLine(errors.New("usage: .regs [--lanes VIEW]"))
		return
	}
	l.write(l.formatRegs(l.s.Regs(), view))
}

func (l *replLoop) cmdShow(args []string) {
	if len(args) != 1 {
		l.errorLine(errors.New("usage: .show WHAT[:LEN][/FMT] (.show rsp:32/gx, .show scratch:16/b, .show rdi/s)"))
		return
	}
	shown, err := l.s.Show(args[0])
	if err != nil {
		l.errorLine(fmt.Errorf(".show %s: %v", args[0], err))
		return
	}
	l.write(l.symbolic(shown.Text()))
}

func (l *replLoop) cmdSyntax(args []string) {
	if len(args) == 0 {
		l.write(fmt.Sprintf("syntax: %s\n", l.s.Syntax()))
		return
	}
	syn, err := asm.ParseSyntax(args[0])
	if err != nil || len(args) > 1 || syn != asm.SyntaxGo && syn != asm.SyntaxIntel {
		l.errorLine(errors.New("usage: .syntax intel|go"))
		return
	}
	if err := l.s.SetSyntax(syn); err != nil {
		l.errorLine(err)
		return
	}
	l.write(fmt.Sprintf("syntax: %s\n", syn))
}

func (l *replLoop) cmdLoad(args []string) {
	if len(args) != 1 {
		l.errorLine(errors.New("usage: .load FILE"))
		return
	}
	if args[0] == "-" {
		l.errorLine(errors.New(".load -: standard input is the REPL's own; name a file"))
		return
	}
	src, err := input{path: args[0], what: "source", limit: repl.MaxLoadSize}.read(l.e)
	if err == nil && len(src) == 0 {
		err = fmt.Errorf("%s: empty input: no instructions", args[0])
	}
	if err != nil {
		l.errorLine(fmt.Errorf(".load: %v", err))
		return
	}
	l.runCode(func(ctx context.Context) (*repl.Outcome, error) { return l.s.Load(ctx, args[0], src) })
}

func (l *replLoop) cmdSave(args []string) {
	if len(args) != 1 {
		l.errorLine(errors.New("usage: .save FILE"))
		return
	}
	src, err := l.s.Source(l.s.Syntax())
	if err == nil && args[0] == "-" {
		l.write(string(src)) // .save - shows the file
		return
	}
	if err == nil {
		err = os.WriteFile(args[0], src, 0o644)
	}
	if err != nil {
		l.errorLine(fmt.Errorf(".save: %v", err))
		return
	}
	l.write(fmt.Sprintf("saved %s to %s (%s syntax): jitrun run %s runs it\n", entriesText(len(l.s.Entries())), args[0], l.s.Syntax(), args[0]))
}

func (l *replLoop) cmdHistory(args []string) {
	if len(args) > 0 {
		l.errorLine(errors.New(".history takes no arguments"))
		return
	}
	var b strings.Builder
	entries := l.s.Entries()
	if len(entries) == 0 {
		b.WriteString("nothing typed yet (since the start, or the last .reset)\n")
	}
	width := len(fmt.Sprint(len(entries)))
	for i, e := range entries {
		lines := strings.Split(e.Text, "\n")
		note := ""
		switch {
		case e.Failed != "":
			note = "   (did not run: " + e.Failed + ")"
		case e.Breakpoint:
			note = "   (stopped at its INT3)"
		}
		if e.Syntax != l.s.Syntax() && e.Kind == repl.CodeEntry {
			note += "   (" + e.Syntax.String() + " syntax)"
		}
		for j, t := range lines {
			n := fmt.Sprintf("%*d", width, i+1)
			if j > 0 {
				n = strings.Repeat(" ", width)
			}
			if j == len(lines)-1 {
				t += note
			}
			fmt.Fprintf(&b, "%s  %s\n", n, t)
		}
	}
	l.write(b.String())
}

// maxErrorsShown is how many of an assembler's errors errorLine shows.
const maxErrorsShown = 3

// errorLine prints an error in one line: of an assembler's errors, the
// first maxErrorsShown and how many more there are.
func (l *replLoop) errorLine(err error) {
	var list asm.ErrorList
	msg := err.Error()
	if errors.As(err, &list) {
		var parts []string
		for _, e := range list[:min(len(list), maxErrorsShown)] {
			parts = append(parts, e.Error())
		}
		switch more := len(list) - maxErrorsShown; {
		case more > 0 && len(list) == asm.MaxErrors:
			parts = append(parts, "and more")
		case more > 0:
			parts = append(parts, fmt.Sprintf("and %d more", more))
		}
		msg = strings.Join(parts, "; ")
	}
	l.write("error: " + oneLine(msg) + "\n")
}

func (l *replLoop) write(s string) {
	io.WriteString(l.out, s)
}

// oneLine joins the lines of s with " ; ".
func oneLine(s string) string {
	return strings.Join(strings.Split(strings.TrimRight(s, "\n"), "\n"), " ; ")
}
