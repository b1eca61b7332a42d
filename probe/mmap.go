package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jitrun/jitrun/execmem"
)

// Access is one kind of touch: a read, a write or an instruction fetch.
type Access uint8

const (
	Read Access = iota + 1
	Write
	Exec
)

var accessNames = [...]string{Read: "read", Write: "write", Exec: "exec"}

func (a Access) String() string {
	if a >= Read && a <= Exec {
		return accessNames[a]
	}
	return fmt.Sprintf("Access(%d)", uint8(a))
}

// Touch is one access at an offset from the start of a mapping.
type Touch struct {
	Access Access
	Offset uint64
}

// String returns the touch as ParseTouches reads it: "read@0x10".
func (t Touch) String() string { return fmt.Sprintf("%s@%#x", t.Access, t.Offset) }

// maxTouchOffset keeps offsets inside the user half of the address space.
const maxTouchOffset = 1 << 47

// ParseTouches reads a comma-separated list of touches, each ACCESS or
// ACCESS@OFFSET: ACCESS is read, write or exec (or r, w, x), OFFSET an
// integer (0x10, 4096, 0o20, 0b1000; underscores allowed) from the start of
// the mapping, 0 when left out. "read,write@0x10,exec@0" is three touches.
// An empty string is no touches. Errors give the column of the bad item.
func ParseTouches(s string) ([]Touch, error) {
	var out []Touch
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	col := 1
	for _, item := range strings.Split(s, ",") {
		t, err := parseTouch(item)
		if err != nil {
			return nil, fmt.Errorf("touch list %q: column %d: %v", s, col, err)
		}
		out = append(out, t)
		col += len(item) + 1
	}
	return out, nil
}

func parseTouch(item string) (Touch, error) {
	item = strings.TrimSpace(item)
	if item == "" {
		return Touch{}, errors.New("empty item (want read, write or exec, optionally @OFFSET)")
	}
	name, off, hasOff := strings.Cut(item, "@")
	var t Touch
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "read", "r":
		t.Access = Read
	case "write", "w":
		t.Access = Write
	case "exec", "x", "execute":
		t.Access = Exec
	default:
		return Touch{}, fmt.Errorf("unknown access %q (want read, write or exec)", name)
	}
	if hasOff {
		off = strings.TrimSpace(off)
		v, err := strconv.ParseUint(off, 0, 64)
		if err != nil {
			return Touch{}, fmt.Errorf("offset %q is not a non-negative integer (write 0x10 or 16)", off)
		}
		if v >= maxTouchOffset {
			return Touch{}, fmt.Errorf("offset %#x is beyond any mapping (at most %#x)", v, uint64(maxTouchOffset-1))
		}
		t.Offset = v
	}
	return t, nil
}

// MmapRequest is one mmap made by hand, and the touches to make in it.
type MmapRequest struct {
	Size      int          // bytes, rounded up to whole pages by the kernel
	Prot      execmem.Prot // execmem.ParseProt reads it as people write it
	Addr      uintptr
	Placement execmem.Placement // PlaceAnywhere (Addr 0), PlaceHint, PlaceNoReplace, PlaceFixed
	File      string            // a file to map; "" for anonymous memory
	Offset    int64             // into File, page aligned
	Shared    bool              // MAP_SHARED; else MAP_PRIVATE
	Touches   []Touch
}

// TouchResult is what one touch did.
type TouchResult struct {
	Touch
	Addr    uintptr
	Outside bool // the offset lies past the end of the mapping
	Observation
}

// MmapResult is what Mmap saw.
type MmapResult struct {
	Request MmapRequest
	// Mmap is the outcome of the mmap call: Allowed (with where it
	// landed in Detail) or Refused with the errno; Failed when the process
	// making a MAP_FIXED request died before reporting.
	Mmap Observation
	Addr uintptr // where the mapping landed
	Len  int     // its length (whole pages)
	// Maps is the /proc/self/maps line holding Addr right after the mmap
	// (neighbouring mappings of the same kind may be merged into it).
	Maps string
	// Replaced lists, for MAP_FIXED, the /proc/self/maps lines the range
	// overlapped just before the request, in the process that made it.
	Replaced []string
	Touches  []TouchResult
	// Child is the child process that made a MAP_FIXED request.
	Child *ChildRun
}

