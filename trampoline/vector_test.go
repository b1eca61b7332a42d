//go:build linux && amd64

package trampoline

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jitrun/jitrun/internal/hostcpu"
)

// Vector code: ymm1 all ones, ymm2 eight dwords of 1, ymm3 = ymm2+ymm2
// (eight 2s); then zmm17 and zmm4 all ones, k1 = 0xffff, k2 = rdi.
var (
	vecAVX2 = []byte{
		0xc5, 0xf5, 0x76, 0xc9, // vpcmpeqd ymm1, ymm1, ymm1
		0xc5, 0xed, 0x72, 0xd1, 0x1f, // vpsrld ymm2, ymm1, 0x1f
		0xc5, 0xed, 0xfe, 0xda, // vpaddd ymm3, ymm2, ymm2
	}
	vecAVX2Text  = "vpcmpeqd ymm1, ymm1, ymm1; vpsrld ymm2, ymm1, 0x1f; vpaddd ymm3, ymm2, ymm2"
	vecZMMCode   = []byte{0x62, 0xa3, 0x75, 0x40, 0x25, 0xc9, 0xff, 0x62, 0xf3, 0x5d, 0x48, 0x25, 0xe4, 0xff, 0xc5, 0xf4, 0x46, 0xc9, 0xc4, 0xe1, 0xfb, 0x92, 0xd7}
	vecAVX512Txt = "vpternlogd zmm17, zmm17, zmm17, 0xff; vpternlogd zmm4, zmm4, zmm4, 0xff; kxnorw k1, k1, k1; kmovq k2, rdi"

	codeYMMRet   = sn(vecAVX2Text+"; ret", append(append([]byte{}, vecAVX2...), 0xc3)...)
	codeYMMUD2   = sn(vecAVX2Text+"; ud2", append(append([]byte{}, vecAVX2...), 0x0f, 0x0b)...)
	codeYMMINT3  = sn(vecAVX2Text+"; int3", append(append([]byte{}, vecAVX2...), 0xcc)...)
	codeYMMLoop  = sn(vecAVX2Text+"; jmp .+0", append(append([]byte{}, vecAVX2...), 0xeb, 0xfe)...)
	codeZMMRet   = sn(vecAVX512Txt+"; ret", append(append([]byte{}, vecZMMCode...), 0xc3)...)
	codeZMMUD2   = sn(vecAVX512Txt+"; ud2", append(append([]byte{}, vecZMMCode...), 0x0f, 0x0b)...)
	codeZMMINT3  = sn(vecAVX512Txt+"; int3", append(append([]byte{}, vecZMMCode...), 0xcc)...)
	codeZMMLoop  = sn(vecAVX512Txt+"; jmp .+0", append(append([]byte{}, vecZMMCode...), 0xeb, 0xfe)...)
	vecSnippets  = map[string]snippet{"ymmret": codeYMMRet, "ymmud2": codeYMMUD2, "ymmint3": codeYMMINT3, "ymmloop": codeYMMLoop, "zmmret": codeZMMRet, "zmmud2": codeZMMUD2, "zmmint3": codeZMMINT3, "zmmloop": codeZMMLoop}
	vecRDI       = uint64(0x8000_0000_0000_0001)
	vecAllOnes64 = bytes.Repeat([]byte{0xff}, 64)
)

func init() {
	for name, s := range vecSnippets {
		allSnippets[name] = s
	}
}

// vecWant is what the AVX2 code leaves: register number → its 64 bytes.
func vecWantAVX2() map[int][]byte {
	twos := bytes.Repeat([]byte{2, 0, 0, 0}, 8)
	return map[int][]byte{
		1: append(bytes.Repeat([]byte{0xff}, 32), make([]byte, 32)...),
		2: append(bytes.Repeat([]byte{1, 0, 0, 0}, 8), make([]byte, 32)...),
		3: append(twos, make([]byte, 32)...),
	}
}

// checkVec compares every vector register of regs with want (absent:
// zero), the opmasks with k, and that Live has the bits of live. Without
// Vector.Zeroed, ZMM16–31 and k0–k7 the code did not set may hold what
// earlier code on the thread left (the C library's, under -race): only
// the ones in want and k are checked.
func checkVec(t *testing.T, regs *Regs, want map[int][]byte, k [8]uint64, live uint64) {
	t.Helper()
	for i := range VecRegs {
		w := want[i]
		if w == nil && i >= 16 && !regs.Vector.Zeroed {
			continue
		}
		if w == nil {
			w = make([]byte, 64)
		}
		if got := regs.Vec(i); !bytes.Equal(got[:], w) {
			t.Errorf("vector register %d = %x, want %x", i, got, w)
		}
	}
	for i, want := range k {
		if got := regs.Vector.Opmasks()[i]; got != want && (want != 0 || regs.Vector.Zeroed) {
			t.Errorf("k%d = %#x, want %#x", i, got, want)
		}
	}
	if regs.Vector.Live&live != live {
		t.Errorf("Live %#x, want bits %#x set", regs.Vector.Live, live)
	}
}

