package platform

// ReadImpliesExec is personality(2)'s READ_IMPLIES_EXEC: from the moment it
// is set, PROT_READ mappings are also executable. golang.org/x/sys/unix
// does not name it; the value is fixed by the kernel ABI
// (include/uapi/linux/personality.h).
const ReadImpliesExec = 0x0400000
