package repl

import (
	"context"
	"testing"
)

// BenchmarkReplLine is one line typed: assembled, loaded, run against
// the session's state, its changes found and the state checkpointed.
func BenchmarkReplLine(b *testing.B) {
	s := newSession(b, Options{})
	ctx := context.Background()
	for b.Loop() {
		out, err := s.Feed(ctx, "add rax, 3")
		if err != nil || out.Kind != Ran {
			b.Fatal(err, out)
		}
	}
}

// BenchmarkReplFault is a line that faults, with the state put back.
func BenchmarkReplFault(b *testing.B) {
	s := newSession(b, Options{})
	ctx := context.Background()
	for b.Loop() {
		out, err := s.Feed(ctx, "mov rax, [0]")
		if err != nil || out.Kind != Faulted {
			b.Fatal(err, out)
		}
	}
}
