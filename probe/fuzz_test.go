package probe

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseTouches: whatever parses prints back to the same touches, and
// nothing panics.
func FuzzParseTouches(f *testing.F) {
	for _, s := range []string{"", "read", "read,write@0x10,exec@0", "r@1,w@0b11,x@0o17", " exec @ 4096 ", "write@", "read,,exec", "exec@0x800000000000", "read@-1", "READ@1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		touches, err := ParseTouches(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "touch list ") || !strings.Contains(err.Error(), "column ") {
				t.Errorf("ParseTouches(%q): error %q is not positioned", s, err)
			}
			return
		}
		var parts []string
		for _, tc := range touches {
			if tc.Access < Read || tc.Access > Exec || tc.Offset >= maxTouchOffset {
				t.Fatalf("ParseTouches(%q) = %v", s, touches)
			}
			parts = append(parts, tc.String())
		}
		back, err := ParseTouches(strings.Join(parts, ","))
		if err != nil || !reflect.DeepEqual(back, touches) {
			t.Errorf("ParseTouches(%q) = %v; reparsed %v, %v", s, touches, back, err)
		}
	})
}

// FuzzResultJSON: whatever a Result reads from, it writes back to JSON
// that reads back equal.
func FuzzResultJSON(f *testing.F) {
	for _, r := range sampleReport().Probes {
		data, _ := json.Marshal(r)
		f.Add(string(data))
	}
	f.Add(`{"name":"a","evidence":{"mmap":{"outcome":"fault","signo":11,"code":1,"trap":14,"addr":"0x0","pc":"0x1","error_code":"0x4"}}}`)
	f.Fuzz(func(t *testing.T, s string) {
		var r Result
		if json.Unmarshal([]byte(s), &r) != nil {
			return
		}
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", r, err)
		}
		var back Result
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("re-reading %s: %v", data, err)
		}
		if !utf8.ValidString(s) {
			return // invalid UTF-8 in strings is replaced on the way out
		}
		if !reflect.DeepEqual(back, r) {
			t.Errorf("round trip of %s:\n got %+v\nwant %+v", s, back, r)
		}
	})
}

// FuzzMatch: prefixes select by prefix; globs never panic.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"matrix", "exec.*", "*.heap", "[", "mdwe.mmap_?x", "\\"} {
		f.Add(s, "matrix.mmap.r-x")
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		ok, err := Match(pattern, name)
		if !strings.ContainsAny(pattern, "*?[") && (err != nil || ok != strings.HasPrefix(name, pattern)) {
			t.Errorf("Match(%q, %q) = %v, %v; want the prefix test", pattern, name, ok, err)
		}
	})
}
