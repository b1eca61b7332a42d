package x86enc

import (
	"bytes"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"github.com/jitrun/jitrun/asm/internal/gosyntax"
	"github.com/jitrun/jitrun/asm/internal/ir"
)

// TestEncodeMatchesAlone encodes every instruction of the corpora in
// chunks of 512, as the encoder does (golang-asm runs of runSize
// instructions; when one fails, each of its instructions alone), and
// requires for each the
// same bytes, references and error as encoding it in a Batch of its own.
func TestEncodeMatchesAlone(t *testing.T) {
	insts := corpusInsts(t)
	// Instructions golang-asm refuses only when it encodes them, among
	// ones it takes: their chunk is encoded one at a time.
	const refused = "TEXT f(SB), 0, $0\nADDQ $1, AX\nPSHUFD $300, X1, X0\nMOVQ sym(SB), AX\nVPSHUFD $256, Y1, Y2\nLEAQ 8(SP), BX\n"
	gosyntax.ParseFunc("refused.s", []byte(refused), func(s ir.Stmt) bool {
		if in, ok := s.(*ir.Inst); ok {
			insts["refused.s"] = append(insts["refused.s"], in)
		}
		return false
	}, nil)
	files := make([]string, 0, len(insts))
	for f := range insts {
		files = append(files, f)
	}
	sort.Strings(files)
	const chunk = 512
	compared, fallbacks := 0, 0
	for _, file := range files {
		list := insts[file]
		for start := 0; start < len(list); start += chunk {
			batch := NewBatch(chunk)
			var queued []*ir.Inst
			for _, in := range list[start:min(start+chunk, len(list))] {
				if plan, err := batch.Add(in); err == nil && plan.Queued {
					queued = append(queued, in)
				}
			}
			got := describeEncoded(batch.Encode())
			batch.Release()
			if len(got) != len(queued) {
				t.Fatalf("%s: Encode returned %d results for %d instructions", file, len(got), len(queued))
			}
			for i, in := range queued {
				alone := NewBatch(1)
				if _, err := alone.Add(in); err != nil {
					t.Fatalf("%s:%d: Add failed alone: %v", file, in.Pos.Line, err)
				}
				want := describeEncoded(alone.Encode())
				alone.Release()
				if got[i] != want[0] {
					t.Errorf("%s:%d: %s %v:\nin a chunk: %s\nalone:      %s", file, in.Pos.Line, in.Op, in.Args, got[i], want[0])
				}
				if bytes.Contains([]byte(want[0]), []byte("err ")) {
					fallbacks++
				}
				compared++
			}
		}
	}
	t.Logf("%d instructions compared, %d refused", compared, fallbacks)
	if compared < 10000 || fallbacks == 0 {
		t.Errorf("compared %d instructions, %d refused: want over 10000 and some refused (the one-at-a-time path)", compared, fallbacks)
	}
}

// describeEncoded spells each result: its bytes, references and error.
func describeEncoded(out []Encoded) []string {
	s := make([]string, len(out))
	for i, e := range out {
		if e.Err != nil {
			s[i] = fmt.Sprintf("err %v", e.Err)
			if e.Code != nil || e.Relocs != nil {
				s[i] += " (and bytes)"
			}
			continue
		}
		s[i] = fmt.Sprintf("% x %+v", e.Code, e.Relocs)
		if reflect.ValueOf(e.Code).IsNil() {
			s[i] += " (nil code without an error)"
		}
	}
	return s
}
