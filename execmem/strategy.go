package execmem

// Strategy is how code becomes executable.
type Strategy uint8

const (
	// StrategyFlip (the default) maps the pages read+write, copies the
	// code in, then flips them to read+exec with mprotect.
	StrategyFlip Strategy = iota
	// StrategyDualMap puts the code in a memfd seen through two mappings:
	// a read+write view for writing and a separate read+exec view for
	// running. No page is ever writable and executable, no mprotect is
	// needed, and it keeps working under memory-deny-write-execute. An
	// Arena with this strategy can write into freed space while other
	// code in the same chunk runs.
	StrategyDualMap
	// StrategyUnsafeRWX maps the pages writable and executable at once.
	// It exists for studying why that is dangerous (any write primitive
	// becomes code execution); nothing chooses it by default.
	StrategyUnsafeRWX
)

var strategyNames = [...]string{"flip", "dualmap", "unsafe-rwx"}

func (s Strategy) String() string {
	if int(s) < len(strategyNames) {
		return strategyNames[s]
	}
	return "Strategy(" + hex(uint64(s)) + ")"
}

// ParseStrategy parses the names String returns: "flip", "dualmap",
// "unsafe-rwx".
func ParseStrategy(name string) (Strategy, error) {
	for i, n := range strategyNames {
		if n == name {
			return Strategy(i), nil
		}
	}
	return 0, errorf("unknown strategy %q (want flip, dualmap or unsafe-rwx)", name)
}

func (s Strategy) valid() bool { return int(s) < len(strategyNames) }

// region is memory for code under one strategy: exec is where the code
// runs; write is where it is written (the same mapping for flip and
// unsafe-rwx, a second view of the same memfd for dualmap).
type region struct {
	strategy Strategy
	exec     *Mapping
	write    *Mapping // == exec unless dualmap
	sealed   bool     // flip: exec is read+exec now
	filled   int      // [0, filled) is filled with INT3 (whole pages); the rest is untouched
}

// newRegion maps size bytes (whole pages) for code, writable through
// r.write and filled with INT3 so that running into unused space traps.
// With lazy (StrategyFlip only: its pages become executable only when
// sealed) the INT3 fill is left to fill, page by page as code is placed,
// so that a large chunk holding one small function costs one page
// touched, not all of them.
func newRegion(size int, s Strategy, lazy bool) (*region, error) {
	switch s {
	case StrategyFlip:
		m, err := Map(size, MapOptions{Prot: ProtRW})
		if err != nil {
			return nil, err
		}
		r := &region{strategy: s, exec: m, write: m}
		if !lazy {
			r.fill(size)
		}
		return r, nil
	case StrategyUnsafeRWX:
		m, err := Map(size, MapOptions{Prot: ProtRWX, UnsafeAllowWriteExec: true})
		if err != nil {
			return nil, err
		}
		r := &region{strategy: s, exec: m, write: m, sealed: true}
		r.fill(size)
		return r, nil
	case StrategyDualMap:
		f, err := NewMemfd("jitrun-code", size)
		if err != nil {
			return nil, err
		}
		defer f.Close() // the mappings keep the memory file alive
		w, err := Map(size, MapOptions{Prot: ProtRW, Shared: true, File: f})
		if err != nil {
			return nil, err
		}
		x, err := Map(size, MapOptions{Prot: ProtRX, Shared: true, File: f})
		if err != nil {
			w.Close()
			return nil, err
		}
		r := &region{strategy: s, exec: x, write: w, sealed: true}
		r.fill(size)
		return r, nil
	}
	return nil, errorf("unknown strategy %d", s)
}

// seal makes [off, off+n) of a flip region executable; the other
// strategies are executable all along.
func (r *region) seal(off, n int) error {
	if r.strategy != StrategyFlip {
		return nil
	}
	return r.exec.ProtectRange(off, n, ProtRX)
}

// close unmaps both views.
func (r *region) close() error {
	err := r.exec.Close()
	if r.write != r.exec {
		if err2 := r.write.Close(); err == nil {
			err = err2
		}
	}
	return err
}

// fill makes sure [0, end) is filled with INT3, end rounded up to a
// page (and at most the region): the pages from filled to there are
// filled now. Code is copied in only after its pages are filled, and
// seal makes no page executable past the code it holds, so no byte that
// can run was left unfilled.
func (r *region) fill(end int) {
	size := r.write.Len()
	if end, _ = roundPage(end); end > size {
		end = size
	}
	if end > r.filled {
		fillINT3(r.write.Bytes()[r.filled:end])
		r.filled = end
	}
}

func fillINT3(b []byte) {
	for i := range b {
		b[i] = 0xCC
	}
}
