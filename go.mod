module github.com/jitrun/jitrun

go 1.26.8

require (
	github.com/twitchyliquid64/golang-asm v0.15.1
	golang.org/x/arch v0.33.0
	golang.org/x/sys v0.50.0
)
