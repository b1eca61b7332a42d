package platform

// BPFInsn is one classic BPF instruction (struct sock_filter), of a
// seccomp filter.
type BPFInsn struct {
	Code   uint16
	Jt, Jf uint8
	K      uint32
}
