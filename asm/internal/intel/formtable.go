package intel

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
