package asm

// parseIntel parses Intel (NASM-style) syntax into statements.
//
// This placeholder is replaced by the Intel front end (issue 7).
func parseIntel(file string, src []byte) ([]Stmt, ErrorList) {
	return nil, ErrorList{{Pos: Pos{File: file, Line: 1, Col: 1}, Msg: "Intel syntax is not supported yet"}}
}
