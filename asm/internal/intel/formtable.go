package intel

// FormTable returns the generated form table (table_gen.go) as text, one
// form a line: mnemonic classes GOOP args flags (see intelFormTable). The
// AT&T front end (asm/internal/att) reads the same table: the two syntaxes
// name the same instructions, in opposite operand orders.
func FormTable() string { return intelFormTable }
