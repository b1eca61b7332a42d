package execmem

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseMaps(t *testing.T) {
	const text = `00400000-00571000 r-xp 00000000 fe:00 9989690   /tmp/go build/jitrun.test
7f78a4c77000-7f78a4c78000 ---p 00000000 00:00 0 
7f0c1d200000-7f0c1d201000 rw-s 00001000 00:01 4242                       /memfd:jitrun-code (deleted)
7ffedefc2000-7ffedefe3000 rw-p 00000000 00:00 0                          [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]

`
	got, err := ParseMaps("maps", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want := []Region{
		{Start: 0x400000, End: 0x571000, Prot: ProtRX, Dev: "fe:00", Inode: 9989690, Path: "/tmp/go build/jitrun.test"},
		{Start: 0x7f78a4c77000, End: 0x7f78a4c78000, Prot: ProtNone, Dev: "00:00"},
		{Start: 0x7f0c1d200000, End: 0x7f0c1d201000, Prot: ProtRW, Shared: true, Offset: 0x1000, Dev: "00:01", Inode: 4242, Path: "/memfd:jitrun-code (deleted)"},
		{Start: 0x7ffedefc2000, End: 0x7ffedefe3000, Prot: ProtRW, Dev: "00:00", Path: "[stack]"},
		{Start: 0xffffffffff600000, End: 0xffffffffff601000, Prot: ProtExec, Dev: "00:00", Path: "[vsyscall]"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseMaps:\n%+v\nwant\n%+v", got, want)
	}
	if s := want[2].String(); s != "7f0c1d200000-7f0c1d201000 rw-s 00001000 00:01 4242 /memfd:jitrun-code (deleted)" {
		t.Errorf("String() = %q", s)
	}
	if r, ok := FindRegion(got, 0x7ffedefe2fff); !ok || r.Path != "[stack]" || r.Len() != 0x21000 {
		t.Errorf("FindRegion = %+v, %v", r, ok)
	}
	if _, ok := FindRegion(got, 0x7ffedefe3000); ok {
		t.Error("FindRegion found the end address")
	}
}

func TestParseMapsErrors(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"00400000 r-xp 0 00:00 0", `maps:2:1: address range "00400000" has no '-'`},
		{"zz-10 r-xp 0 00:00 0", `maps:2:1: start address "zz" is not hexadecimal`},
		{"10-zz r-xp 0 00:00 0", `maps:2:4: end address "zz" is not hexadecimal`},
		{"20-10 r-xp 0 00:00 0", `maps:2:1: address range "20-10" ends before it starts`},
		{"10-20 r-x 0 00:00 0", `maps:2:7: permissions "r-x": want four letters like r-xp`},
		{"10-20 rqxp 0 00:00 0", `maps:2:7: permissions "rqxp": want r/w/x or '-' in the first three letters`},
		{"10-20 r-xp g 00:00 0", `maps:2:12: offset "g" is not hexadecimal`},
		{"10-20 r-xp 0 0000 0", `maps:2:14: device "0000": want MAJOR:MINOR in hexadecimal`},
		{"10-20 r-xp 0 00:00 x", `maps:2:20: inode "x" is not a decimal number`},
		{"10-20 r-xp 0 00:00", `maps:2:19: inode "" is not a decimal number`},
	} {
		_, err := ParseMaps("maps", []byte("10-20 ---p 0 00:00 0\n"+tc.line+"\n"))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: err = %v\nwant %s", tc.line, err, tc.want)
		}
		if _, ok := err.(*MapsError); !ok {
			t.Errorf("%q: error is %T, want *MapsError", tc.line, err)
		}
	}
}

func FuzzParseMaps(f *testing.F) {
	f.Add([]byte("00400000-00571000 r-xp 00000000 fe:00 9989690 /bin/x\n7ffe-7fff rw-p 0 00:00 0 [stack]\n"))
	f.Add([]byte("10-20 ---p 0 00:00 0"))
	f.Add([]byte("-\n \n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		regions, err := ParseMaps("fuzz", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "fuzz:") {
				t.Errorf("error %q: want one line at fuzz:LINE:COL", err)
			}
			return
		}
		// What parses prints back to text that parses to the same regions
		// (paths are trimmed of leading spaces and cannot hold newlines).
		var b strings.Builder
		for _, r := range regions {
			b.WriteString(r.String() + "\n")
		}
		again, err := ParseMaps("again", []byte(b.String()))
		if err != nil {
			t.Fatalf("reparse of %q: %v", b.String(), err)
		}
		for i := range regions {
			regions[i].Dev = strings.ToLower(regions[i].Dev)
			again[i].Dev = strings.ToLower(again[i].Dev)
		}
		if !reflect.DeepEqual(regions, again) {
			t.Errorf("round trip:\n%+v\n%+v", regions, again)
		}
	})
}
