//go:build race

package asm

// raceEnabled is set in test binaries built with the race detector.
const raceEnabled = true
