package intel

import "slices"

// FormTable returns the generated form table (table_gen.go) as text, one
// form a line: mnemonic classes GOOP args flags (see intelFormTable). The
// AT&T front end (asm/internal/att) reads the same table: the two syntaxes
// name the same instructions, in opposite operand orders.
func FormTable() string { return intelFormTable }

// FormFields splits a line of FormTable into its five fields (mnemonic,
// classes, Go op or #bytes, args, flags), at runs of spaces and tabs as
// strings.Fields would, without allocating; it reports false for a line
// of any other number of fields (a blank line).
func FormFields(line string, fields *[5]string) bool {
	n := 0
	for i := 0; i < len(line); {
		if line[i] == ' ' || line[i] == '\t' || line[i] == '\r' {
			i++
			continue
		}
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' && line[j] != '\r' {
			j++
		}
		if n == len(fields) {
			return false
		}
		fields[n] = line[i:j]
		n++
		i = j
	}
	return n == len(fields)
}

// FormFlags is a form's flags field (the fifth) read: k, the form takes
// an opmask {k1}; K, it requires one; z, zeroing {z}; r, embedded
// rounding {rn-sae}; s, suppress-all-exceptions {sae}. Other letters (-)
// set nothing.
type FormFlags struct{ Mask, MaskReq, Zeroing, RC, SAE bool }

// ReadFormFlags reads a form's flags field.
func ReadFormFlags(s string) FormFlags {
	var fl FormFlags
	for _, c := range s {
		switch c {
		case 'k':
			fl.Mask = true
		case 'K':
			fl.Mask, fl.MaskReq = true, true
		case 'z':
			fl.Zeroing = true
		case 'r':
			fl.RC = true
		case 's':
			fl.SAE = true
		}
	}
	return fl
}

// ByMnemonic groups the forms of a table, in table order, by mnemonic:
// it returns each mnemonic's forms and the mnemonics in the order they
// first come. A run of one mnemonic's lines (the table is sorted) is a
// capacity-limited slice of one slice of pointers, so that appending to
// one mnemonic's forms never writes another's; a mnemonic whose lines are
// not all in one run gets its own slice.
func ByMnemonic[F any](forms []F, mnem func(*F) string) (map[string][]*F, []string) {
	ptrs := make([]*F, len(forms))
	runs := 0
	for i := range forms {
		ptrs[i] = &forms[i]
		if i == 0 || mnem(ptrs[i]) != mnem(ptrs[i-1]) {
			runs++
		}
	}
	m := make(map[string][]*F, runs)
	names := make([]string, 0, runs)
	for start := 0; start < len(forms); {
		name := mnem(ptrs[start])
		end := start + 1
		for end < len(forms) && mnem(ptrs[end]) == name {
			end++
		}
		run := ptrs[start:end:end]
		if prev, ok := m[name]; ok {
			m[name] = append(slices.Clip(prev), run...)
		} else {
			m[name] = run
			names = append(names, name)
		}
		start = end
	}
	return m, names
}
