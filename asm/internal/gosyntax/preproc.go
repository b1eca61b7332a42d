package gosyntax

// The Go-syntax preprocessor, as in `go tool asm`: #define (object-like and
// function-like, continued over lines with a backslash), #undef, #ifdef,
// #ifndef, #else, #endif and #include of the two headers Go assembly files
// use (textflag.h, whose names are also known without it, and funcdata.h).
// Its output is statements: token runs split at newlines and semicolons,
// with macros expanded.

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/jitrun/jitrun/asm/internal/ir"
)

// macro is a #define. params is nil for an object-like macro.
type macro struct {
	name   string
	params []string
	body   []token
	pos    ir.Pos
}

// Limits that keep hostile input from exhausting memory or time.
const (
	maxMacroDepth     = 100
	maxExpansionToken = 1 << 16
)

// builtinHeaders are the headers #include may name. Their macros are read
// from this text with the same preprocessor; the values are those of
// $GOROOT/src/runtime/textflag.h and funcdata.h.
var builtinHeaders = map[string]string{
	"textflag.h": `
#define NOPROF 1
#define DUPOK 2
#define NOSPLIT 4
#define RODATA 8
#define NOPTR 16
#define WRAPPER 32
#define NEEDCTXT 64
#define TLSBSS 256
#define NOFRAME 512
#define REFLECTMETHOD 1024
#define TOPFRAME 2048
#define ABIWRAPPER 4096
`,
	"funcdata.h": `
#define PCDATA_UnsafePoint 0
#define PCDATA_StackMapIndex 1
#define PCDATA_InlTreeIndex 2
#define PCDATA_ArgLiveIndex 3
#define FUNCDATA_ArgsPointerMaps 0
#define FUNCDATA_LocalsPointerMaps 1
#define FUNCDATA_StackObjects 2
#define FUNCDATA_InlTree 3
#define FUNCDATA_OpenCodedDeferInfo 4
#define FUNCDATA_ArgInfo 5
#define FUNCDATA_ArgLiveInfo 6
#define FUNCDATA_WrapInfo 7
#define GO_ARGS FUNCDATA $FUNCDATA_ArgsPointerMaps, go_args_stackmap(SB)
#define GO_RESULTS_INITIALIZED PCDATA $PCDATA_StackMapIndex, $1
#define NO_LOCAL_POINTERS FUNCDATA $FUNCDATA_LocalsPointerMaps, no_pointers_stackmap(SB)
#define ArgsSizeUnknown 0x80000000
`,
}

var (
	headerOnce   sync.Once
	headerMacros map[string][]*macro
)

// headers returns the macros of each built-in header, parsed once.
func headers() map[string][]*macro {
	headerOnce.Do(func() {
		headerMacros = make(map[string][]*macro)
		for name, text := range builtinHeaders {
			var errs ir.Errors
			pp := newPreproc(name, []byte(text), &errs, false, func(stmtToks) {})
			pp.run()
			for _, m := range pp.macros {
				if m != nil {
					headerMacros[name] = append(headerMacros[name], m)
				}
			}
		}
	})
	return headerMacros
}

// stmtToks is one statement's tokens, after macro expansion. orig is the
// source line as written when the statement is the whole line (so that its
// text shows NOSPLIT rather than 4), nil otherwise.
type stmtToks struct {
	toks []token
	orig []token
}

type ifState struct {
	enabled bool // this branch is being assembled
	parent  bool // the enclosing region is being assembled
	sawElse bool
	pos     ir.Pos
}

type preproc struct {
	file string
	lx   *lexer
	line []token // the current logical line, reused
	errs *ir.Errors
	// lexErrs are the errors the lexer reports on the current line: kept
	// when the line is read whole, dropped when its window is too narrow.
	lexErrs ir.Errors
	emit    func(stmtToks)
	// macros are the macros the source defined (made on its first
	// #define or #undef), a nil one where it undefined a built-in one;
	// builtin are textflag.h's, shared by every preprocessor and only
	// read (nil when they are not known).
	macros  map[string]*macro
	builtin map[string]*macro
	ifs     []ifState
	// budget limits the tokens one line's expansion may produce;
	// stopped says why an expansion stopped ("" while it has not).
	budget  int
	stopped string
	// maybeMacro[c&63] has bit n set when a macro named with first byte c
	// and length n (or any length ≥ 63) may exist: most identifiers skip
	// the maps. (Letters of either case have different c&63.)
	maybeMacro macroBits
	// lineBad is set when the lexer reported an error on the current line:
	// its statements are not parsed, to avoid a cascade of errors.
	lineBad bool
	// plain, when set, reads the lines from the lexer's position on, in
	// an enabled region, while they are plain (the parser's plainLines),
	// and reports whether it read any; the line it stops at is lexed.
	plain func() bool
}

