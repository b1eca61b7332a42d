package memview

import (
	"os"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/internal/platform"
)

// memory is what a view read: len(data) bytes from addr, the bytes of the
// bad spans zero.
type memory struct {
	addr uint64
	data []byte
	bad  []badSpan
}

// badSpan is a run of bytes, [off, end) of memory.data, that could not be
// read, and why.
type badSpan struct {
	off, end int
	why      string
}

// readMemory reads n bytes at addr through ctx.Read, one page at a time,
// so that a page that cannot be read does not hide the ones after it.
// Bytes past the top of the address space count as not mapped.
func readMemory(ctx Context, addr uint64, n int) memory {
	m := memory{addr: addr, data: make([]byte, n)}
	read, why := ctx.Read, func(uint64) string { return "unreadable" }
	if read == nil {
		read = func(a uint64, buf []byte) int { return platform.ReadMemory(uintptr(a), buf) }
		var regions *regionLookup // read at the first unreadable byte, once
		why = func(a uint64) string {
			if regions == nil {
				regions = newRegionLookup()
			}
			return regions.why(a)
		}
	}
	ps := uint64(os.Getpagesize())
	for off := 0; off < n; {
		a := addr + uint64(off)
		if a < addr { // past the top of the address space
			m.addBad(off, n, "not mapped")
			break
		}
		chunk := int(min(ps-a%ps, uint64(n-off))) // to the end of a's page
		if got := max(0, min(read(a, m.data[off:off+chunk]), chunk)); got < chunk {
			m.addBad(off+got, off+chunk, why(a+uint64(got)))
		}
		off += chunk
	}
	return m
}

// addBad records [off, end) as unreadable, joining it to the span before
// when they touch and agree.
func (m *memory) addBad(off, end int, why string) {
	if k := len(m.bad); k > 0 && m.bad[k-1].end == off && m.bad[k-1].why == why {
		m.bad[k-1].end = end
		return
	}
	m.bad = append(m.bad, badSpan{off, end, why})
}

// badIn reports whether any byte of [off, end) could not be read, and why
// the first one could not.
func (m *memory) badIn(off, end int) (string, bool) {
	for _, b := range m.bad {
		if b.off < end && off < b.end {
			return b.why, true
		}
	}
	return "", false
}

// cutAfterNUL keeps the bytes up to the first NUL (which it keeps), or up
// to the end of the first run that could not be read, whichever comes
// first.
func (m *memory) cutAfterNUL() {
	for i := range m.data {
		if _, bad := m.badIn(i, i+1); bad {
			for _, b := range m.bad {
				if b.off <= i && i < b.end {
					m.data = m.data[:b.end]
					m.bad = []badSpan{b}
					return
				}
			}
		}
		if m.data[i] == 0 {
			m.data, m.bad = m.data[:i+1], nil
			return
		}
	}
}

// regionLookup says why an address could not be read, from
// /proc/self/maps read once.
type regionLookup struct {
	regions []execmem.Region
	err     error
}

func newRegionLookup() *regionLookup {
	l := &regionLookup{}
	l.regions, l.err = execmem.Maps()
	return l
}

// why is "not mapped" for an address outside every mapping, "not readable
// (---p)" for one whose protection forbids reading, "unreadable" when the
// mappings are unknown.
func (l *regionLookup) why(addr uint64) string {
	if l.err != nil {
		return "unreadable"
	}
	reg, ok := execmem.FindRegion(l.regions, uintptr(addr))
	if !ok {
		return "not mapped"
	}
	shared := "p"
	if reg.Shared {
		shared = "s"
	}
	return "not readable (" + reg.Prot.String() + shared + ")"
}
