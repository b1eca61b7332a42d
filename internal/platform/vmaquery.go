package platform

// VMA is one mapping of this process as QueryVMA reports it.
type VMA struct {
	Start, End uintptr // [Start, End)
	Read       bool
	Write      bool
	Exec       bool
}
