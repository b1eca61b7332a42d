package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jitrun/jitrun/repl"
)

// The terminal's history, kept between sessions in the user's state
// directory: $XDG_STATE_HOME/jitrun/repl_history, or
// ~/.local/state/jitrun/repl_history. One line per line typed, at most
// maxHistory of them (the file is cut back to them when it grows to
// twice as many); lines longer than repl.MaxLineLen are not kept.

const maxHistory = 1000

// historyPath is where the history lives.
func historyPath() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "jitrun", "repl_history"), nil
}

// replHistory is term.History over the file: the lines in memory, newest
// last, each added line appended to the file.
type replHistory struct {
	lines []string
	f     *os.File
	keys  *ctrlCReader // a line cancelled with Ctrl-C is not kept
}

// openHistory reads the history file (creating its directory) and opens
// it for appending.
func openHistory(keys *ctrlCReader) (*replHistory, error) {
	path, err := historyPath()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	h := &replHistory{keys: keys}
	data, err := readTail(path, maxHistory*(repl.MaxLineLen+1))
	if err != nil {
		return nil, err
	}
	all := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for _, l := range all {
		if l != "" && len(l) <= repl.MaxLineLen {
			h.lines = append(h.lines, l)
		}
	}
	if len(h.lines) > maxHistory {
		h.lines = h.lines[len(h.lines)-maxHistory:]
	}
	if len(all) >= 2*maxHistory {
		// Cut the file back to what is kept.
		var b bytes.Buffer
		for _, l := range h.lines {
			b.WriteString(l + "\n")
		}
		if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
			return nil, err
		}
	}
	if h.f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err != nil {
		return nil, err
	}
	return h, nil
}

// readTail reads at most the last limit bytes of a file (nothing when
// it does not exist), from the start of a line.
func readTail(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	start := max(fi.Size()-limit, 0)
	data, err := io.ReadAll(io.NewSectionReader(f, start, limit))
	if err != nil {
		return nil, err
	}
	if start > 0 {
		// Drop the part of a line the cut began in.
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			data = data[i+1:]
		}
	}
	return data, nil
}

// Add keeps a line typed: not a blank one, one cancelled, one too long,
// nor the same as the one before.
func (h *replHistory) Add(line string) {
	if strings.TrimSpace(line) == "" || h.keys.cancelled || len(line) > repl.MaxLineLen ||
		len(h.lines) > 0 && h.lines[len(h.lines)-1] == line {
		return
	}
	h.lines = append(h.lines, line)
	if len(h.lines) > maxHistory {
		h.lines = h.lines[1:]
	}
	if h.f != nil {
		fmt.Fprintln(h.f, line)
	}
}

// Len is how many lines are kept.
func (h *replHistory) Len() int { return len(h.lines) }

// At is the line idx back: 0 the newest.
func (h *replHistory) At(idx int) string { return h.lines[len(h.lines)-1-idx] }

func (h *replHistory) close() error { return h.f.Close() }