// Moved reports whether a hint was not honoured.
func (m *MmapResult) Moved() bool {
	return m.Request.Placement == execmem.PlaceHint && m.Mmap.Outcome == Allowed && m.Addr != m.Request.Addr
}

// Mmap makes the request and the touches, and reports where the mapping
// landed, its /proc/self/maps line and what each touch did. A read touch
// reads a byte; a write touch writes back the byte already there (so a
// shared file keeps its contents; 0 if the read faulted); an exec touch
// calls the address and runs whatever bytes are there (fresh anonymous
// memory holds zeros: ADD [RAX], AL with RAX 0, a write fault at address 0
// once the fetch succeeded — the touch says so). The mapping is unmapped
// afterwards.
//
// A MAP_FIXED request (PlaceFixed) runs in a child process, since it may
// replace memory the program itself is using (its heap, its text); what
// it replaced is reported, and if the child died of it, how. That needs
// MaybeRunChild in main. Errors are for bad requests (a missing file, a
// size that is not positive, an unaligned address): what the kernel or the
// CPU did is in the result.
func Mmap(ctx context.Context, req MmapRequest) (*MmapResult, error) {
	if !supported {
		return nil, errUnsupported
	}
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	if req.Placement != execmem.PlaceFixed {
		runMu.Lock()
		defer runMu.Unlock()
		return mmapHere(req, nil)
	}
	if !hookCalled.Load() {
		return nil, errors.New("probe: a MAP_FIXED request runs in a child process, and the program's main does not call probe.MaybeRunChild first")
	}
	data, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	stdout, run := startChild(ctx, "mmap", DefaultChildTimeout, envMmap+"="+string(data))
	res := &MmapResult{Request: req, Child: &run}
	var last *MmapResult
	for _, line := range strings.Split(strings.TrimSpace(string(stdout)), "\n") {
		var rep childReport
		if json.Unmarshal([]byte(line), &rep) != nil {
			continue
		}
		if rep.Error != "" {
			return nil, errors.New(rep.Error)
		}
		if rep.Mmap != nil {
			last = rep.Mmap
		}
	}
	switch {
	case last != nil && last.Mmap.Outcome != NotTried:
		last.Request, last.Child = req, &run
		return last, nil
	case last != nil:
		res.Replaced = last.Replaced
	}
	why := "the child process that made the request ended before reporting (" + run.Exit + ")"
	if len(res.Replaced) > 0 && !run.OK() {
		why += ": MAP_FIXED replaced memory it was using"
	}
	res.Mmap = failed(why)
	return res, nil
}

// checkRequest rejects what Map would reject before any system call, so
// that a bad request is an error rather than a result.
func checkRequest(req MmapRequest) error {
	page := execmem.PageSize()
	switch {
	case req.Size <= 0:
		return fmt.Errorf("probe: mmap size %d: must be positive", req.Size)
	case req.Placement == execmem.PlaceAnywhere && req.Addr != 0:
		return fmt.Errorf("probe: mmap at %#x: an address needs a placement (hint, noreplace or fixed)", req.Addr)
	case req.Placement != execmem.PlaceAnywhere && req.Placement != execmem.PlaceHint && req.Addr == 0:
		return fmt.Errorf("probe: mmap with placement %s needs an address", req.Placement)
	case req.Addr%uintptr(page) != 0:
		return fmt.Errorf("probe: mmap at %#x: the address is not a multiple of the page size (%#x)", req.Addr, page)
	case req.File == "" && (req.Offset != 0):
		return fmt.Errorf("probe: mmap offset %#x given without a file", req.Offset)
	case req.Offset < 0 || req.Offset%int64(page) != 0:
		return fmt.Errorf("probe: mmap offset %#x: must be a non-negative multiple of the page size (%#x)", req.Offset, page)
	}
	return nil
}

