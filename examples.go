// Package jitrun is the repository's root. The library lives in its
// packages (asm, execmem, trampoline, disasm, explain, …) and the command
// in cmd/jitrun; this package only embeds the examples directory, which
// no package below the root can reach with go:embed (a pattern cannot
// climb with ..) and which cannot hold a Go package itself (the go command
// would assemble its .s files). internal/examples reads it.
package jitrun

import (
	"embed"
	"io/fs"
)

//go:embed examples/*.s examples/*.asm examples/att/*.s examples/numbers.txt
var examplesFS embed.FS

// Examples is the examples directory: the .s and .asm sources, the AT&T
// twins under att/, and the data files they map, under "examples/". It
// is read-only.
func Examples() fs.FS { return examplesFS }
