//go:build race

package probe

// raceEnabled is set in programs built with the race detector.
const raceEnabled = true
