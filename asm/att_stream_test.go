package asm

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/asmtest"
)

// TestATTStream checks that an AT&T source assembled as it is read
// (Options.Assemble: the parser hands statements over as it reads them,
// holding those after an instruction that names a label not defined yet,
// and reuses their memory; the encoder places them at once and names the
// implicit function at the end) gives exactly the Program, or exactly the
// errors, of the same statements read whole first (Options.Parse, then
// encode). The sources are longer than the encoder's chunk, so that
// memory is reused before the branches, the lazy spellings of error
// messages and the labels defined late are used.
func TestATTStream(t *testing.T) {
	var body strings.Builder
	// long is 1,536 pairs of instructions, many times the encoder's chunk
	// (encodeChunk), and fixed: the positions in want below depend on it.
	for i := 0; i < 1536; i++ {
		fmt.Fprintf(&body, "addl $%d, %%eax\nmovq %d(%%rsp), %%rbx\n", i, 8*i)
	}
	long := body.String()
	// want is the implicit function's name, or every error.
	sources := map[string]struct{ src, want string }{
		"forward":        {"jmp far\n" + long + "far: ret\n", "main"},
		"backward":       {"top: nop\n" + long + "jne top\nret\n", "top"},
		"forward near":   {long + "jmp soon\nnop\nsoon: nop\n" + long + "ret\n", "main"},
		"local":          {"1: jmp 1f\n" + long + "1: jmp 1b\n" + long + "ret\n", "main"},
		"undefined":      {"jmp nowhere\n" + long + "call elsewhere\nret\n", "t.s:1:5: undefined label nowhere\nt.s:3074:6: undefined label elsewhere: there is no linker, so code can call only labels of its own source and the routines of jitrun's I/O library (jitrun help lib)"},
		"undefined late": {long + "jmp nowhere\n" + long + "ret\n", "t.s:3073:5: undefined label nowhere"},
		"spelling":       {long + ".set N, 300\npshufd $N, %xmm1, %xmm0\n" + long + "pshufd $301, %xmm1, %xmm0\nret\n", "t.s:3074:1: pshufd $N, %xmm1, %xmm0: immediate $N does not fit in 8 bits (-128..255)\nt.s:6147:1: pshufd $301, %xmm1, %xmm0: immediate $301 does not fit in 8 bits (-128..255)"},
		"main used":      {long + "main: ret\n.data\nmain1: .quad 1\n", "main2"},
		"named":          {"entry: " + long + "leaq table(%rip), %rax\nret\n.section .rodata\ntable: .long 1, 2\n", "entry"},
		"library":        {"leaq msg(%rip), %rdi\ncall print_str\n" + long + "ret\n.section .rodata\nmsg: .asciz \"hi\"\n", "main"},
		"data only":      {".data\nx: .quad 1\n", "x"},
		"empty":          {"", ""},
	}
	for _, name := range []string{"corpus.s", "corpus_suffix.s"} {
		data, err := os.ReadFile(filepath.Join("testdata", "att", name))
		if err != nil {
			t.Fatal(err)
		}
		sources[name] = struct{ src, want string }{string(data), "main"}
	}
	for name, tt := range sources {
		t.Run(name, func(t *testing.T) {
			src := tt.src
			streamed, streamErr := assembleBothWays(t, src)
			got := ""
			if list, ok := streamErr.(ErrorList); ok {
				var lines []string
				for _, e := range list {
					lines = append(lines, e.Error())
				}
				got = strings.Join(lines, "\n")
			} else if len(streamed.Symbols) > 0 {
				got = streamed.Symbols[0].Name
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzATTStream checks, for any source, that assembling it as it is read
// gives what assembling its statements read whole does (TestATTStream).
func FuzzATTStream(f *testing.F) {
	for _, src := range []string{
		"jmp far\nnop\nfar: ret",
		"1: jmp 1f\n1: jmp 1b\nret",
		"jmp nowhere\nnop\ncall elsewhere\nret",
		"nop\nmain: ret\n.data\nmain1: .quad 1",
		"f: leaq t(%rip), %rax\nret\n.section .rodata\nt: .long 1",
		".set N, 300\npshufd $N, %xmm1, %xmm0\nret",
		".set N,700\npshufd $N,0,%Xmm0\n0", // an encoder error, then a parse error
	} {
		f.Add(src)
	}
	defer asmtest.HookFatal()()
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 1<<16 {
			return
		}
		assembleBothWays(t, src)
	})
}

// assembleBothWays assembles an AT&T source as it is read and read whole
// (every statement the front end reads, then encode), fails t unless both
// give the same Program or the same errors, and returns the first. Read
// whole, as streamed, the statements the front end could read are
// encoded even when it reported errors, and the encoder's errors join
// its own: a line that does not encode before a line that does not parse
// gives both errors either way.
func assembleBothWays(t *testing.T, src string) (*Program, error) {
	t.Helper()
	opts := Options{Syntax: SyntaxATT}
	streamed, streamErr := opts.Assemble("t.s", []byte(src))
	var whole *Program
	var wholeErr error
	var stmts []Stmt
	errs := opts.read("t.s", []byte(src), func(n int, _, _ bool) { stmts = make([]Stmt, 0, n) }, func(st Stmt) bool {
		stmts = append(stmts, st)
		return false
	}, nil)
	if !errs.Full() {
		p, encErrs := encode("t.s", stmts)
		errs.AddAll(encErrs)
		whole = p
	}
	if errs.Len() > 0 {
		whole, wholeErr = nil, opts.errorList("t.s", []byte(src), errs)
	}
	if fmt.Sprint(streamErr) != fmt.Sprint(wholeErr) {
		t.Fatalf("%q: streamed: %v\nread whole: %v", src, streamErr, wholeErr)
	}
	if !reflect.DeepEqual(streamed, whole) {
		t.Fatalf("%q: streamed and read whole differ", src)
	}
	return streamed, streamErr
}
