package ir

// DataSym is one symbol of a data section: a label (or the section's
// name, for the bytes before its first label) and the bytes from Off up
// to the next one.
type DataSym struct {
	Name      string
	Off, Size int64
	Pos       Pos
}

// DataSymbols splits a data section of size bytes named section (declared
// at pos) at its labels (labels[i] at offsets[i], written at labelPos[i],
// offsets ascending) into symbols, in order: the bytes before its first
// label (named after the section, only if there are any or the section
// has no label and is not empty), then one per label. Labels at the same
// offset, and a label at the end, are symbols of size 0.
func DataSymbols(section string, pos Pos, size int64, labels []string, offsets []int64, labelPos []Pos) []DataSym {
	var out []DataSym
	if len(labels) == 0 && size > 0 || len(labels) > 0 && offsets[0] > 0 {
		out = append(out, DataSym{Name: section, Pos: pos})
	}
	for i, l := range labels {
		out = append(out, DataSym{Name: l, Off: offsets[i], Pos: labelPos[i]})
	}
	for i := range out {
		end := size
		if i+1 < len(out) {
			end = out[i+1].Off
		}
		out[i].Size = end - out[i].Off
	}
	return out
}
