package probe

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// This file is the only place in the package that calls the kernel
// directly; everything else goes through execmem, trampoline and these
// helpers. Every helper returns the bare errno (a syscall.Errno) on failure.

const supported = true

// readImpliesExec is personality(2)'s READ_IMPLIES_EXEC: from now on,
// PROT_READ mappings are also executable. golang.org/x/sys/unix does not
// name it; the value is fixed by the kernel ABI (include/uapi/linux/personality.h).
const readImpliesExec = 0x0400000

// queryPersonality is personality(2)'s "only report" argument.
const queryPersonality = 0xffffffff

func errnoName(e syscall.Errno) string { return unix.ErrnoName(e) }

func signalName(s syscall.Signal) string { return unix.SignalName(s) }

// sysGetMDWE returns prctl(PR_GET_MDWE): 0 when memory-deny-write-execute
// is off, else its flag bits.
func sysGetMDWE() (int, error) {
	return unix.PrctlRetInt(unix.PR_GET_MDWE, 0, 0, 0, 0)
}

// sysSetMDWE turns memory-deny-write-execute on (refuse exec gain) for
// this process and its children. It cannot be undone.
func sysSetMDWE() error {
	return unix.Prctl(unix.PR_SET_MDWE, unix.PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0)
}

// sysClearMDWE tries to turn memory-deny-write-execute off again: the
// kernel refuses (EPERM) once it is on.
func sysClearMDWE() error {
	return unix.Prctl(unix.PR_SET_MDWE, 0, 0, 0, 0)
}

// sysPersonality returns the current personality.
func sysPersonality() (uint32, error) {
	r, _, e := unix.Syscall(unix.SYS_PERSONALITY, queryPersonality, 0, 0)
	if e != 0 {
		return 0, e
	}
	return uint32(r), nil
}

// sysSetReadImpliesExec adds READ_IMPLIES_EXEC to the personality.
func sysSetReadImpliesExec() error {
	cur, err := sysPersonality()
	if err != nil {
		return err
	}
	_, _, e := unix.Syscall(unix.SYS_PERSONALITY, uintptr(cur|readImpliesExec), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// sysPkeyAlloc allocates a protection key with no access restrictions.
func sysPkeyAlloc() (int, error) {
	r, _, e := unix.Syscall(unix.SYS_PKEY_ALLOC, 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

func sysPkeyFree(key int) error {
	_, _, e := unix.Syscall(unix.SYS_PKEY_FREE, uintptr(key), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// sysUname returns the kernel release ("6.18.44") and the machine
// ("x86_64").
func sysUname() (release, machine string, err error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", "", err
	}
	return unix.ByteSliceToString(u.Release[:]), unix.ByteSliceToString(u.Machine[:]), nil
}
