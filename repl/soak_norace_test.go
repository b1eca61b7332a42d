//go:build !race

package repl

// soakLines is how many lines TestSoak types: the full 10,000 (about 5 s).
const soakLines = 10_000
