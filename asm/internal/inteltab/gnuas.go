package inteltab

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ErrNoGNU is returned when GNU as is not installed.
var ErrNoGNU = errors.New("GNU as (binutils) is not installed")

// GNUResult is what GNU as made of one line: its bytes, or its error.
type GNUResult struct {
	Code []byte
	Err  string
}

var gnuError = regexp.MustCompile(`^[^:]*:(\d+): (?:Error|Fatal error): (.*)$`)

// AssembleGNU assembles each line (one Intel-syntax instruction, GNU
// spelling) with one run of `as --64` and returns the bytes of each.
// Lines GNU as rejects get their error message instead; the others are
// assembled again without them. Each line is preceded by a label, so its
// bytes are the distance to the next label in the object's symbol table.
func AssembleGNU(lines []string) ([]GNUResult, error) {
	return assembleGNU(lines, ".intel_syntax noprefix\n")
}

// AssembleGNUATT is AssembleGNU for lines in AT&T syntax.
func AssembleGNUATT(lines []string) ([]GNUResult, error) {
	return assembleGNU(lines, ".att_syntax\n")
}

func assembleGNU(lines []string, header string) ([]GNUResult, error) {
	asPath, err := exec.LookPath("as")
	if err != nil {
		return nil, ErrNoGNU
	}
	dir, err := os.MkdirTemp("", "jitrun-gnuas")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := make([]GNUResult, len(lines))
	live := make([]int, 0, len(lines))
	for i := range lines {
		if strings.ContainsAny(lines[i], "\n;#") {
			out[i].Err = "line contains a newline, ';' or '#'"
			continue
		}
		live = append(live, i)
	}
	sPath := filepath.Join(dir, "in.s")
	oPath := filepath.Join(dir, "in.o")
	for attempt := 0; attempt < 4 && len(live) > 0; attempt++ {
		src, srcLine := gnuSource(header, lines, live)
		if err := os.WriteFile(sPath, src, 0o644); err != nil {
			return nil, err
		}
		msg, runErr := exec.Command(asPath, "--64", "-o", oPath, sPath).CombinedOutput()
		if runErr == nil {
			return out, readMarked(oPath, out)
		}
		bad := gnuErrors(msg, srcLine, out)
		if len(bad) == 0 {
			return nil, fmt.Errorf("as failed: %v: %s", runErr, firstLines(string(msg), 5))
		}
		var keep []int
		for _, i := range live {
			if !bad[i] {
				keep = append(keep, i)
			}
		}
		live = keep
	}
	for _, i := range live {
		if out[i].Err == "" {
			out[i].Err = "GNU as kept failing"
		}
	}
	return out, nil
}

// gnuSource writes the lines live as one GNU as source, each after a
// label zz_N (N its index), and returns it with a map from its line
// numbers to the indexes.
func gnuSource(header string, lines []string, live []int) ([]byte, map[int]int) {
	var src bytes.Buffer
	src.WriteString(header + ".text\n")
	srcLine := map[int]int{} // source line number -> index in lines
	n := 3
	for _, i := range live {
		fmt.Fprintf(&src, "zz_%d:\n", i)
		n++
		src.WriteString(lines[i] + "\n")
		srcLine[n] = i
		n++
	}
	fmt.Fprintf(&src, "zz_end:\n")
	return src.Bytes(), srcLine
}

// gnuErrors gives each line GNU as reported its error and returns the set
// of them.
func gnuErrors(msg []byte, srcLine map[int]int, out []GNUResult) map[int]bool {
	bad := map[int]bool{}
	for _, l := range strings.Split(string(msg), "\n") {
		m := gnuError.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		ln, _ := strconv.Atoi(m[1])
		if i, ok := srcLine[ln]; ok && !bad[i] {
			bad[i] = true
			out[i].Err = m[2]
		}
	}
	return bad
}

// readMarked reads the object GNU as wrote and gives each line the bytes
// from its label to the next.
func readMarked(oPath string, out []GNUResult) error {
	f, err := elf.Open(oPath)
	if err != nil {
		return err
	}
	text := f.Section(".text")
	if text == nil {
		f.Close()
		return fmt.Errorf("as output has no .text")
	}
	data, err := text.Data()
	syms, serr := f.Symbols()
	f.Close()
	if err != nil || serr != nil {
		return fmt.Errorf("reading as output: %v %v", err, serr)
	}
	type at struct {
		i   int
		off uint64
	}
	var marks []at
	end := uint64(len(data))
	for _, s := range syms {
		name, ok := strings.CutPrefix(s.Name, "zz_")
		if !ok {
			continue
		}
		if name == "end" {
			end = s.Value
			continue
		}
		i, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		marks = append(marks, at{i, s.Value})
	}
	sort.Slice(marks, func(a, b int) bool {
		if marks[a].off != marks[b].off {
			return marks[a].off < marks[b].off
		}
		return marks[a].i < marks[b].i
	})
	for k, m := range marks {
		stop := end
		if k+1 < len(marks) {
			stop = marks[k+1].off
		}
		if stop > uint64(len(data)) || m.off > stop {
			return fmt.Errorf("as output: bad symbol layout")
		}
		out[m.i].Code = append([]byte(nil), data[m.off:stop]...)
	}
	return nil
}

func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, " / ")
}

var objdumpLine = regexp.MustCompile(`^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*(?:\t(.*))?$`)

// DecodeGNU disassembles each code (one instruction each) with GNU objdump
// in Intel syntax and returns its text, or "" for a code objdump does not
// read as exactly one instruction. It is the second opinion where x86asm
// is known to be wrong (SAE-only instructions, BMI).
func DecodeGNU(codes ...[]byte) ([]string, error) {
	return DecodeGNUWith([]string{"-M", "intel"}, codes...)
}

// DecodeGNUWith is DecodeGNU with other objdump options: none for AT&T
// syntax, "-M", "suffix" for AT&T with every size suffix written.
func DecodeGNUWith(opts []string, codes ...[]byte) ([]string, error) {
	path, err := exec.LookPath("objdump")
	if err != nil {
		return nil, errors.New("GNU objdump (binutils) is not installed")
	}
	dir, err := os.MkdirTemp("", "jitrun-objdump")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var blob []byte
	starts := map[int]int{}
	for i, c := range codes {
		starts[len(blob)] = i
		blob = append(blob, c...)
	}
	bin := filepath.Join(dir, "code.bin")
	if err := os.WriteFile(bin, blob, 0o644); err != nil {
		return nil, err
	}
	args := append([]string{"-D", "-b", "binary", "-m", "i386:x86-64"}, opts...)
	out, err := exec.Command(path, append(args, bin)...).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("objdump: %v: %s", err, firstLines(string(out), 3))
	}
	texts := make([]string, len(codes))
	lens := make([]int, len(codes))
	cur := -1
	for _, l := range strings.Split(string(out), "\n") {
		m := objdumpLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		off, _ := strconv.ParseInt(m[1], 16, 64)
		n := len(strings.Fields(m[2]))
		if m[3] != "" {
			i, ok := starts[int(off)]
			if !ok {
				cur = -1
				continue
			}
			cur = i
			texts[i] = strings.Join(strings.Fields(m[3]), " ")
		}
		if cur >= 0 {
			lens[cur] += n
		}
	}
	for i, c := range codes {
		if lens[i] != len(c) || strings.Contains(texts[i], "(bad)") {
			texts[i] = ""
		}
	}
	return texts, nil
}

// GNUVersion returns the first line of `as --version`.
func GNUVersion() (string, error) {
	path, err := exec.LookPath("as")
	if err != nil {
		return "", ErrNoGNU
	}
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line), nil
}
