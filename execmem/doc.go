// Package execmem places machine code in executable memory without ever
// making a page writable and executable at once.
//
// The model: memory comes from the kernel as mappings (mmap) with a
// protection, a Prot such as "rw-" or "r-x". Load copies code into a fresh
// read+write mapping and then flips it to read+exec (mprotect), returning a
// Block; an Arena packs many small functions into shared chunks, writes them
// while the pages are read+write and seals a whole batch with one mprotect
// per chunk. Instead of the flip, a Strategy can ask for a dual mapping: one
// memfd seen through a read+write view and a separate read+exec view, so no
// page is ever both and nothing needs mprotect (it keeps working under the
// kernel's memory-deny-write-execute). StrategyUnsafeRWX maps pages writable
// and executable at once; it exists only for studying why that is dangerous
// and is never chosen by default. A program with data (asm.Program) is
// loaded as a loader lays out an executable: LoadOptions.Readonly and
// Writable keep its read-only data on read-only pages and its writable
// data on read+write pages, neither ever executable.
//
// The lower-level Map, Mapping.Protect, UnmapRange, Remap and Seal,
// NewMemfd and Maps (the typed /proc/self/maps) give the rest of jitrun,
// and its users, every mmap placement (hint, MAP_FIXED_NOREPLACE,
// MAP_FIXED), anonymous and file mappings, partial unmapping, mremap,
// mseal, executable memory files, and the kernel's errno on failure
// (errors.Is(err, unix.EACCES) works). Sizes are rounded up to whole
// pages; addresses and offsets that must be page aligned are checked and
// reported in words.
//
// Everything here needs Linux; elsewhere every function returns an error
// wrapping errors.ErrUnsupported. All types are safe for concurrent use.
package execmem