// mmapHere makes the request in this process. before, when not nil, is
// called with the regions MAP_FIXED will replace, before the mmap.
func mmapHere(req MmapRequest, before func([]string)) (*MmapResult, error) {
	if err := checkRequest(req); err != nil {
		return nil, err
	}
	res := &MmapResult{Request: req}
	f, err := openMapped(req)
	if err != nil {
		return nil, err
	}
	if f != nil {
		defer f.Close()
	}
	if req.Placement == execmem.PlaceFixed {
		if res.Replaced, err = overlapping(req); err != nil {
			return nil, err
		}
		if before != nil {
			before(res.Replaced)
		}
	}
	// The routines are loaded before the mmap: a MAP_FIXED request may
	// replace the memory they would have gone to. The touches need no
	// host posture (only probes read it).
	p, err := newProber(Host{})
	if err != nil {
		return nil, err
	}
	defer p.close()
	m, err := execmem.Map(req.Size, execmem.MapOptions{Prot: req.Prot, Shared: req.Shared, File: f, Offset: req.Offset,
		Addr: req.Addr, Placement: req.Placement, UnsafeAllowWriteExec: true})
	if err != nil {
		o := refusal(err, "")
		if o.Outcome != Refused {
			return nil, fmt.Errorf("probe: %v", err)
		}
		res.Mmap = o
		return res, nil
	}
	res.Addr, res.Len = m.Addr(), m.Len()
	res.Mmap = allowed(landedWords(req, m.Addr(), len(res.Replaced) > 0))
	if r, err := regionOf(m.Addr()); err == nil {
		res.Maps = r.String()
	} else {
		res.Maps = err.Error()
	}
	for _, t := range req.Touches {
		res.Touches = append(res.Touches, p.touch(m, t))
	}
	// A MAP_FIXED mapping that replaced the program's own memory is left
	// in place: unmapping it would leave a hole where the program expects
	// memory. (It happens only in the child, which exits next.)
	if req.Placement != execmem.PlaceFixed || len(res.Replaced) == 0 {
		m.Close()
	}
	return res, nil
}

// openMapped opens the request's file (nil for anonymous memory): read-only,
// or read-write for a shared writable mapping, which writes the file.
func openMapped(req MmapRequest) (*os.File, error) {
	if req.File == "" {
		return nil, nil
	}
	flag := os.O_RDONLY
	if req.Shared && req.Prot&execmem.ProtWrite != 0 {
		flag = os.O_RDWR
	}
	f, err := os.OpenFile(req.File, flag, 0)
	if err != nil {
		return nil, fmt.Errorf("probe: %v", err)
	}
	return f, nil
}

// overlapping returns the /proc/self/maps lines the request's range
// overlaps now.
func overlapping(req MmapRequest) ([]string, error) {
	size := (req.Size + execmem.PageSize() - 1) &^ (execmem.PageSize() - 1)
	regions, err := execmem.Maps()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range regions {
		if r.Start < req.Addr+uintptr(size) && req.Addr < r.End {
			out = append(out, r.String())
		}
	}
	return out, nil
}

// landedWords says where a mapping the kernel made for req landed.
func landedWords(req MmapRequest, addr uintptr, replaced bool) string {
	switch {
	case req.Placement == execmem.PlaceHint && addr != req.Addr:
		return fmt.Sprintf("moved: the hint %#x was not honoured", req.Addr)
	case req.Placement == execmem.PlaceHint:
		return "at the hint"
	case req.Placement == execmem.PlaceFixed && replaced:
		return fmt.Sprintf("at %#x, replacing what was there", addr)
	}
	return fmt.Sprintf("at %#x", addr)
}

// touch makes one touch in m.
func (p *prober) touch(m *execmem.Mapping, t Touch) TouchResult {
	tr := TouchResult{Touch: t, Addr: m.Addr() + uintptr(t.Offset), Outside: t.Offset >= uint64(m.Len())}
	switch t.Access {
	case Read:
		tr.Observation = p.readAt(tr.Addr)
	case Write:
		v, _ := p.readByte(tr.Addr)
		tr.Observation = p.writeAt(tr.Addr, v)
		if tr.Outcome == Allowed {
			tr.Detail += " (the byte that was there)"
		}
	case Exec:
		tr.Observation = p.execAt(tr.Addr)
	}
	return tr
}

// jsonRequest is the JSON form of an MmapRequest.
type jsonRequest struct {
	Size      int      `json:"size"`
	Prot      string   `json:"prot"`
	Addr      string   `json:"addr"`
	Placement string   `json:"placement"`
	File      string   `json:"file,omitempty"`
	Offset    int64    `json:"offset"`
	Shared    bool     `json:"shared"`
	Touches   []string `json:"touches"`
}

// MarshalJSON writes {"size", "prot", "addr", "placement", "file",
// "offset", "shared", "touches": ["read@0x10", …]}.
func (r MmapRequest) MarshalJSON() ([]byte, error) {
	j := jsonRequest{Size: r.Size, Prot: r.Prot.String(), Addr: hexString(uint64(r.Addr)), Placement: r.Placement.String(),
		File: r.File, Offset: r.Offset, Shared: r.Shared, Touches: []string{}}
	for _, t := range r.Touches {
		j.Touches = append(j.Touches, t.String())
	}
	return json.Marshal(j)
}

