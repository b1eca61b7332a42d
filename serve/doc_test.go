package serve

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// docs/serve.md shows the API as curl sessions in ```text blocks:
// "$ curl -s [-H 'K: V'] localhost:8642/PATH [-d 'BODY']" and the answer
// after it. TestDocSessions sends each request to a server of its own (as
// localhost:8642, the Host the page names) and compares the answer; an
// answer whose last line is "…" is compared on the lines before it.

const docPage = "../docs/serve.md"

// docSession is one curl command of the page and the answer it shows.
type docSession struct {
	line   int // 1-based, of the "$ curl" line
	method string
	path   string
	body   string
	header map[string]string
	answer []string
	cut    bool
}

var (
	docDuration = regexp.MustCompile(`"duration_ns": [0-9]+`)
	docAddr     = regexp.MustCompile(`0x7[0-9a-f]{11}`)
)

// readDocSessions reads the curl sessions of the page.
func readDocSessions(t *testing.T) []docSession {
	t.Helper()
	b, err := os.ReadFile(docPage)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var out []docSession
	inText := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case l == "```text":
			inText = true
			continue
		case strings.HasPrefix(l, "```"):
			inText = false
			continue
		case !inText || !strings.HasPrefix(l, "$ curl "):
			continue
		}
		s, err := parseCurl(strings.TrimPrefix(l, "$ curl "))
		if err != nil {
			t.Fatalf("%s:%d: %v", docPage, i+1, err)
		}
		s.line = i + 1
		for i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "$ ") && !strings.HasPrefix(lines[i+1], "```") {
			i++
			s.answer = append(s.answer, lines[i])
		}
		if n := len(s.answer); n > 0 && s.answer[n-1] == "…" {
			s.answer, s.cut = s.answer[:n-1], true
		}
		out = append(out, s)
	}
	return out
}

// parseCurl reads the arguments of one curl command: words, or text in
// single quotes.
func parseCurl(cmd string) (docSession, error) {
	var words []string
	for cmd = strings.TrimSpace(cmd); cmd != ""; cmd = strings.TrimSpace(cmd) {
		if cmd[0] == '\'' {
			end := strings.IndexByte(cmd[1:], '\'')
			if end < 0 {
				return docSession{}, fmt.Errorf("unclosed quote in %q", cmd)
			}
			words, cmd = append(words, cmd[1:end+1]), cmd[end+2:]
			continue
		}
		w, rest, _ := strings.Cut(cmd, " ")
		words, cmd = append(words, w), rest
	}
	s := docSession{method: http.MethodGet, header: map[string]string{}}
	for i := 0; i < len(words); i++ {
		switch w := words[i]; {
		case w == "-s":
		case (w == "-d" || w == "-H") && i+1 < len(words):
			i++
			if w == "-d" {
				s.method, s.body = http.MethodPost, words[i]
				continue
			}
			k, v, ok := strings.Cut(words[i], ": ")
			if !ok {
				return s, fmt.Errorf("header %q: want 'Key: value'", words[i])
			}
			s.header[k] = v
		case strings.HasPrefix(w, "localhost:8642/"):
			s.path = strings.TrimPrefix(w, "localhost:8642")
		default:
			return s, fmt.Errorf("curl argument %q: the test knows -s, -d 'BODY', -H 'K: V' and localhost:8642/PATH", w)
		}
	}
	if s.path == "" {
		return s, fmt.Errorf("no localhost:8642/PATH")
	}
	return s, nil
}

func TestDocSessions(t *testing.T) {
	sessions := readDocSessions(t)
	if len(sessions) < 6 {
		t.Fatalf("%s has %d curl sessions; the parser lost some", docPage, len(sessions))
	}
	ts := startServer(t, Config{})
	_, port, _ := strings.Cut(ts.addr, ":")
	host := "localhost:" + port
	for _, s := range sessions {
		req, err := http.NewRequest(s.method, ts.url+s.path, strings.NewReader(s.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		for k, v := range s.header {
			req.Header.Set(k, strings.ReplaceAll(v, "localhost:8642", host))
		}
		resp, err := ts.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := strings.ReplaceAll(string(b), host, "localhost:8642")
		got = docAddr.ReplaceAllString(docDuration.ReplaceAllString(got, `"duration_ns": N`), "0x7ADDR")
		gotLines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
		if s.cut && len(gotLines) > len(s.answer) {
			gotLines = gotLines[:len(s.answer)]
		}
		if strings.Join(gotLines, "\n") != strings.Join(s.answer, "\n") {
			t.Errorf("%s:%d: the answer differs; got:\n%s\nthe page shows:\n%s", docPage, s.line, strings.Join(gotLines, "\n"), strings.Join(s.answer, "\n"))
		}
	}
}