// newPreproc returns a preprocessor that hands each statement of src to
// emit, which must be done with its tokens when it returns.
func newPreproc(file string, src []byte, errs *ir.Errors, withTextflag bool, emit func(stmtToks)) *preproc {
	pp := &preproc{file: file, errs: errs, emit: emit}
	if withTextflag {
		tf := textflag()
		pp.builtin, pp.maybeMacro = tf.macros, tf.bits
	}
	pp.lx = &lexer{file: file, raw: src, line: 1, errs: &pp.lexErrs, minWindow: minWindow}
	return pp
}

// nextLine lexes the next logical line: its tokens, then the newline or EOF
// that ends it. A directive line ending in a backslash continues on the
// next line (the newline stays in, as a statement separator).
func (pp *preproc) nextLine() []token {
	lx := pp.lx
	if lx.pos == len(lx.src) && lx.cut() {
		lx.window(0, 0)
	}
	line, bol, pos := lx.line, lx.bol, lx.pos
	for {
		pp.lexErrs = ir.Errors{}
		buf := pp.lexLine()
		if buf[len(buf)-1].kind != tokEOF || !lx.cut() {
			pp.line = buf
			pp.lineBad = pp.lexErrs.Len() > 0
			pp.errs.AddAll(&pp.lexErrs)
			return buf
		}
		// The line runs past the window: read it again from one twice as
		// wide from its start.
		lx.line, lx.bol, lx.pos = line, bol, pos
		read := len(lx.src) - pos
		lx.window(read, 2*read)
		line, bol, pos = lx.line, lx.bol, lx.pos
	}
}

// lexLine lexes the rest of a logical line in the window.
func (pp *preproc) lexLine() []token {
	buf := pp.line[:0]
	for {
		buf = slices.Grow(buf, 1)[:len(buf)+1] // scan sets every field
		t := &buf[len(buf)-1]
		pp.lx.scan(t)
		if t.kind == tokEOF {
			break
		}
		if t.kind == tokNewline {
			if len(buf) >= 2 && buf[0].is("#") && buf[len(buf)-2].is("\\") {
				continue
			}
			break
		}
	}
	pp.line = buf
	return buf
}

func (pp *preproc) posOf(t token) ir.Pos {
	return ir.Pos{File: pp.file, Line: int(t.line), Col: int(t.col)}
}

func (pp *preproc) errorf(t token, format string, args ...any) {
	pp.errs.Add(pp.posOf(t), format, args...)
}

func (pp *preproc) enabled() bool {
	return len(pp.ifs) == 0 || pp.ifs[len(pp.ifs)-1].enabled
}

// run preprocesses the whole source, handing each statement to pp.emit.
func (pp *preproc) run() {
	for !pp.errs.Full() {
		if pp.plain != nil && pp.enabled() && pp.plain() {
			continue
		}
		toks := pp.nextLine()
		j := len(toks) - 1 // the newline or EOF
		if toks[0].is("#") {
			pp.directive(toks, 0)
		} else if pp.enabled() && j > 0 {
			bad := pp.lineBad
			for k := 0; k < j; k++ {
				if toks[k].is("#") {
					pp.errorf(toks[k], "'#' must be first item on line")
					bad = true
				}
			}
			if !bad {
				pp.statements(toks[:j])
			}
		}
		if toks[j].kind == tokEOF {
			break
		}
	}
	if n := len(pp.ifs); n > 0 {
		pp.errs.Add(pp.ifs[n-1].pos, "unclosed #ifdef or #ifndef")
	}
}

// statements expands macros in a line and splits it into statements.
func (pp *preproc) statements(line []token) {
	expanded := line
	for _, t := range line {
		if t.kind == tokIdent && pp.isMacro(t.text) {
			pp.budget, pp.stopped = maxExpansionToken, ""
			before := pp.errs.Len()
			expanded = pp.expand(line, 0, nil)
			if pp.errs.Len() > before || pp.stopped != "" {
				return // a broken expansion would only add confusing errors
			}
			break
		}
	}
	// Split at semicolons and at the newlines of multi-line macros.
	var first stmtToks
	count := 0
	start := 0
	for k := 0; k <= len(expanded); k++ {
		if k == len(expanded) || expanded[k].kind == tokSemi || expanded[k].kind == tokNewline {
			if k > start {
				st := stmtToks{toks: expanded[start:k:k]}
				if count == 0 {
					first = st // held back: it may be the only one
				} else {
					if count == 1 {
						pp.emit(first)
					}
					pp.emit(st)
				}
				count++
			}
			start = k + 1
		}
	}
	if count == 1 {
		if len(expanded) != len(line) || &expanded[0] != &line[0] {
			// One statement from the whole line: show the line as written.
			orig := line
			for len(orig) > 0 && orig[len(orig)-1].kind == tokSemi {
				orig = orig[:len(orig)-1]
			}
			first.orig = orig
		}
		pp.emit(first)
	}
}