// Every way a snapshot is taken reads the YMM state the code left (and
// ZMM16–31, the upper halves of ZMM0–15 and k0–k7 with AVX-512): a return
// with Options.Regs, a fault, a timeout, a Machine's breakpoint. Each call
// starts with that state zero, whatever the previous call left.
func TestVectorSnapshot(t *testing.T) {
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	if !hasAVX {
		t.Skip("SKIP: this CPU (or OS) has no AVX: no YMM state to snapshot")
	}
	runtime.LockOSThread() // the stale state below is this thread's
	defer runtime.UnlockOSThread()
	type ending struct {
		name   string
		zeroed bool // the call cleared ZMM16–31 and k0–k7 first
		code   func(avx512 bool) snippet
		run    func(t *testing.T, s snippet) Regs
	}
	pick := func(y, z snippet) func(bool) snippet {
		return func(avx512 bool) snippet {
			if avx512 {
				return z
			}
			return y
		}
	}
	args := &Args{Int: [6]uint64{vecRDI}}
	endings := []ending{
		{"return", true, pick(codeYMMRet, codeZMMRet), func(t *testing.T, s snippet) Regs {
			var regs Regs
			if _, err := Run(context.Background(), load(t, s).Addr(), args, &Options{Regs: &regs}); err != nil {
				t.Fatal(err)
			}
			return regs
		}},
		{"fault", false, pick(codeYMMUD2, codeZMMUD2), func(t *testing.T, s snippet) Regs {
			_, err := Run(context.Background(), load(t, s).Addr(), args, nil)
			var f *Fault
			if !errors.As(err, &f) {
				t.Fatalf("want a fault, got %v", err)
			}
			return f.Regs
		}},
		{"timeout", false, pick(codeYMMLoop, codeZMMLoop), func(t *testing.T, s snippet) Regs {
			_, err := Run(context.Background(), load(t, s).Addr(), args, &Options{Timeout: 20 * time.Millisecond})
			var it *Interrupted
			if !errors.As(err, &it) || it.PC == 0 {
				t.Fatalf("want an interrupted run of the code, got %v", err)
			}
			return it.Regs
		}},
		{"machine", true, pick(codeYMMINT3, codeZMMINT3), func(t *testing.T, s snippet) Regs {
			m, err := NewMachine(0)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			m.Regs.GPR[RDI] = vecRDI
			m.Regs.RIP = uint64(load(t, s).Addr())
			if err := RunMachine(context.Background(), m, nil); err != nil {
				t.Fatal(err)
			}
			return m.Regs
		}},
	}
	for _, avx512 := range []bool{false, true} {
		for _, e := range endings {
			name := e.name + "/avx2"
			if avx512 {
				name = e.name + "/avx512"
			}
			t.Run(name, func(t *testing.T) {
				if avx512 && !vecAVX512 {
					t.Skip("SKIP: this CPU (or OS) has no AVX-512: no ZMM or opmask state to snapshot")
				}
				// A snapshot of zeros first: no image an earlier call
				// left in the frame can pass for this one's.
				var zeros Regs
				if _, err := Run(context.Background(), load(t, codeRet).Addr(), nil, &Options{Regs: &zeros}); err != nil {
					t.Fatal(err)
				}
				regs := e.run(t, e.code(avx512))
				if regs.Vector.Zeroed != e.zeroed {
					t.Errorf("Vector.Zeroed %v, want %v", regs.Vector.Zeroed, e.zeroed)
				}
				if !avx512 {
					checkVec(t, &regs, vecWantAVX2(), [8]uint64{}, LiveAVX)
					return
				}
				want := map[int][]byte{4: vecAllOnes64, 17: vecAllOnes64}
				checkVec(t, &regs, want, [8]uint64{1: 0xffff, 2: vecRDI}, LiveAVX|LiveOpmask|LiveZMMHi256|LiveHi16ZMM)
			})
		}
	}

	// The AVX-512 code left zmm17 and k1, k2 set on this thread (the
	// trampoline clears only the upper halves of ZMM0–15 after a call):
	// a snapshot of code that only returns shows none of it.
	if vecAVX512 {
		if _, err := Call(load(t, codeZMMRet).Addr(), vecRDI); err != nil {
			t.Fatal(err)
		}
	}
	var regs Regs
	if _, err := Run(context.Background(), load(t, codeRet).Addr(), nil, &Options{Regs: &regs}); err != nil {
		t.Fatal(err)
	}
	// (Live is the CPU's tracking: zeroed registers may still count as
	// in use.)
	if regs.Vector.Live = 0; !regs.Vector.Equal(&Vector{Zeroed: true}) {
		t.Errorf("snapshot of RET after AVX-512 code: %+v, want every register zero", regs.Vector)
	}
}

