//go:build !(linux && amd64)

package probe

import "syscall"

// On systems other than linux/amd64 every helper fails with errUnsupported;
// Run and Mmap check supported first and return it.

const supported = false

func errnoName(e syscall.Errno) string   { return "" }
func signalName(s syscall.Signal) string { return "" }

func sysGetMDWE() (int, error)                       { return 0, errUnsupported }
func sysSetMDWE() error                              { return errUnsupported }
func sysClearMDWE() error                            { return errUnsupported }
func sysPersonality() (uint32, error)                { return 0, errUnsupported }
func sysSetReadImpliesExec() error                   { return errUnsupported }
func sysPkeyAlloc() (int, error)                     { return -1, errUnsupported }
func sysPkeyFree(key int) error                      { return errUnsupported }
func sysUname() (release, machine string, err error) { return "", "", errUnsupported }