// expand appends toks to out with every macro invocation replaced by its
// expansion, rescanned for further macros. An expansion that fails (too
// deep, too large, bad arguments) stops the whole line: pp.stopped says
// why, and the outermost invocation reports it, once, at its use.
func (pp *preproc) expand(toks []token, depth int, out []token) []token {
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		m := (*macro)(nil)
		if t.kind == tokIdent && pp.isMacro(t.text) {
			m = pp.macro(t.text)
		}
		if m == nil {
			out = append(out, t)
			continue
		}
		if depth >= maxMacroDepth {
			pp.stopped = fmt.Sprintf("recursive macro invocation: %s (macros nest at most %d deep)", t.text, maxMacroDepth)
			return out
		}
		body := m.body
		if m.params != nil {
			if i+1 >= len(toks) || !toks[i+1].is("(") {
				// A function-like macro without arguments is just its name.
				out = append(out, t)
				continue
			}
			args, next, ok := pp.macroArgs(m, toks, i+2, t)
			if !ok {
				pp.stopped = stoppedReported
				return out
			}
			i = next
			body = substitute(m, args)
		}
		pp.budget -= len(body)
		if pp.budget < 0 {
			pp.stopped = stoppedTooLarge
		} else {
			// Expanded tokens report the position of the invocation.
			moved := make([]token, len(body))
			for k, b := range body {
				b.line, b.col, b.off, b.end = t.line, t.col, -1, -1
				moved[k] = b
			}
			out = pp.expand(moved, depth+1, out)
		}
		if pp.stopped != "" {
			if depth == 0 {
				pp.reportStop(t)
			}
			return out
		}
	}
	return out
}

// Why an expansion stopped, besides a recursion (whose message is the
// value of preproc.stopped).
const (
	stoppedTooLarge = "too large"
	stoppedReported = "reported" // by macroArgs, at the invocation
)

// reportStop reports why the expansion of the macro used at t stopped.
func (pp *preproc) reportStop(t token) {
	switch pp.stopped {
	case stoppedReported:
	case stoppedTooLarge:
		pp.errorf(t, "macro expansion of %s is too large: one line may expand to at most %d tokens", t.text, maxExpansionToken)
	default:
		pp.errorf(t, "%s", pp.stopped)
	}
}

// substitute returns the body of function-like macro m with its
// parameters replaced by args.
func substitute(m *macro, args [][]token) []token {
	body := make([]token, 0, len(m.body))
	for _, b := range m.body {
		if b.kind == tokIdent {
			if k := indexOf(m.params, b.text); k >= 0 {
				body = append(body, args[k]...)
				continue
			}
		}
		body = append(body, b)
	}
	return body
}

// macroBits is the type of preproc.maybeMacro.
type macroBits [64]uint64

// add notes a macro's name.
func (b *macroBits) add(name string) { b[name[0]&63] |= 1 << min(len(name), 63) }

// mayHave reports whether a macro may be named with first byte c and
// length n.
func (b *macroBits) mayHave(c byte, n int) bool { return b[c&63]&(1<<min(n, 63)) != 0 }

// builtinMacros are textflag.h's macros, which every source knows, and
// the bits of their names.
type builtinMacros struct {
	macros map[string]*macro
	bits   macroBits
}

var (
	textflagOnce   sync.Once
	textflagMacros builtinMacros
)

// textflag returns textflag.h's macros, made once and only read.
func textflag() *builtinMacros {
	textflagOnce.Do(func() {
		textflagMacros.macros = make(map[string]*macro)
		for _, m := range headers()["textflag.h"] {
			textflagMacros.macros[m.name] = m
			textflagMacros.bits.add(m.name)
		}
	})
	return &textflagMacros
}

// defineMacro records m.
func (pp *preproc) defineMacro(m *macro) {
	if pp.macros == nil {
		pp.macros = make(map[string]*macro)
	}
	pp.macros[m.name] = m
	pp.maybeMacro.add(m.name)
}

// undefine forgets the macro named name, if there is one.
func (pp *preproc) undefine(name string) {
	switch {
	case pp.builtin[name] != nil:
		if pp.macros == nil {
			pp.macros = make(map[string]*macro)
		}
		pp.macros[name] = nil // hides the built-in one
	case pp.macros != nil:
		delete(pp.macros, name)
	}
}

