package trampoline

// The runtime's m, as far as the trampoline reads it (runtime2.go; the
// offsets are checked against the running runtime at set-up: procidOK,
// mLayoutOK). Here, without a build constraint, because the frame holds
// the guarded words on every platform.
const (
	mProcidOffset = 64  // m.procid; keep equal to m_procid in tramp_amd64.s
	mTLSOffset    = 128 // m.tls; the FS base is the M + mTLSOffset + 8
	mCurgOffset   = 184 // m.curg, after the TLS slots and mstartfn

	// The guarded words (mguard.go): g0 at 0, then procid, gsignal,
	// goSigStack (5 words) and sigmask, up to the TLS slots.
	mGuardWords  = 1 + (mTLSOffset-mProcidOffset)/8
	mGsignalWord = 2 // gsignal's index in frame.mWords

	// The guarded words past curg (mguard.go), m.p to m.printlock:
	// what Go's own code reads before it writes it, among the words code
	// reaches with an 8-bit displacement from FS and an access of up to
	// 16 bytes (the last at m+mTLSOffset+8+127+15).
	// m.caughtsig, m.signalSecret (which the collector clears from
	// another thread) and m.id lie among them and are left alone: Go
	// reads them only to print or after a crash.
	mPOffset          = 208 // m.p, after caughtsig and signalSecret
	mNextpOffset      = 216 // m.nextp: startm throws "m has p" unless 0
	mOldpOffset       = 224 // m.oldp: the P exitsyscall takes back
	mMallocingOffset  = 240 // m.mallocing and m.throwing, one word (after m.id)
	mPreemptoffOffset = 248 // m.preemptoff, a string: pointer, then length
	mLocksOffset      = 264 // m.locks (procPin counts in it), then m.dying, 4 bytes each
	mProfilehzOffset  = 272 // m.profilehz, then spinning, blocked, newSigstack, printlock
)
