package platform

// Prot is a page protection for Mmap and Mprotect: any of ProtRead,
// ProtWrite and ProtExec (none: no access). The bits are execmem.Prot's,
// which converts to it as it is.
type Prot uint8

const (
	ProtRead Prot = 1 << iota
	ProtWrite
	ProtExec
)

// MapFlags are how Mmap places and shares a mapping. Without any, the
// mapping is private and the address, when not 0, is a hint the kernel may
// move.
type MapFlags uint8

const (
	// MapShared shares the mapping (MAP_SHARED): writes reach the file
	// and every other mapping of it.
	MapShared MapFlags = 1 << iota
	// MapFixedNoReplace maps exactly at the address, or fails with
	// EEXIST when the range is taken (MAP_FIXED_NOREPLACE).
	MapFixedNoReplace
	// MapFixed maps exactly at the address, replacing whatever is
	// mapped there (MAP_FIXED).
	MapFixed
)
