//go:build race

package repl

// soakLines is how many lines TestSoak types under the race detector,
// which makes each some ten times slower: 2,000.
const soakLines = 2_000
