package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jitrun/jitrun/execmem"
	"github.com/jitrun/jitrun/probe"
)

// maxMapSize bounds --size and --offset: 64 TiB, the user half of a
// 4-level page table.
const maxMapSize = 1 << 46

// cmdMmap is `jitrun mmap [--size N] [--prot PROT] [--addr ADDR [--fixed |
// --noreplace]] [--file F [--offset N]] [--shared] [--touch LIST] [--json]`.
func cmdMmap(e *env, args []string) int {
	fs := newFlagSet(e, "mmap", "[--size N] [--prot PROT] [--addr ADDR [--fixed | --noreplace]] [--file F [--offset N]] [--shared] [--touch LIST] [--json]",
		"Mmap makes one mmap request by hand, then touches the mapping: it prints where the mapping\n"+
			"landed, its /proc/self/maps line, and what each touch did, with the fault evidence (signal,\n"+
			"si_code, exception, decoded page-fault error code, address, pc). --addr alone is a hint the\n"+
			"kernel may move; --noreplace maps exactly there or fails with EEXIST; --fixed maps exactly\n"+
			"there and replaces whatever was mapped, which may be this program's own memory: it runs in\n"+
			"a child process, and the output says what was replaced and whether the child survived.\n"+
			"A write touch writes back the byte already there (a shared file keeps its contents); an\n"+
			"exec touch calls the address and runs the bytes found there (fresh anonymous memory holds\n"+
			"zeros, ADD [RAX], AL: the fetch works, then a write to address 0 faults; the output says so).\n"+
			"Exit status: 0 the request was made and reported (refusals and faults are results),\n"+
			"1 a system error, 2 bad flags.")
	size := fs.String("size", "4096", "mapping `size` in bytes: 4096, 0x2000, 16k, 1m (rounded up to whole pages)")
	protFlag := fs.String("prot", "rw-", "`protection`: r-x, rw-, rwx, --x, none (or letters: rx, w)")
	addr := fs.String("addr", "", "`address` to ask for (page aligned): a hint unless --fixed or --noreplace")
	fixed := fs.Bool("fixed", false, "MAP_FIXED: map exactly at --addr, replacing what is there (in a child process)")
	noreplace := fs.Bool("noreplace", false, "MAP_FIXED_NOREPLACE: map exactly at --addr or fail with EEXIST")
	file := fs.String("file", "", "map `F` instead of anonymous memory (opened read-write only for --shared with w)")
	offset := fs.String("offset", "0", "`offset` into --file (page aligned)")
	shared := fs.Bool("shared", false, "MAP_SHARED (writes reach the file and other mappings) instead of MAP_PRIVATE")
	touch := fs.String("touch", "", "touches to make, in order: a comma-separated `list` of read, write or exec, each\n"+
		"optionally @OFFSET from the start of the mapping (0 when left out): 'read,write@0x10,exec@0'")
	asJSON := fs.Bool("json", false, "print {\"request\", \"result\", \"evidence\", \"addr\", \"len\", \"moved\", \"maps\", \"replaced\", \"touches\": [{\"access\", \"offset\", \"addr\", \"outcome\", \"evidence\"}]}")
	pos, status, ok := parseFlags(e, fs, args)
	if !ok {
		return status
	}
	fail := e.usageError("mmap")
	if len(pos) > 0 {
		return fail("takes no arguments, got %q", strings.Join(pos, " "))
	}
	var req probe.MmapRequest
	n, err := parseSize(*size, 1, maxMapSize)
	if err != nil {
		return fail("--size: %v", err)
	}
	req.Size = n
	if req.Prot, err = execmem.ParseProt(*protFlag); err != nil {
		return fail("--prot: %v", err)
	}
	switch {
	case *fixed && *noreplace:
		return fail("--fixed and --noreplace are two placements: give one")
	case (*fixed || *noreplace) && !flagGiven(fs, "addr"):
		return fail("--fixed and --noreplace need --addr")
	}
	if flagGiven(fs, "addr") {
		a, err := parseAddress(*addr)
		if err != nil {
			return fail("--addr: %v", err)
		}
		if a%uint64(execmem.PageSize()) != 0 {
			return fail("--addr %#x is not a multiple of the page size (%#x)", a, execmem.PageSize())
		}
		req.Addr = uintptr(a)
		switch {
		case *fixed:
			req.Placement = execmem.PlaceFixed
		case *noreplace:
			req.Placement = execmem.PlaceNoReplace
		default:
			req.Placement = execmem.PlaceHint
		}
	}
	req.File, req.Shared = *file, *shared
	if flagGiven(fs, "offset") {
		if *file == "" {
			return fail("--offset needs --file")
		}
		off, err := parseSize(*offset, 0, maxMapSize)
		if err != nil {
			return fail("--offset: %v", err)
		}
		if off%execmem.PageSize() != 0 {
			return fail("--offset %#x is not a multiple of the page size (%#x)", off, execmem.PageSize())
		}
		req.Offset = int64(off)
	}
	if req.Touches, err = probe.ParseTouches(*touch); err != nil {
		return fail("--touch: %v", err)
	}
	res, err := probe.Mmap(context.Background(), req)
	if err != nil {
		fmt.Fprintf(e.stderr, "jitrun mmap: %v\n", strings.TrimPrefix(err.Error(), "probe: "))
		return exitUsage
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		err = enc.Encode(res)
	} else {
		err = res.WriteText(e.stdout)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "jitrun mmap: %v\n", err)
		return exitError
	}
	return exitOK
}