// macro returns the macro named name, nil for none.
func (pp *preproc) macro(name string) *macro {
	if m, ok := pp.macros[name]; ok {
		return m
	}
	return pp.builtin[name]
}

// isMacro reports whether name is a defined macro.
func (pp *preproc) isMacro(name string) bool {
	return pp.maybeMacro.mayHave(name[0], len(name)) && pp.macro(name) != nil
}

// isMacroBytes is isMacro for a name in the source's bytes.
func (pp *preproc) isMacroBytes(name []byte) bool {
	if !pp.maybeMacro.mayHave(name[0], len(name)) {
		return false
	}
	if m, ok := pp.macros[string(name)]; ok {
		return m != nil
	}
	return pp.builtin[string(name)] != nil
}

// isMacroReg is isMacroBytes for the name of a register. No built-in
// macro names a register (TestNoBuiltinRegister): until the source
// defines or undefines one (and pp.macros is made), none is a macro.
func (pp *preproc) isMacroReg(name []byte) bool {
	return pp.macros != nil && pp.isMacroBytes(name)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// macroArgs collects the arguments of a function-like macro invocation
// starting at toks[i] (after the opening parenthesis). It returns the index
// of the closing parenthesis.
func (pp *preproc) macroArgs(m *macro, toks []token, i int, at token) ([][]token, int, bool) {
	var args [][]token
	var cur []token
	depth := 0
	for ; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.kind == tokNewline || t.kind == tokEOF:
			i = len(toks)
		case depth == 0 && (t.is(")") || t.is(",")):
			args = append(args, cur)
			cur = nil
			if t.is(")") {
				if len(m.params) == 0 && len(args) == 1 && len(args[0]) == 0 {
					args = nil
				}
				if len(args) != len(m.params) {
					pp.errorf(at, "macro %s takes %d arguments, got %d", m.name, len(m.params), len(args))
					return nil, 0, false
				}
				return args, i, true
			}
			continue
		case t.is("("):
			depth++
		case t.is(")"):
			depth--
		}
		if i < len(toks) {
			cur = append(cur, t)
		}
	}
	pp.errorf(at, "unterminated argument list invoking macro %s", m.name)
	return nil, 0, false
}

// directive handles the line starting at toks[i] ('#') and returns the index
// of the newline or EOF that ends it (or ends the last continued line).
func (pp *preproc) directive(toks []token, i int) int {
	hash := toks[i]
	end := i + 1
	for toks[end].kind != tokNewline && toks[end].kind != tokEOF {
		end++
	}
	if i+1 >= end || toks[i+1].kind != tokIdent {
		if pp.enabled() {
			pp.errorf(hash, "expected a directive after '#'")
		}
		return end
	}
	word := toks[i+1]
	args := toks[i+2 : end]
	if !pp.enabled() {
		switch word.text {
		case "ifdef", "ifndef":
			pp.ifs = append(pp.ifs, ifState{enabled: false, parent: false, pos: pp.posOf(hash)})
		case "else":
			pp.elseDirective(hash, args)
		case "endif":
			pp.endifDirective(hash, args)
		case "define":
			return pp.skipContinued(toks, end)
		}
		return end
	}
	switch word.text {
	case "define":
		return pp.define(toks, i+2, hash)
	case "undef":
		if len(args) != 1 || args[0].kind != tokIdent {
			pp.errorf(hash, "#undef needs one macro name")
			break
		}
		pp.undefine(args[0].text)
	case "ifdef", "ifndef":
		if len(args) != 1 || args[0].kind != tokIdent {
			pp.errorf(hash, "#%s needs one macro name", word.text)
			break
		}
		defined := pp.macro(args[0].text) != nil
		pp.ifs = append(pp.ifs, ifState{enabled: defined == (word.text == "ifdef"), parent: true, pos: pp.posOf(hash)})
	case "else":
		pp.elseDirective(hash, args)
	case "endif":
		pp.endifDirective(hash, args)
	case "include":
		pp.include(hash, args)
	case "line":
		pp.errorf(hash, "#line is not supported")
	default:
		pp.errorf(word, "unknown directive #%s", word.text)
	}
	return end
}

func (pp *preproc) elseDirective(hash token, args []token) {
	n := len(pp.ifs)
	switch {
	case len(args) > 0:
		pp.errorf(hash, "unexpected text after #else")
	case n == 0:
		pp.errorf(hash, "#else without #ifdef or #ifndef")
	case pp.ifs[n-1].sawElse:
		pp.errorf(hash, "second #else for the same #ifdef")
	default:
		s := &pp.ifs[n-1]
		s.sawElse = true
		s.enabled = s.parent && !s.enabled
	}
}

