package ir

// HandOverBatch is how many statements a front end reads before it hands
// them over to the encoder (each syntax's ParseFunc; fewer at the end of
// the source, and where statements wait for a label). The front end's
// code then runs over a batch of lines, the encoder's over a batch of
// statements and golang-asm's over a run of instructions, and each stays
// in the processor's instruction cache while it runs; a line at a time,
// each evicted the others (cachegrind: 38 instruction-cache misses a line
// of the Intel corpus, 13 in batches of 64). Assemblies interleaved one by
// one in a process (300 of each, three sets) took less time than a
// statement at a time: in batches of 64, 7–9% less for amd64enc.s in Go
// syntax, 9% in AT&T syntax, 10–12% for the Intel corpus; batches of 128
// to 512 did no better, batches of 32 worse (3–9%). 64 is the encoder's
// chunk (encodeChunk in package asm), so a batch is let go of when it is
// encoded, and an assembly allocates what it did a statement at a time
// (the Intel front end's statements of a batch of 128 took a block of
// memory more).
const HandOverBatch = 64