func (r *MmapRequest) UnmarshalJSON(data []byte) error {
	var j jsonRequest
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	prot, err := execmem.ParseProt(j.Prot)
	if err != nil {
		return err
	}
	addr, err := parseHex("addr", j.Addr)
	if err != nil {
		return err
	}
	place := -1
	for _, p := range []execmem.Placement{execmem.PlaceAnywhere, execmem.PlaceHint, execmem.PlaceNoReplace, execmem.PlaceFixed} {
		if p.String() == j.Placement {
			place = int(p)
		}
	}
	if place < 0 {
		return fmt.Errorf("probe: unknown placement %q", j.Placement)
	}
	touches, err := ParseTouches(strings.Join(j.Touches, ","))
	if err != nil {
		return err
	}
	*r = MmapRequest{Size: j.Size, Prot: prot, Addr: uintptr(addr), Placement: execmem.Placement(place), File: j.File,
		Offset: j.Offset, Shared: j.Shared, Touches: touches}
	return nil
}

// jsonTouch is a TouchResult's JSON form.
type jsonTouch struct {
	Access   string      `json:"access"`
	Offset   string      `json:"offset"`
	Addr     string      `json:"addr"`
	Outside  bool        `json:"outside,omitempty"`
	Outcome  string      `json:"outcome"`
	Evidence Observation `json:"evidence"`
}

type jsonMmap struct {
	Request  MmapRequest `json:"request"`
	Result   string      `json:"result"`
	Evidence Observation `json:"evidence"`
	Addr     string      `json:"addr"`
	Len      int         `json:"len"`
	Moved    bool        `json:"moved"`
	Maps     string      `json:"maps"`
	Replaced []string    `json:"replaced"`
	Touches  []jsonTouch `json:"touches"`
	Child    *jsonChild  `json:"child,omitempty"`
}

// MarshalJSON writes {"request": {...}, "result": "allowed", "evidence":
// {...}, "addr", "len", "moved", "maps", "replaced": [...], "touches":
// [{"access", "offset", "addr", "outcome", "evidence"}], "child"}.
func (m MmapResult) MarshalJSON() ([]byte, error) {
	j := jsonMmap{Request: m.Request, Result: m.Mmap.Outcome.String(), Evidence: m.Mmap, Addr: hexString(uint64(m.Addr)),
		Len: m.Len, Moved: m.Moved(), Maps: m.Maps, Replaced: m.Replaced, Touches: []jsonTouch{}}
	if j.Replaced == nil {
		j.Replaced = []string{}
	}
	for _, t := range m.Touches {
		j.Touches = append(j.Touches, jsonTouch{Access: t.Access.String(), Offset: hexString(t.Offset), Addr: hexString(uint64(t.Addr)),
			Outside: t.Outside, Outcome: t.Outcome.String(), Evidence: t.Observation})
	}
	if c := m.Child; c != nil {
		j.Child = &jsonChild{Group: c.Group, ElapsedUS: c.Elapsed.Microseconds(), Exit: c.Exit, Stderr: c.Stderr}
	}
	return json.Marshal(j)
}

func (m *MmapResult) UnmarshalJSON(data []byte) error {
	var j jsonMmap
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	addr, err := parseHex("addr", j.Addr)
	if err != nil && j.Addr != "" {
		return err
	}
	*m = MmapResult{Request: j.Request, Mmap: j.Evidence, Addr: uintptr(addr), Len: j.Len, Maps: j.Maps}
	if len(j.Replaced) > 0 {
		m.Replaced = j.Replaced
	}
	for _, t := range j.Touches {
		tt, err := parseTouch(t.Access + "@" + t.Offset)
		if err != nil {
			return err
		}
		a, err := parseHex("addr", t.Addr)
		if err != nil {
			return err
		}
		m.Touches = append(m.Touches, TouchResult{Touch: tt, Addr: uintptr(a), Outside: t.Outside, Observation: t.Evidence})
	}
	if c := j.Child; c != nil {
		m.Child = &ChildRun{Group: c.Group, Elapsed: time.Duration(c.ElapsedUS) * time.Microsecond, Exit: c.Exit, Stderr: c.Stderr}
	}
	return nil
}
