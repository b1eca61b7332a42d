package inteltab

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// goLine is one instruction line of the Go assembler's encoder tests: a
// Go-syntax instruction and the bytes `go tool asm` must produce for it.
type goLine struct {
	file   string
	line   int
	op     string // mnemonic without suffix
	suffix string // "BCST.Z", "RN_SAE", … or ""
	args   []goArg
	code   []byte
	text   string // the line as written, comment removed
	// alts are the other encodings the test accepts ("a or b"): the test
	// does not say which one golang-asm emits.
	alts [][]byte
}

func (l *goLine) String() string { return fmt.Sprintf("%s:%d", filepath.Base(l.file), l.line) }

// goArgKind classifies a Go-syntax operand.
type goArgKind uint8

const (
	goReg goArgKind = iota + 1
	goImm
	goMem
)

// goArg is one Go-syntax operand of a test line.
type goArg struct {
	kind  goArgKind
	reg   string // goReg: the register name (AX, R11B, X3, K1, …)
	imm   int64  // goImm
	base  string // goMem: base register or ""
	index string // goMem: index register or ""
	scale int64
	disp  int64
}

// testFiles returns the encoder test files of the Go toolchain at goroot.
func testFiles(goroot string) ([]string, error) {
	dir := filepath.Join(goroot, "src", "cmd", "asm", "internal", "asm", "testdata")
	files := []string{filepath.Join(dir, "amd64enc.s"), filepath.Join(dir, "amd64enc_extra.s")}
	more, err := filepath.Glob(filepath.Join(dir, "avx512enc", "*.s"))
	if err != nil {
		return nil, err
	}
	sort.Strings(more)
	files = append(files, more...)
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			return nil, fmt.Errorf("the Go assembler's encoder tests are missing: %v", err)
		}
	}
	return files, nil
}

// readGoLines reads every instruction line that carries its expected
// encoding. Lines with operands this generator does not model (register
// lists, symbols, branch targets) are skipped.
func readGoLines(path string) ([]*goLine, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*goLine
	for i, text := range strings.Split(string(data), "\n") {
		code, rest, ok := strings.Cut(text, "//")
		if !ok {
			continue
		}
		code = strings.TrimSpace(code)
		note := strings.TrimSpace(rest)
		if j := strings.LastIndex(note, "//"); j >= 0 {
			note = strings.TrimSpace(note[j+2:])
		}
		if code == "" || strings.HasSuffix(code, ":") || strings.HasPrefix(code, "TEXT") || strings.HasPrefix(code, "#") {
			continue
		}
		var alts [][]byte
		for _, h := range strings.Split(note, " or ") {
			b, err := hex.DecodeString(h)
			if err != nil || len(b) == 0 {
				alts = nil
				break
			}
			alts = append(alts, b)
		}
		if len(alts) == 0 {
			continue
		}
		l, ok := parseGoInst(code)
		if !ok {
			continue
		}
		l.file, l.line, l.code, l.alts, l.text = path, i+1, alts[0], alts[1:], code
		out = append(out, l)
	}
	return out, nil
}

// parseGoInst parses "OP.SUFFIX a, b, c".
func parseGoInst(s string) (*goLine, bool) {
	mn, rest, _ := strings.Cut(s, " ")
	l := &goLine{}
	l.op, l.suffix, _ = strings.Cut(mn, ".")
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return l, true
	}
	for _, a := range strings.Split(rest, ",") {
		arg, ok := parseGoArg(strings.TrimSpace(a))
		if !ok {
			return nil, false
		}
		l.args = append(l.args, arg)
	}
	return l, true
}

func parseGoArg(s string) (goArg, bool) {
	switch {
	case s == "":
		return goArg{}, false
	case s[0] == '$':
		v, err := strconv.ParseInt(s[1:], 0, 64)
		if err != nil {
			u, err := strconv.ParseUint(s[1:], 0, 64)
			if err != nil {
				return goArg{}, false
			}
			v = int64(u)
		}
		return goArg{kind: goImm, imm: v}, true
	case strings.Contains(s, "("):
		a := goArg{kind: goMem}
		i := strings.Index(s, "(")
		if i > 0 {
			v, err := strconv.ParseInt(s[:i], 0, 64)
			if err != nil {
				return goArg{}, false
			}
			a.disp = v
		}
		rest := s[i:]
		var parts []string
		for rest != "" {
			if rest[0] != '(' {
				return goArg{}, false
			}
			j := strings.Index(rest, ")")
			if j < 0 {
				return goArg{}, false
			}
			parts = append(parts, rest[1:j])
			rest = rest[j+1:]
		}
		for _, p := range parts {
			if r, sc, ok := strings.Cut(p, "*"); ok {
				v, err := strconv.ParseInt(sc, 10, 64)
				if err != nil || a.index != "" {
					return goArg{}, false
				}
				a.index, a.scale = r, v
			} else {
				if a.base != "" || p == "SB" || p == "PC" || p == "FP" {
					return goArg{}, false
				}
				a.base = p
			}
		}
		return a, true
	case strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == "":
		return goArg{kind: goReg, reg: s}, true
	}
	return goArg{}, false
}