// Regs.String names each vector register by the width its set bits need.
func TestVectorString(t *testing.T) {
	var r Regs
	r.XMM[3] = XMM{Lo: 2}
	r.XMM[5] = XMM{Lo: 1, Hi: 2}
	r.Vector.YMMHi[5] = XMM{Hi: 3}
	r.Vector.AVX512 = new(AVX512)
	r.Vector.AVX512.ZMMHi[6][1] = XMM{Hi: 0xab << 56}
	r.Vector.AVX512.Hi16ZMM[1][0] = XMM{Lo: 0xff}
	r.Vector.AVX512.K[7] = 0xf0
	low := "xmm3  00000000000000000000000000000002\n" +
		"ymm5  00000000000000030000000000000000" + "00000000000000020000000000000001\n" +
		"zmm6  ab" + strings.Repeat("0", 126) + "\n"
	// Without Zeroed, ZMM16–31 and k0–k7 may be earlier code's: left out.
	if got := r.String(); !strings.HasSuffix(got, "x87cw 0000\n"+low) {
		t.Errorf("String() =\n%s\nwant it to end with\n%s", got, low)
	}
	r.Vector.Zeroed = true
	want := low + "xmm17 000000000000000000000000000000ff\n" + "k7    00000000000000f0\n"
	if got := r.String(); !strings.HasSuffix(got, "x87cw 0000\n"+want) {
		t.Errorf("String() with Zeroed =\n%s\nwant it to end with\n%s", got, want)
	}
}

// xsaveVector reads a component only where the header says it is in
// use: XSAVE leaves the bytes of one in its initial state as they were.
func TestXSAVEVector(t *testing.T) {
	saved := vecLayout
	defer func() { vecLayout = saved }()
	// Intel's usual layout, which the test sets whatever the CPU's.
	vecLayout[2] = vecComp(576, 256)
	vecLayout[5] = vecComp(1088, 64)
	vecLayout[6] = vecComp(1152, 512)
	vecLayout[7] = vecComp(1664, 1024)
	img := bytes.Repeat([]byte{0x5a}, 2688) // stale bytes everywhere
	le := binary.LittleEndian
	for _, tc := range []struct {
		name string
		bv   uint64
		size int
		want func(v *Vector)
	}{
		{"nothing live", 0x3, 2688, func(v *Vector) {}},
		{"AVX live", 0x7, 2688, func(v *Vector) {
			for i := range v.YMMHi {
				v.YMMHi[i] = XMM{0x5a5a5a5a5a5a5a5a, 0x5a5a5a5a5a5a5a5a}
			}
		}},
		{"opmask live", 0x23, 2688, func(v *Vector) {
			v.AVX512 = new(AVX512)
			for i := range v.AVX512.K {
				v.AVX512.K[i] = 0x5a5a5a5a5a5a5a5a
			}
		}},
		{"ZMM0–15 upper halves live", 0x43, 2688, func(v *Vector) {
			v.AVX512 = new(AVX512)
			for i := range v.AVX512.ZMMHi {
				v.AVX512.ZMMHi[i] = [2]XMM{{0x5a5a5a5a5a5a5a5a, 0x5a5a5a5a5a5a5a5a}, {0x5a5a5a5a5a5a5a5a, 0x5a5a5a5a5a5a5a5a}}
			}
		}},
		{"Hi16_ZMM past the image", 0x83, 1664 + 1023, func(v *Vector) { v.Live = 0x2 }},
		{"FXSAVE image", 0xe7, 512, func(v *Vector) { v.Live = 0 }},
	} {
		le.PutUint64(img[xsaveHeader:], tc.bv)
		var want Vector
		want.Live = tc.bv & vecComponents
		tc.want(&want)
		// got starts with AVX-512 state of its own, which xsaveVector
		// must replace, not write to (a checkpoint may share it).
		old := &AVX512{K: [8]uint64{1}}
		got := Vector{AVX512: old}
		if xsaveVector(&got, img[:tc.size]); !got.Equal(&want) || (want.AVX512 == nil) != (got.AVX512 == nil) {
			t.Errorf("%s: got %+v (AVX512 %+v)\nwant %+v (AVX512 %+v)", tc.name, got, got.AVX512, want, want.AVX512)
		}
		if *old != (AVX512{K: [8]uint64{1}}) {
			t.Errorf("%s: xsaveVector wrote to the AVX512 it replaced", tc.name)
		}
	}
	// XSTATE_BV bit 1 clear: XMM0–15 were zero, whatever the bytes say.
	img[xsaveHeader] = 0
	var r Regs
	r.XMM[0] = XMM{Lo: 1}
	vecRegs(&r, img)
	if r.XMM != [16]XMM{} {
		t.Errorf("XMM with SSE not live: %v, want zero", r.XMM)
	}
}

