package platform

import (
	"errors"
	"fmt"
	"runtime"
)

// ErrUnsupported is what every function returns where Supported is false.
// It wraps errors.ErrUnsupported.
var ErrUnsupported = fmt.Errorf("needs linux, running on %s/%s: %w", runtime.GOOS, runtime.GOARCH, errors.ErrUnsupported)
