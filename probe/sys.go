package probe

import (
	"runtime"

	"github.com/jitrun/jitrun/internal/platform"
)

// The package calls the kernel through internal/platform (and execmem and
// trampoline); it runs where they all do: linux/amd64.
const supported = platform.Supported && runtime.GOARCH == "amd64"

// setReadImpliesExec adds READ_IMPLIES_EXEC to the personality.
func setReadImpliesExec() error {
	cur, err := platform.Personality()
	if err != nil {
		return err
	}
	return platform.SetPersonality(cur | platform.ReadImpliesExec)
}
