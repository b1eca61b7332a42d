package memview

import (
	"encoding/binary"
	"encoding/json"
	"github.com/jitrun/jitrun/execmem"
	"math"
	"strconv"
	"testing"

	"github.com/jitrun/jitrun/trampoline"
)

// fakeMemory is readable memory at base; everything else is unreadable.
type fakeMemory struct {
	base uint64
	data []byte
}

func (m fakeMemory) read(addr uint64, buf []byte) int {
	if addr < m.base || addr >= m.base+uint64(len(m.data)) {
		return 0
	}
	return copy(buf, m.data[addr-m.base:])
}

// testMemory is 0x100 bytes at 0x7000: quadwords 1..8 at 0x7000
// (counter, 8 bytes, then table, 56 bytes), "hello\0world\0" at 0x7040
// (msg), the floats 1.5 and -2 (float64) at 0x7050, 0.25 (float32) at
// 0x7060, bytes 0x00..0x0f at 0x7080 and "abcd" in the last 4 bytes.
func testContext() Context {
	mem := make([]byte, 0x100)
	for i := range 8 {
		binary.LittleEndian.PutUint64(mem[8*i:], uint64(i+1))
	}
	binary.LittleEndian.PutUint64(mem[8:], uint64(0xfffffffffffffffe)) // -2
	copy(mem[0x40:], "hello\x00world\x00")
	binary.LittleEndian.PutUint64(mem[0x50:], math.Float64bits(1.5))
	binary.LittleEndian.PutUint64(mem[0x58:], math.Float64bits(-2))
	binary.LittleEndian.PutUint32(mem[0x60:], math.Float32bits(0.25))
	for i := range 16 {
		mem[0x80+i] = byte(i)
	}
	copy(mem[0xfc:], "abcd")
	regs := &trampoline.Regs{}
	regs.GPR[trampoline.RSP] = 0x7000
	regs.GPR[trampoline.RDI] = 0x7040
	regs.GPR[trampoline.RSI] = 0x70f8 // 8 bytes before the end
	regs.RIP = 0x7080
	fm := fakeMemory{base: 0x7000, data: mem}
	return Context{
		Regs: regs,
		Symbols: []Symbol{
			{Name: "counter", Addr: 0x7000, Size: 8},
			{Name: "table", Addr: 0x7008, Size: 56},
			{Name: "msg", Addr: 0x7040, Size: 12},
			{Name: "floats", Addr: 0x7050, Size: 16},
			{Name: "f32", Addr: 0x7060, Size: 4},
			{Name: "main", Addr: 0x7080, Size: 0},
		},
		Read: fm.read,
	}
}

