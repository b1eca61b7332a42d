package main

// How run shows what the code itself writes to standard output and
// error (supervise.go has the parent that reads it): in text mode, in its
// own block before the report, which starts on a line of its own. When
// the code's last line has no newline, jitrun ends it and says so on a
// line of its own, so that "abc" and "abc\n" do not look alike.

// noNewlineNote is the line that follows code output that did not end
// with a newline; what names the stream.
func noNewlineNote(what string) string {
	return "(no newline at the end of the code's " + what + ")\n"
}

// endCodeText is what the code wrote to a stream, ending with a newline:
// its own, or jitrun's and the note that says so.
func endCodeText(b []byte, what string) string {
	if len(b) == 0 || b[len(b)-1] == '\n' {
		return string(b)
	}
	return string(b) + "\n" + noNewlineNote(what)
}
