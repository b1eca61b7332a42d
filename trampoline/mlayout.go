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
)
