package ir

// HandOverBatch is how many statements a front end reads before it hands
// them over to the encoder (each syntax's ParseFunc; fewer at the end of
// the source, and where statements wait for a label). The front end's
// code then runs over a batch of lines, the encoder's over a batch of
// statements and golang-asm's over a run of instructions, and each stays
// in the processor's instruction cache while it runs; a line at a time,
// each evicted the others (cachegrind: 38 instruction-cache misses a line
// of the Intel corpus, 9 in batches of 128). Assemblies interleaved one by
// one in a process (300 of each) took 8–11% less time than a statement at
// a time in batches of 64 to 512 (amd64enc.s in Go and AT&T syntax, the
// Intel corpus), 5–9% less in batches of 32. 64 is the encoder's chunk
// (encodeChunk in package asm), so a batch is let go of when it is
// encoded, and an assembly allocates what it did a statement at a time;
// the Intel front end's statements of a batch of 128 took a block of
// memory more.
const HandOverBatch = 64
