package memarg

import (
	"bytes"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		arg  string
		want Spec
	}{
		{"str:hi", Spec{Kind: KindStr, Data: []byte("hi\x00"), Size: 3}},
		{"str:", Spec{Kind: KindStr, Data: []byte{0}, Size: 1}},
		{"str:a:b,c", Spec{Kind: KindStr, Data: []byte("a:b,c\x00"), Size: 6}},
		{"buf:16", Spec{Kind: KindBuf, Size: 16}},
		{"buf:0", Spec{Kind: KindBuf, Size: 0}},
		{"buf:0x100", Spec{Kind: KindBuf, Size: 256}},
		{"buf:4k", Spec{Kind: KindBuf, Size: 4096}},
		{"buf:1M", Spec{Kind: KindBuf, Size: 1 << 20}},
		{"buf:1G", Spec{Kind: KindBuf, Size: 1 << 30}},
		{"file:x/y.bin", Spec{Kind: KindFile, Path: "x/y.bin"}},
		{"i64:1,-2,3", Spec{Kind: KindArray, Elem: I64, Size: 24, Data: []byte{1, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 3, 0, 0, 0, 0, 0, 0, 0}}},
		{"i32:-1,0x7fffffff", Spec{Kind: KindArray, Elem: I32, Size: 8, Data: []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}}},
		{"u8:0,255,0x10", Spec{Kind: KindArray, Elem: U8, Size: 3, Data: []byte{0, 255, 16}}},
		{"i8:-128,127", Spec{Kind: KindArray, Elem: I8, Size: 2, Data: []byte{0x80, 0x7f}}},
		{"u16:65535", Spec{Kind: KindArray, Elem: U16, Size: 2, Data: []byte{0xff, 0xff}}},
		{"i16:-32768", Spec{Kind: KindArray, Elem: I16, Size: 2, Data: []byte{0x00, 0x80}}},
		{"u32:4294967295", Spec{Kind: KindArray, Elem: U32, Size: 4, Data: []byte{0xff, 0xff, 0xff, 0xff}}},
		{"u64:0xffffffffffffffff", Spec{Kind: KindArray, Elem: U64, Size: 8, Data: bytes.Repeat([]byte{0xff}, 8)}},
		{"i64:1_000", Spec{Kind: KindArray, Elem: I64, Size: 8, Data: []byte{0xe8, 0x03, 0, 0, 0, 0, 0, 0}}},
		{"f64:1.5,-2", Spec{Kind: KindArray, Elem: F64, Size: 16, Data: []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0}}},
		{"f32:0.5,inf", Spec{Kind: KindArray, Elem: F32, Size: 8, Data: []byte{0, 0, 0, 0x3f, 0, 0, 0x80, 0x7f}}},
	}
	for _, tt := range tests {
		got, isMem, err := Parse(tt.arg)
		tt.want.Arg = tt.arg
		if err != nil || !isMem || got.Kind != tt.want.Kind || got.Elem != tt.want.Elem || got.Size != tt.want.Size ||
			got.Path != tt.want.Path || got.Arg != tt.want.Arg || !bytes.Equal(got.Data, tt.want.Data) {
			t.Errorf("Parse(%q) = %+v, %v, %v; want %+v", tt.arg, got, isMem, err, tt.want)
		}
	}
}

