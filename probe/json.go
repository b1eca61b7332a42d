package probe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The JSON forms. Addresses and error codes are "0x…" strings (JSON
// numbers lose precision above 2^53); durations are whole microseconds.
//
// A Result is
//
//	{"name": "matrix.mmap.-w-", "requested": "-w-",
//	 "read": "allowed", "write": "allowed", "exec": "fault",
//	 "result": "fault",
//	 "evidence": {"read": {...}, "write": {...}, "exec": {...}},
//	 "note": "…", "maps": "7f…-7f… -w-p …", "elapsed_us": 41, "child": true}
//
// where read, write and exec appear when the probe tried that access,
// result when the probe has a verdict (every probe but the matrix rows),
// and evidence holds one object per step, in the order taken, keyed by the
// step's name ("read", "write", "exec", or a system call: "mmap",
// "mprotect", "prctl", "mseal", …). An evidence object is
//
//	{"outcome": "fault", "signal": "SIGSEGV", "signo": 11,
//	 "si_code": "SEGV_ACCERR", "code": 2, "addr": "0x7f…", "pc": "0x7f…",
//	 "error_code": "0x15", "error_code_bits": "present, read, user, instruction fetch",
//	 "trap": 14, "trap_name": "#PF", "description": "instruction fetch from …"}
//
// for a fault (error_code_bits only for a page fault; "at_call": true when
// the CPU refused the call to the target itself, as for a non-canonical
// address — the pc is then the target), and
// {"outcome": "refused", "errno": "EACCES", "detail": "…", "message": "…"} or
// {"outcome": "allowed", "detail": "read 0xc3"} otherwise.

// jsonEvidence is an Observation's JSON form.
type jsonEvidence struct {
	Outcome       string `json:"outcome"`
	Signal        string `json:"signal,omitempty"`
	Signo         int    `json:"signo,omitempty"`
	SiCode        string `json:"si_code,omitempty"`
	Code          *int   `json:"code,omitempty"`
	Addr          string `json:"addr,omitempty"`
	PC            string `json:"pc,omitempty"`
	ErrorCode     string `json:"error_code,omitempty"`
	ErrorCodeBits string `json:"error_code_bits,omitempty"`
	Trap          *int   `json:"trap,omitempty"`
	TrapName      string `json:"trap_name,omitempty"`
	AtCall        bool   `json:"at_call,omitempty"`
	Description   string `json:"description,omitempty"`
	Errno         string `json:"errno,omitempty"`
	Detail        string `json:"detail,omitempty"`
	Message       string `json:"message,omitempty"`
}

func hexString(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

func parseHex(field, s string) (uint64, error) {
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("probe: %s %q is not a 0x… number", field, s)
	}
	return v, nil
}

// MarshalJSON writes the evidence object described above.
func (o Observation) MarshalJSON() ([]byte, error) {
	j := jsonEvidence{Outcome: o.Outcome.String(), Errno: o.Errno, Detail: o.Detail, Message: o.Message}
	if o.Outcome == NotTried {
		j.Outcome = "not tried"
	}
	if f := o.Fault; f != nil {
		code, trap := f.Code, f.Trap
		j.Signal, j.Signo, j.SiCode, j.Code = f.SignalName(), int(f.Signal), f.CodeName(), &code
		j.Addr, j.PC, j.ErrorCode = hexString(uint64(f.Addr)), hexString(uint64(f.PC)), hexString(f.ErrorCode)
		j.Trap, j.TrapName, j.AtCall, j.Description = &trap, f.TrapName(), f.AtCall, f.Description()
		if pf, ok := f.PageFault(); ok {
			s := pf.String() // "0x15 (present, read, user, instruction fetch)"
			if i := strings.IndexByte(s, '('); i >= 0 && s[len(s)-1] == ')' {
				s = s[i+1 : len(s)-1]
			}
			j.ErrorCodeBits = s
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the evidence object back.
func (o *Observation) UnmarshalJSON(data []byte) error {
	var j jsonEvidence
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*o = Observation{Errno: j.Errno, Detail: j.Detail, Message: j.Message}
	if j.Outcome != "not tried" {
		oc, err := ParseOutcome(j.Outcome)
		if err != nil {
			return err
		}
		o.Outcome = oc
	}
	if j.Signal == "" && j.Signo == 0 {
		return nil
	}
	if j.Signo <= 0 || j.Code == nil || j.Trap == nil {
		return fmt.Errorf("probe: fault evidence needs signo, code and trap")
	}
	f := &FaultInfo{Signal: syscall.Signal(j.Signo), Code: *j.Code, Trap: *j.Trap, AtCall: j.AtCall}
	var err error
	var v uint64
	if v, err = parseHex("addr", j.Addr); err != nil {
		return err
	}
	f.Addr = uintptr(v)
	if v, err = parseHex("pc", j.PC); err != nil {
		return err
	}
	f.PC = uintptr(v)
	if f.ErrorCode, err = parseHex("error_code", j.ErrorCode); err != nil {
		return err
	}
	o.Fault = f
	return nil
}

// MarshalJSON writes the Result object described above, keys in a fixed
// order and evidence in step order.
func (r Result) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	// field writes a string, number or boolean, which cannot fail to
	// encode.
	field := func(key string, v any) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(key)
		b.Write(k)
		b.WriteByte(':')
		data, _ := json.Marshal(v)
		b.Write(data)
	}
	b.WriteByte('{')
	field("name", r.Name)
	field("requested", r.Requested)
	for _, step := range []string{StepRead, StepWrite, StepExec} {
		if o, ok := r.Step(step); ok {
			field(step, o.Outcome.String())
		}
	}
	if r.Result != NotTried {
		field("result", r.Result.String())
	}
	b.WriteString(`,"evidence":{`)
	for i, s := range r.Steps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(s.Name)
		b.Write(k)
		b.WriteByte(':')
		data, err := json.Marshal(s.Observation)
		if err != nil {
			return nil, err
		}
		b.Write(data)
	}
	b.WriteByte('}')
	if r.Note != "" {
		field("note", r.Note)
	}
	if r.Maps != "" {
		field("maps", r.Maps)
	}
	field("elapsed_us", r.Elapsed.Microseconds())
	if r.Child {
		field("child", true)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a Result back. The steps come from the evidence
// object, in its order; the read, write and exec keys must agree with it.
func (r *Result) UnmarshalJSON(data []byte) error {
	var j struct {
		Name      string          `json:"name"`
		Requested string          `json:"requested"`
		Read      *string         `json:"read"`
		Write     *string         `json:"write"`
		Exec      *string         `json:"exec"`
		Result    *string         `json:"result"`
		Evidence  json.RawMessage `json:"evidence"`
		Note      string          `json:"note"`
		Maps      string          `json:"maps"`
		ElapsedUS int64           `json:"elapsed_us"`
		Child     bool            `json:"child"`
	}
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	if j.Name == "" {
		return fmt.Errorf("probe: result without a name")
	}
	*r = Result{Name: j.Name, Requested: j.Requested, Note: j.Note, Maps: j.Maps, Elapsed: time.Duration(j.ElapsedUS) * time.Microsecond, Child: j.Child}
	if j.Result != nil {
		oc, err := ParseOutcome(*j.Result)
		if err != nil {
			return err
		}
		r.Result = oc
	}
	steps, err := decodeEvidence(j.Evidence)
	if err != nil {
		return fmt.Errorf("probe: %s: evidence: %v", j.Name, err)
	}
	r.Steps = steps
	for _, a := range []struct {
		name string
		v    *string
	}{{StepRead, j.Read}, {StepWrite, j.Write}, {StepExec, j.Exec}} {
		o, ok := r.Step(a.name)
		switch {
		case a.v == nil && ok:
			return fmt.Errorf("probe: %s: evidence has %s but the result has no %q", j.Name, a.name, a.name)
		case a.v != nil && !ok:
			return fmt.Errorf("probe: %s: %q has no evidence", j.Name, a.name)
		case a.v != nil && *a.v != o.Outcome.String():
			return fmt.Errorf("probe: %s: %q is %q but its evidence says %q", j.Name, a.name, *a.v, o.Outcome)
		}
	}
	return nil
}

// decodeEvidence reads the evidence object keeping its keys' order.
func decodeEvidence(data json.RawMessage) ([]Step, error) {
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("want an object")
	}
	var steps []Step
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name := tok.(string) // object keys are always strings
		if seen[name] {
			return nil, fmt.Errorf("step %q appears twice", name)
		}
		seen[name] = true
		var o Observation
		if err := dec.Decode(&o); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		steps = append(steps, Step{Name: name, Observation: o})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return steps, nil
}

// jsonHost is the Host's JSON form.
type jsonHost struct {
	OS               string          `json:"os"`
	Arch             string          `json:"arch"`
	Vendor           string          `json:"vendor"`
	CPU              string          `json:"cpu"`
	Family           int             `json:"family"`
	Model            int             `json:"model"`
	Flags            map[string]bool `json:"flags"`
	Kernel           string          `json:"kernel"`
	PageSize         int             `json:"page_size"`
	RandomizeVASpace int             `json:"randomize_va_space"`
	LSMs             []string        `json:"lsm"`
	Seccomp          int             `json:"seccomp"`
	MDWE             int             `json:"mdwe"`
	Personality      string          `json:"personality"`
	Vsyscall         string          `json:"vsyscall"`
	Errors           []string        `json:"errors,omitempty"`
}

// MarshalJSON writes the host as an object: numbers that could not be
// read are -1, lsm is null when unknown, personality is "0x…".
func (h Host) MarshalJSON() ([]byte, error) {
	flags := map[string]bool{}
	for _, f := range CPUFlags() {
		flags[f] = h.Flags[f]
	}
	return json.Marshal(jsonHost{OS: h.OS, Arch: h.Arch, Vendor: h.Vendor, CPU: h.CPU, Family: h.Family, Model: h.Model,
		Flags: flags, Kernel: h.Kernel, PageSize: h.PageSize, RandomizeVASpace: h.RandomizeVASpace, LSMs: h.LSMs,
		Seccomp: h.Seccomp, MDWE: h.MDWE, Personality: hexString(uint64(h.Personality)), Vsyscall: h.Vsyscall, Errors: h.Errors})
}

// jsonChild is a ChildRun's JSON form.
type jsonChild struct {
	Group     string `json:"group"`
	ElapsedUS int64  `json:"elapsed_us"`
	Exit      string `json:"exit"`
	Stderr    string `json:"stderr,omitempty"`
}

// MarshalJSON writes {"host", "probes", "summary", "children", "elapsed_ms"}.
func (r Report) MarshalJSON() ([]byte, error) {
	children := []jsonChild{}
	for _, c := range r.Children {
		children = append(children, jsonChild{Group: c.Group, ElapsedUS: c.Elapsed.Microseconds(), Exit: c.Exit, Stderr: c.Stderr})
	}
	probes := r.Probes
	if probes == nil {
		probes = []Result{}
	}
	return json.Marshal(struct {
		Host      Host        `json:"host"`
		Probes    []Result    `json:"probes"`
		Summary   []string    `json:"summary"`
		Children  []jsonChild `json:"children"`
		ElapsedMS int64       `json:"elapsed_ms"`
	}{r.Host, probes, r.Summary(), children, r.Elapsed.Milliseconds()})
}