func vecComp(offset, size int) hostcpu.XSAVEComponent {
	return hostcpu.XSAVEComponent{Offset: offset, Size: size}
}

// A call stopped by its timeout while parked (see TestTimeoutWhileParked)
// reports the vector state it was parked with, from parkStub's XSAVE.
func TestVectorWhileParked(t *testing.T) {
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	if !hasAVX {
		t.Skip("SKIP: this CPU (or OS) has no AVX: no YMM state to snapshot")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	loop := load(t, codeYMMLoop)
	stop := spinners(1)
	defer stop()
	parked := parks.Load()
	for i := 0; i < 5; i++ {
		// (With a snapshot: without one, ZMM16–31 and k0–k7 keep what
		// an earlier test's code left on this thread.)
		var regs Regs
		_, err := Run(context.Background(), loop.Addr(), nil, &Options{Timeout: 20 * time.Millisecond, Regs: &regs})
		var it *Interrupted
		if !errors.As(err, &it) || it.PC == 0 {
			t.Fatalf("run %d: %v, want an *Interrupted of the loop", i, err)
		}
		checkVec(t, &it.Regs, vecWantAVX2(), [8]uint64{}, LiveAVX)
		if !regs.Equal(&it.Regs) {
			t.Errorf("run %d: Options.Regs differs from Interrupted.Regs", i)
		}
	}
	if parks.Load() == parked {
		t.Error("no call was parked: the test did not test the parked path")
	}
}

// setVecLayout keeps what each CPU's layout needs, computed from its
// component offsets: Intel's AVX-512 layout ends at 2688 (ZMM16–31 at
// 1664), AMD's at 2432 (at 1408), AVX alone at 832, XSAVE without AVX at
// the header's end, and nothing without XSAVE; never more than the XSAVE
// area.
func TestSetVecLayout(t *testing.T) {
	savedLayout, savedCopy, savedAVX512 := vecLayout, vecCopy, vecAVX512
	defer func() { vecLayout, vecCopy, vecAVX512 = savedLayout, savedCopy, savedAVX512 }()
	avx := [8]hostcpu.XSAVEComponent{2: vecComp(576, 256)}
	intel := avx
	intel[5], intel[6], intel[7] = vecComp(1088, 64), vecComp(1152, 512), vecComp(1664, 1024)
	amd := avx
	amd[5], amd[6], amd[7] = vecComp(832, 64), vecComp(896, 512), vecComp(1408, 1024)
	for _, c := range []struct {
		name       string
		cpu        hostcpu.Facts
		wantCopy   int
		wantAVX512 bool
	}{
		{"Intel Xeon, AVX-512 and AMX", hostcpu.Facts{OSXSAVE: true, XSAVESize: 11008, XSAVEComponents: intel, AVX512F: true}, 2688, true},
		{"AMD Zen 5, AVX-512", hostcpu.Facts{OSXSAVE: true, XSAVESize: 2440, XSAVEComponents: amd, AVX512F: true}, 2432, true},
		{"AVX", hostcpu.Facts{OSXSAVE: true, XSAVESize: 832, XSAVEComponents: avx}, 832, false},
		{"XSAVE without AVX", hostcpu.Facts{OSXSAVE: true, XSAVESize: 576}, 576, false},
		{"area smaller than the layout", hostcpu.Facts{OSXSAVE: true, XSAVESize: 2000, XSAVEComponents: intel, AVX512F: true}, 2000, true},
		{"no XSAVE", hostcpu.Facts{XSAVESize: 2440, XSAVEComponents: amd}, 0, false},
	} {
		setVecLayout(c.cpu)
		if vecCopy != c.wantCopy || vecAVX512 != c.wantAVX512 || vecLayout != c.cpu.XSAVEComponents {
			t.Errorf("%s: vecCopy %d, vecAVX512 %v; want %d, %v", c.name, vecCopy, vecAVX512, c.wantCopy, c.wantAVX512)
		}
	}
}