func TestParseNotMemory(t *testing.T) {
	for _, arg := range []string{"42", "-1", "0x10", "1.5", "-2e3", "inf", "abc", ""} {
		if s, isMem, err := Parse(arg); isMem || err != nil || s.Kind != 0 {
			t.Errorf("Parse(%q) = %+v, %v, %v; want not a memory argument", arg, s, isMem, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ arg, want string }{
		{"foo:1", `foo:1: unknown memory argument type "foo": the forms are ` + Forms},
		{":1", `:1: unknown memory argument type "": the forms are ` + Forms},
		{"I64:1", `I64:1: unknown memory argument type "I64": the forms are ` + Forms},
		{"i32:1,99999999999", "i32:1,99999999999: element 2, 99999999999, does not fit in i32"},
		{"i8:128", "i8:128: element 1, 128, does not fit in i8"},
		{"i8:-129", "i8:-129: element 1, -129, does not fit in i8"},
		{"u8:256", "u8:256: element 1, 256, does not fit in u8"},
		{"u8:-1", "u8:-1: element 1, -1, does not fit in u8"},
		{"u16:65536", "u16:65536: element 1, 65536, does not fit in u16"},
		{"i16:32768", "i16:32768: element 1, 32768, does not fit in i16"},
		{"u32:0x100000000", "u32:0x100000000: element 1, 0x100000000, does not fit in u32"},
		{"i64:0x8000000000000000", "i64:0x8000000000000000: element 1, 0x8000000000000000, does not fit in i64"},
		{"i64:-99999999999999999999", "i64:-99999999999999999999: element 1, -99999999999999999999, does not fit in i64"},
		{"u64:-1", "u64:-1: element 1, -1, does not fit in u64"},
		{"u64:99999999999999999999", "u64:99999999999999999999: element 1, 99999999999999999999, does not fit in u64"},
		{"i64:1,x", "i64:1,x: element 2, x, is not an integer (42, -0x2a, 0b101)"},
		{"i64:1.5", "i64:1.5: element 1, 1.5, is not an integer (42, -0x2a, 0b101)"},
		{"i64:", "i64:: no elements: write i64:V,V,…"},
		{"i64:1,,2", "i64:1,,2: element 2 is empty"},
		{"i64:1,", "i64:1,: element 2 is empty"},
		{"f32:1e39", "f32:1e39: element 1, 1e39, does not fit in f32"},
		{"f64:1e999", "f64:1e999: element 1, 1e999, does not fit in f64"},
		{"f64:1,abc", "f64:1,abc: element 2, abc, is not a number (1.5, -2e3, 0x1p-2, inf, nan)"},
		{"buf:", `buf:: "" is not a size: write buf:N (64, 0x40, 4k, 1M)`},
		{"buf:-1", `buf:-1: "-1" is not a size: write buf:N (64, 0x40, 4k, 1M)`},
		{"buf:lots", `buf:lots: "lots" is not a size: write buf:N (64, 0x40, 4k, 1M)`},
		{"buf:2G", "buf:2G: 2 GiB is over the cap of 1 GiB for one buffer"},
		{"buf:1073741825", "buf:1073741825: 1073741825 bytes is over the cap of 1 GiB for one buffer"},
		{"buf:0x80000000", "buf:0x80000000: 2 GiB is over the cap of 1 GiB for one buffer"},
		{"buf:99999999999999999999", "buf:99999999999999999999: 99999999999999999999 is over the cap of 1 GiB for one buffer"},
		{"file:", "file:: no path: write file:PATH"},
	}
	for _, tt := range tests {
		_, isMem, err := Parse(tt.arg)
		if !isMem || err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) = %v, %v\nwant %s", tt.arg, isMem, err, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"str:hi", "buf:4k", "i64:1,-2,3", "f32:0.5,inf", "u8:255", "file:x", "foo:1", "42", "i16:-0x8000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		s, isMem, err := Parse(arg)
		if isMem != strings.Contains(arg, ":") {
			t.Fatalf("Parse(%q): isMem %v", arg, isMem)
		}
		if err != nil || !isMem {
			return
		}
		switch {
		case s.Size < 0 || s.Size > MaxBuffer:
			t.Fatalf("Parse(%q): size %d", arg, s.Size)
		case s.Kind != KindBuf && s.Kind != KindFile && len(s.Data) != s.Size:
			t.Fatalf("Parse(%q): %d bytes of data, size %d", arg, len(s.Data), s.Size)
		case s.Kind == KindArray && s.Size%s.Elem.Size() != 0:
			t.Fatalf("Parse(%q): size %d of %s", arg, s.Size, s.Elem)
		}
	})
}
