package examples_test

import (
	"fmt"
	"path"

	"github.com/jitrun/jitrun/internal/examples"
)

func ExampleList() {
	list, err := examples.List()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, ex := range list {
		if name := path.Base(ex.Name); name == "add" || name == "mapsum" {
			fmt.Printf("%s (%s): %+v\n", ex.File, ex.Syntax, ex.Runs[0])
		}
	}
	// Output:
	// add.asm (intel): {Args:[2 3] Entry: Timeout: Stack: Threads: Map: MapData:[]}
	// add.s (go): {Args:[2 3] Entry: Timeout: Stack: Threads: Map: MapData:[]}
	// att/add.s (att): {Args:[2 3] Entry: Timeout: Stack: Threads: Map: MapData:[]}
	// att/mapsum.s (att): {Args:[] Entry: Timeout: Stack: Threads: Map:examples/numbers.txt MapData:[49 48 10 50 48 10 51 10 52 10 53 10]}
	// mapsum.asm (intel): {Args:[] Entry: Timeout: Stack: Threads: Map:examples/numbers.txt MapData:[49 48 10 50 48 10 51 10 52 10 53 10]}
	// mapsum.s (go): {Args:[] Entry: Timeout: Stack: Threads: Map:examples/numbers.txt MapData:[49 48 10 50 48 10 51 10 52 10 53 10]}
}
