package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/memarg"
	"github.com/jitrun/jitrun/trampoline"
)

// Memory arguments of run (package memarg): words of ARGS such as
// str:hello, buf:64, i64:1,2,3 or file:PATH become buffers mapped in the
// process that runs the code (the supervised child), each passed as a
// pointer in the next integer register; after the call the report shows
// what each holds.

// How much of each buffer the report shows: the text report cuts at
// memArgTextBytes, --json at memArgJSONBytes (which keeps the --json
// document, six buffers at most, far below the cap the parent puts on it).
const (
	memArgTextBytes = 256
	memArgJSONBytes = 16 << 10
)

// memArgs are the mapped memory arguments of a call.
type memArgs struct {
	set   *memarg.Set
	at    map[int]*memArg // by index in ARGS
	order []*memArg
}

// memArg is one memory argument: its buffer and the register it went in.
type memArg struct {
	buf *memarg.Buffer
	reg trampoline.Reg // set when the arguments are sorted into registers
}

// mapMemory parses the memory arguments among list and maps them: a
// malformed one, or buffers over the caps, is bad input (status 2).
func (c *callArgs) mapMemory(list []string) error {
	var specs []memarg.Spec
	var pos []int
	for i, a := range list {
		spec, isMem, err := memarg.Parse(a)
		if !isMem {
			continue
		}
		if err != nil {
			return inputError("argument %d (%s): %s", i+1, a, strings.TrimPrefix(err.Error(), a+": "))
		}
		specs, pos = append(specs, spec), append(pos, i)
	}
	if len(specs) == 0 {
		return nil
	}
	set, err := memarg.Map(specs)
	var ie *memarg.InputError
	switch {
	case errors.As(err, &ie):
		return inputError("memory argument %v", err)
	case err != nil:
		return systemError("memory argument %v", err)
	}
	c.mem = &memArgs{set: set, at: map[int]*memArg{}}
	for k, b := range set.Buffers {
		m := &memArg{buf: b}
		c.mem.at[pos[k]], c.mem.order = m, append(c.mem.order, m)
	}
	return nil
}

// closeMemory unmaps the memory arguments.
func (c *callArgs) closeMemory() {
	if c.mem != nil {
		c.mem.set.Close()
		c.mem = nil
	}
}

// memPointer returns the pointer of the memory argument at index i of
// ARGS, if it is one, and records the register it goes in: the next
// integer register.
func (c *callArgs) memPointer(i int) (uint64, bool) {
	if c.mem == nil || c.mem.at[i] == nil {
		return 0, false
	}
	m := c.mem.at[i]
	if c.nInt < len(trampoline.IntArgRegs) {
		m.reg = trampoline.IntArgRegs[c.nInt]
	}
	return uint64(m.buf.Addr), true
}

// writeMemArgs prints what each memory argument holds after the call: its
// register, its spelling, its size and address, and its first
// memArgTextBytes bytes as a hex dump with their text, and whether the
// fault f (nil for none) hit the guard page after it.
func (r *report) writeMemArgs(b *strings.Builder, f *trampoline.Fault) {
	if r.mem == nil {
		return
	}
	b.WriteString("\nmemory arguments after the call:\n")
	for _, m := range r.mem.order {
		buf := m.buf
		fmt.Fprintf(b, "  %-3s %s  %s at %#x\n", m.reg, buf.Spec.Arg, plural(buf.Size, "byte"), buf.Addr)
		data, complete := buf.Contents(memArgTextBytes)
		writeHexDump(b, uint64(buf.Addr), data)
		if f != nil && f.Addr >= buf.Addr+uintptr(buf.Size) && f.Addr-(buf.Addr+uintptr(buf.Size)) < uintptr(execmem.PageSize()) {
			fmt.Fprintf(b, "    the fault's address %#x is in the guard page after it, %s past its end\n", f.Addr, plural(int(f.Addr-(buf.Addr+uintptr(buf.Size))), "byte"))
		}
		switch {
		case !complete:
			fmt.Fprintf(b, "    %#x: unreadable (the code unmapped or protected it)\n", uint64(buf.Addr)+uint64(len(data)))
		case buf.Size > len(data):
			fmt.Fprintf(b, "    … %s more not shown (--json has the first %s; --show views any part)\n", plural(buf.Size-len(data), "byte"), formatSize(memArgJSONBytes))
		}
	}
}

// writeHexDump prints data at addr as hexdump -C does: 16 bytes a row, in
// hex and as text (. for bytes that are not printable ASCII).
func writeHexDump(b *strings.Builder, addr uint64, data []byte) {
	for off := 0; off < len(data); off += 16 {
		row := data[off:min(off+16, len(data))]
		fmt.Fprintf(b, "    %#x ", addr+uint64(off))
		for i := range 16 {
			if i == 8 {
				b.WriteByte(' ')
			}
			if i < len(row) {
				fmt.Fprintf(b, " %02x", row[i])
			} else {
				b.WriteString("   ")
			}
		}
		b.WriteString("  |")
		for _, c := range row {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			b.WriteByte(c)
		}
		b.WriteString("|\n")
	}
}

// memArgJSON is a memory argument in run --json: its spelling, register,
// address and size, and its first memArgJSONBytes bytes after the call in
// hex; cut_bytes counts the bytes past them, unreadable says the code
// unmapped or protected part of it.
type memArgJSON struct {
	Arg        string `json:"arg"`
	Reg        string `json:"reg"`
	Addr       string `json:"addr"`
	Size       int    `json:"size"`
	Hex        string `json:"hex"`
	CutBytes   int    `json:"cut_bytes,omitempty"`
	Unreadable bool   `json:"unreadable,omitempty"`
}

// memArgsJSON is the memargs list of run --json.
func (r *report) memArgsJSON() []memArgJSON {
	if r.mem == nil {
		return nil
	}
	var list []memArgJSON
	for _, m := range r.mem.order {
		data, complete := m.buf.Contents(memArgJSONBytes)
		j := memArgJSON{Arg: m.buf.Spec.Arg, Reg: m.reg.String(), Addr: hexJSON(uint64(m.buf.Addr)), Size: m.buf.Size, Hex: hex.EncodeToString(data), Unreadable: !complete}
		if complete {
			j.CutBytes = m.buf.Size - len(data)
		}
		list = append(list, j)
	}
	return list
}