func (pp *preproc) endifDirective(hash token, args []token) {
	switch {
	case len(args) > 0:
		pp.errorf(hash, "unexpected text after #endif")
	case len(pp.ifs) == 0:
		pp.errorf(hash, "#endif without #ifdef or #ifndef")
	default:
		pp.ifs = pp.ifs[:len(pp.ifs)-1]
	}
}

// skipContinued returns the end of a #define that continues over lines.
func (pp *preproc) skipContinued(toks []token, end int) int {
	for end > 0 && toks[end-1].is("\\") && toks[end].kind == tokNewline {
		end++
		for toks[end].kind != tokNewline && toks[end].kind != tokEOF {
			end++
		}
	}
	return end
}

// define parses "#define NAME[(params)] body" starting at toks[i] (NAME).
func (pp *preproc) define(toks []token, i int, hash token) int {
	name := toks[i]
	if name.kind != tokIdent {
		pp.errorf(hash, "#define needs a macro name")
		return pp.skipContinued(toks, lineEnd(toks, i))
	}
	m := &macro{name: name.text, pos: pp.posOf(name)}
	i++
	// NAME( with no space is a function-like macro; NAME (x) is not.
	if toks[i].is("(") && toks[i].off == name.end {
		m.params = []string{}
		i++
		for {
			t := toks[i]
			if t.is(")") {
				i++
				break
			}
			if t.kind != tokIdent {
				pp.errorf(t, "bad parameter list in definition of macro %s", m.name)
				return pp.skipContinued(toks, lineEnd(toks, i))
			}
			if indexOf(m.params, t.text) >= 0 {
				pp.errorf(t, "duplicate parameter %s in definition of macro %s", t.text, m.name)
			}
			m.params = append(m.params, t.text)
			i++
			if toks[i].is(",") {
				i++
			} else if !toks[i].is(")") {
				pp.errorf(toks[i], "bad parameter list in definition of macro %s", m.name)
				return pp.skipContinued(toks, lineEnd(toks, i))
			}
		}
	}
	// The body runs to the end of the line; a backslash before the newline
	// continues it, and the newline then separates statements.
	for {
		t := toks[i]
		if t.kind == tokEOF || t.kind == tokNewline {
			break
		}
		if t.is("\\") {
			if toks[i+1].kind == tokNewline {
				m.body = append(m.body, toks[i+1])
				i += 2
				continue
			}
			pp.errorf(t, "a backslash in a #define must end the line")
			i++
			continue
		}
		m.body = append(m.body, t)
		i++
	}
	if old := pp.macro(m.name); old != nil && !sameBody(old, m) {
		pp.errorf(name, "macro %s redefined (first defined at %s); #undef it first", m.name, old.pos)
	}
	pp.defineMacro(m)
	return i
}

func lineEnd(toks []token, i int) int {
	for toks[i].kind != tokNewline && toks[i].kind != tokEOF {
		i++
	}
	return i
}

func sameBody(a, b *macro) bool {
	if len(a.body) != len(b.body) || len(a.params) != len(b.params) || (a.params == nil) != (b.params == nil) {
		return false
	}
	for i := range a.body {
		if a.body[i].kind != b.body[i].kind || a.body[i].text != b.body[i].text {
			return false
		}
	}
	for i := range a.params {
		if a.params[i] != b.params[i] {
			return false
		}
	}
	return true
}

// include handles #include "file": the built-in headers only.
func (pp *preproc) include(hash token, args []token) {
	if len(args) != 1 || args[0].kind != tokString {
		pp.errorf(hash, `#include needs a quoted file name: #include "textflag.h"`)
		return
	}
	name, err := strconv.Unquote(args[0].text)
	if err != nil {
		pp.errorf(args[0], "bad file name %s", args[0].text)
		return
	}
	base := name[strings.LastIndexByte(name, '/')+1:]
	ms, ok := headers()[base]
	if !ok {
		if base == "go_asm.h" {
			pp.errorf(args[0], "cannot include go_asm.h: the Go compiler generates it for a package; #define the constants you need instead")
		} else {
			pp.errorf(args[0], "cannot include %q: jitrun reads no files; only textflag.h and funcdata.h are built in", name)
		}
		return
	}
	for _, m := range ms {
		if old := pp.macro(m.name); old != nil && old != m && !sameBody(old, m) {
			pp.errorf(args[0], "%s redefines macro %s (defined at %s)", base, m.name, old.pos)
			continue
		}
		pp.defineMacro(m)
	}
}
