package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/probe"
)

// maxMapSize bounds --size and --offset: 64 TiB, the user half of a
// 4-level page table.
const maxMapSize = min(1<<46, math.MaxInt) // (math.MaxInt: where an int has 32 bits)

const mmapUsage = "[--size N] [--prot PROT] [--addr ADDR [--fixed | --noreplace]] [--file F [--offset N]] [--shared] [--touch LIST] [--json]"

const mmapHelp = "Mmap makes one mmap request by hand, then touches the mapping: it prints where the mapping\n" +
	"landed, its /proc/self/maps line, and what each touch did, with the fault evidence (signal,\n" +
	"si_code, exception, decoded page-fault error code, address, pc). --addr alone is a hint the\n" +
	"kernel may move; --noreplace maps exactly there or fails with EEXIST; --fixed maps exactly\n" +
	"there and replaces whatever was mapped, which may be this program's own memory: it runs in\n" +
	"a child process, and the output says what was replaced and whether the child survived.\n" +
	"A write touch writes back the byte already there (a shared file keeps its contents); an\n" +
	"exec touch calls the address and runs the bytes found there (fresh anonymous memory holds\n" +
	"zeros, ADD [RAX], AL: the fetch works, then a write to address 0 faults; the output says so).\n" +
	"A refused request and a touch that faults are results (status 0)."

// mmapFlags are the flags of `jitrun mmap`.
type mmapFlags struct {
	size, prot, addr, file, offset, touch string
	fixed, noreplace, shared, json        bool
}

func (f *mmapFlags) register(fset *flag.FlagSet) {
	fset.StringVar(&f.size, "size", "4096", "mapping `size` in bytes: 4096, 0x2000, 16k, 1m (rounded up to whole pages)")
	fset.StringVar(&f.prot, "prot", "rw-", "`protection`: r-x, rw-, rwx, --x, none (or letters: rx, w)")
	fset.StringVar(&f.addr, "addr", "", "`address` to ask for (page aligned): a hint unless --fixed or --noreplace")
	fset.BoolVar(&f.fixed, "fixed", false, "MAP_FIXED: map exactly at --addr, replacing what is there (in a child process)")
	fset.BoolVar(&f.noreplace, "noreplace", false, "MAP_FIXED_NOREPLACE: map exactly at --addr or fail with EEXIST")
	fset.StringVar(&f.file, "file", "", "map `F` instead of anonymous memory (opened read-write only for --shared with w)")
	fset.StringVar(&f.offset, "offset", "0", "`offset` into --file (page aligned)")
	fset.BoolVar(&f.shared, "shared", false, "MAP_SHARED (writes reach the file and other mappings) instead of MAP_PRIVATE")
	fset.StringVar(&f.touch, "touch", "", "touches to make, in order: a comma-separated `list` of read, write or exec, each\n"+
		"optionally @OFFSET from the start of the mapping (0 when left out): 'read,write@0x10,exec@0'")
	fset.BoolVar(&f.json, "json", false, "print {\"request\", \"result\", \"evidence\", \"addr\", \"len\", \"moved\", \"maps\", \"replaced\", \"touches\": [{\"access\", \"offset\", \"addr\", \"outcome\", \"evidence\"}]}")
}

// cmdMmap is `jitrun mmap [--size N] [--prot PROT] [--addr ADDR [--fixed |
// --noreplace]] [--file F [--offset N]] [--shared] [--touch LIST] [--json]`.
func cmdMmap(e *env, cl *commandLine, f *mmapFlags) error {
	req, err := f.request(cl)
	if err != nil {
		return err
	}
	res, err := probe.Mmap(context.Background(), req)
	if err != nil {
		return inputError("%v", strings.TrimPrefix(err.Error(), "probe: "))
	}
	if f.json {
		err = writeJSON(e.stdout, res)
	} else {
		err = res.WriteText(e.stdout)
	}
	if err != nil {
		return systemError("%v", err)
	}
	return nil
}

// request reads the flags into the mmap request.
func (f *mmapFlags) request(cl *commandLine) (probe.MmapRequest, error) {
	var req probe.MmapRequest
	if len(cl.pos) > 0 {
		return req, inputError("takes no arguments, got %q", strings.Join(cl.pos, " "))
	}
	n, err := parseSize(f.size, 1, maxMapSize)
	if err != nil {
		return req, inputError("--size: %v", err)
	}
	req.Size = n
	if req.Prot, err = execmem.ParseProt(f.prot); err != nil {
		return req, inputError("--prot: %v", err)
	}
	if err := f.place(cl, &req); err != nil {
		return req, err
	}
	if req.File, req.Shared = f.file, f.shared; f.file != "" {
		if err := checkMapFile(f.file); err != nil {
			return req, fmt.Errorf("--file: %w", err)
		}
	}
	if cl.given("offset") {
		if f.file == "" {
			return req, inputError("--offset needs --file")
		}
		off, err := parseSize(f.offset, 0, maxMapSize)
		if err != nil {
			return req, inputError("--offset: %v", err)
		}
		if off%execmem.PageSize() != 0 {
			return req, inputError("--offset %#x is not a multiple of the page size (%#x)", off, execmem.PageSize())
		}
		req.Offset = int64(off)
	}
	if req.Touches, err = probe.ParseTouches(f.touch); err != nil {
		return req, inputError("--touch: %v", err)
	}
	return req, nil
}

// place reads --addr, --fixed and --noreplace.
func (f *mmapFlags) place(cl *commandLine, req *probe.MmapRequest) error {
	switch {
	case f.fixed && f.noreplace:
		return inputError("--fixed and --noreplace are two placements: give one")
	case (f.fixed || f.noreplace) && !cl.given("addr"):
		return inputError("--fixed and --noreplace need --addr")
	case !cl.given("addr"):
		return nil
	}
	a, err := parseAddress(f.addr)
	if err != nil {
		return inputError("--addr: %v", err)
	}
	if a%uint64(execmem.PageSize()) != 0 {
		return inputError("--addr %#x is not a multiple of the page size (%#x)", a, execmem.PageSize())
	}
	req.Addr = uintptr(a)
	switch {
	case f.fixed:
		req.Placement = execmem.PlaceFixed
	case f.noreplace:
		req.Placement = execmem.PlaceNoReplace
	default:
		req.Placement = execmem.PlaceHint
	}
	if a == 0 && req.Placement != execmem.PlaceHint {
		flagName := "--noreplace"
		if f.fixed {
			flagName = "--fixed"
		}
		return inputError("--addr 0 with %s: page 0 lies below vm.mmap_min_addr (%s), where the kernel refuses "+
			"a fixed mapping with EPERM unless the process has CAP_SYS_RAWIO (it then maps page 0, and null pointers "+
			"stop faulting); jitrun mmap does not ask for page 0: give --addr %#x or above", flagName, mmapMinAddr(), execmem.PageSize())
	}
	return nil
}

// mmapMinAddr is vm.mmap_min_addr as this kernel has it, in words.
func mmapMinAddr() string {
	data, err := os.ReadFile("/proc/sys/vm/mmap_min_addr")
	if err != nil {
		return "unknown here"
	}
	return strings.TrimSpace(string(data)) + " here"
}

// checkMapFile refuses a --file that is missing, unreadable or a
// directory, as every command refuses such an input.
func checkMapFile(name string) error {
	f, _, err := openFile(name)
	if err == nil {
		f.Close()
	}
	return err
}