func TestRender(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"rsp:64/gx", `rsp:64/gx  (rsp = 0x7000; 64 bytes: 8 × 8-byte hex)
  0x7000 <counter>:  0x0000000000000001  0xfffffffffffffffe
  0x7010 <table+0x8>:  0x0000000000000003  0x0000000000000004
  0x7020 <table+0x18>:  0x0000000000000005  0x0000000000000006
  0x7030 <table+0x28>:  0x0000000000000007  0x0000000000000008
`},
		// LEN without a unit: the largest unit that divides it.
		{"table:12/d", `table:12/d  (table = 0x7008; 12 bytes: 3 × 4-byte signed)
  0x7008 <table>:  -2  -1   3
`},
		{"table:6", `table:6  (table = 0x7008; 6 bytes: 3 × 2-byte hex)
  0x7008 <table>:  0xfffe  0xffff  0xffff
`},
		{"floats:12/f", `floats:12/f  (floats = 0x7050; 12 bytes: 3 × 4-byte float)
  0x7050 <floats>:       0  1.9375       0
`},
		{"counter/d", `counter/d  (counter = 0x7000; 8 bytes: 1 × 8-byte signed)
  0x7000 <counter>:  1
`},
		{"table:16/d", `table:16/d  (table = 0x7008; 16 bytes: 2 × 8-byte signed)
  0x7008 <table>:  -2   3
`},
		{"table:16/u", `table:16/u  (table = 0x7008; 16 bytes: 2 × 8-byte unsigned)
  0x7008 <table>:  18446744073709551614                     3
`},
		{"table:8/wd", `table:8/wd  (table = 0x7008; 8 bytes: 2 × 4-byte signed)
  0x7008 <table>:  -2  -1
`},
		{"table:8/hx", `table:8/hx  (table = 0x7008; 8 bytes: 4 × 2-byte hex)
  0x7008 <table>:  0xfffe  0xffff  0xffff  0xffff
`},
		{"rdi:16/b", `rdi:16/b  (rdi = 0x7040; 16 bytes: 16 × 1-byte hex)
  0x7040 <msg>:  0x68  0x65  0x6c  0x6c  0x6f  0x00  0x77  0x6f
  0x7048 <msg+0x8>:  0x72  0x6c  0x64  0x00  0x00  0x00  0x00  0x00
`},
		{"msg/s", `msg/s  (msg = 0x7040; 12 bytes as strings)
  0x7040 <msg>:  "hello"
  0x7046 <msg+0x6>:  "world"
`},
		{"rdi/s", `rdi/s  (rdi = 0x7040; 6 bytes as strings)
  0x7040 <msg>:  "hello"
`},
		{"rdi:3/s", `rdi:3/s  (rdi = 0x7040; 3 bytes as strings)
  0x7040 <msg>:  "hel"…
`},
		{"DI:6/c", `DI:6/c  (DI = 0x7040; 6 bytes: 6 × 1-byte char)
  0x7040 <msg>:  104 'h'  101 'e'  108 'l'  108 'l'  111 'o'    0 '\x00'
`},
		{"floats/f", `floats/f  (floats = 0x7050; 16 bytes: 2 × 8-byte float)
  0x7050 <floats>:  1.5   -2
`},
		{"f32/f", `f32/f  (f32 = 0x7060; 4 bytes: 1 × 4-byte float)
  0x7060 <f32>:  0.25
`},
		{"PC:4/xb", `PC:4/xb  (PC = 0x7080; 4 bytes: 4 × 1-byte hex)
  0x7080 <main>:  0x00  0x01  0x02  0x03
`},
		{"rsp+0x80:2/h", `rsp+0x80:2/h  (rsp = 0x7000; 2 bytes: 1 × 2-byte hex)
  0x7080 <main>:  0x0100
`},
		// Past the end of what can be read: the bytes that can be are
		// shown, then what cannot, in one row.
		{"rsi:32/gx", `rsi:32/gx  (rsi = 0x70f8; 32 bytes: 4 × 8-byte hex)
  0x70f8:  0x6463626100000000
  0x7100:  unreadable, 24 bytes
`},
		{"0x10:8", `0x10:8  (at 0x10; 8 bytes: 1 × 8-byte hex)
  0x10:  unreadable, 8 bytes
`},
		// A string that runs into unreadable memory.
		{"0x70fc/s", `0x70fc/s  (at 0x70fc; 256 bytes as strings)
  0x70fc:  "abcd"…
  0x7100:  unreadable, 252 bytes
`},
		{"0x70f6:6/s", `0x70f6:6/s  (at 0x70f6; 6 bytes as strings)
  0x70f6:  ""
  0x70f7:  ""
  0x70f8:  ""
  0x70f9:  ""
  0x70fa:  ""
  0x70fb:  ""
`},
		{"0x70fd:8/c", `0x70fd:8/c  (at 0x70fd; 8 bytes: 8 × 1-byte char)
  0x70fd:   98 'b'   99 'c'  100 'd'
  0x7100:  unreadable, 5 bytes
`},
	}
	ctx := testContext()
	for _, tt := range tests {
		v, err := Parse(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		s, err := v.Render(ctx)
		if err != nil {
			t.Fatalf("%s: %v", tt.spec, err)
		}
		if got := s.Text(); got != tt.want {
			t.Errorf("%s:\ngot:\n%swant:\n%s", tt.spec, got, tt.want)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	ctx := testContext()
	tests := []struct {
		spec string
		ctx  Context
		want string
	}{
		{"cnt/d", ctx, `unknown symbol cnt; symbols: counter, table, msg, floats, f32, main`},
		{"cnt", Context{}, `unknown symbol cnt: the code has no symbols; view a register (rsp, rdi, SP, DI) or an address (0x1000)`},
		{"rsp:8", Context{Symbols: ctx.Symbols}, `no registers here to read rsp from`},
	}
	for _, tt := range tests {
		v, err := Parse(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Render(tt.ctx); err == nil || err.Error() != tt.want {
			t.Errorf("Render(%q) error = %v; want %s", tt.spec, err, tt.want)
		}
		if v.Kind == KindSymbol {
			if err := v.Check(tt.ctx.Symbols); err == nil || err.Error() != tt.want {
				t.Errorf("Check(%q) error = %v; want %s", tt.spec, err, tt.want)
			}
		}
	}
	v, _ := Parse("counter")
	if err := v.Check(ctx.Symbols); err != nil {
		t.Errorf("Check(counter): %v", err)
	}
}

// TestRenderProcessMemory reads this process's memory: a read+write page
// followed by a PROT_NONE one, and addresses nothing is ever mapped at
// (below mmap_min_addr, and past the top of user space).
func TestRenderProcessMemory(t *testing.T) {
	ps := execmem.PageSize()
	m, err := execmem.Map(2*ps, execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.ProtectRange(ps, ps, execmem.ProtNone); err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint64(m.Bytes()[ps-8:], 0x1122334455667788)
	a := uint64(m.Addr()) + uint64(ps) - 8
	for _, tt := range []struct {
		spec string
		want Shown
	}{
		{"rdi:24/gx", Shown{Spec: "rdi:24/gx", What: "register rdi = " + hex(a), Addr: hex(a), Len: 24, Unit: 8, Format: "x", Rows: []Row{
			{Addr: hex(a), Values: []string{"0x1122334455667788"}},
			{Addr: hex(a + 8), Unreadable: "not readable (---p)", Bytes: 16},
		}}},
		{"0x8:16", Shown{Spec: "0x8:16", What: "address", Addr: "0x8", Len: 16, Unit: 8, Format: "x", Rows: []Row{
			{Addr: "0x8", Unreadable: "not mapped", Bytes: 16},
		}}},
		{"0xfffffffffffffff8:16/w", Shown{Spec: "0xfffffffffffffff8:16/w", What: "address", Addr: "0xfffffffffffffff8", Len: 16, Unit: 4, Format: "x", Rows: []Row{
			{Addr: "0xfffffffffffffff8", Unreadable: "not mapped", Bytes: 16},
		}}},
	} {
		v, err := Parse(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		regs := &trampoline.Regs{}
		regs.GPR[trampoline.RDI] = a
		s, err := v.Render(Context{Regs: regs})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(s)
		want, _ := json.Marshal(tt.want)
		if string(got) != string(want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}

func hex(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

func TestShownJSON(t *testing.T) {
	v, _ := Parse("rsi:16/gx")
	s, err := v.Render(testContext())
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"spec":"rsi:16/gx","what":"register rsi = 0x70f8","addr":"0x70f8","len":16,"unit":8,"format":"x","rows":[{"addr":"0x70f8","values":["0x6463626100000000"]},{"addr":"0x7100","unreadable":"unreadable","bytes":8}]}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// BenchmarkRender renders rsp:64/gx over this process's memory (all of it
// readable): what a view costs at each breakpoint.
func BenchmarkRender(b *testing.B) {
	m, err := execmem.Map(execmem.PageSize(), execmem.MapOptions{Prot: execmem.ProtRW})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	regs := &trampoline.Regs{}
	regs.GPR[trampoline.RSP] = uint64(m.Addr())
	v, err := Parse("rsp:64/gx")
	if err != nil {
		b.Fatal(err)
	}
	ctx := Context{Regs: regs}
	for b.Loop() {
		if _, err := v.Render(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
