//go:build !(linux && amd64)

package bench

// On other systems every measurement fails with errUnsupported before any
// of these is reached.

const supported = false

func pinThread() (int, func() error, error) { return -1, nil, errUnsupported }

type perfCounter struct{}

func openPerfCycles() (*perfCounter, error)    { return nil, errUnsupported }
func (p *perfCounter) counter() (uint32, bool) { return 0, false }
func (p *perfCounter) width() uint             { return 48 }
func (p *perfCounter) close()                  {}
