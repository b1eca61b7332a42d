package isolate

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/jitrun/jitrun/internal/platform"
	"github.com/jitrun/jitrun/trampoline"
)

// The child's side. The parent marks the child with childEnv, whose value
// is the policy and the limits ("web cpu=10 as=2147483648 fsize=1048576
// nofile=64"); Child applies the limits, and BeforeCode the policy. When
// Child cannot apply them it rewrites the variable to "refuse REASON", and
// BeforeCode then refuses to let the code run.
const (
	childEnv = "JITRUN_ISOLATE"
	// noSupervisorEnv makes jitrun run and bench work in one process
	// (cmd/jitrun's run_local.go): the isolated child is its own
	// supervisor's child already.
	noSupervisorEnv = "JITRUN_NO_SUPERVISOR"
	crashFD         = 3
	refusePrefix    = "refuse "
)

// childEnviron returns the minimal environment of a child: its mark, and
// jitrun's run and bench in one process (no PATH, no HOME, nothing of the
// parent's).
func childEnviron(p Policy, l Limits) []string {
	cpu := int64((l.CPU + time.Second - 1) / time.Second)
	return []string{
		fmt.Sprintf("%s=%s cpu=%d as=%d fsize=%d nofile=%d", childEnv, p, cpu, l.AddressSpace, l.FileSize, l.OpenFiles),
		noSupervisorEnv + "=1",
	}
}

// childConfig is what the mark says.
type childConfig struct {
	policy                 Policy
	cpu, as, fsize, nofile uint64
}

// parseChildEnv reads the mark's value.
func parseChildEnv(v string) (childConfig, error) {
	var c childConfig
	fields := strings.Fields(v)
	if len(fields) != 5 {
		return c, fmt.Errorf("isolate: %s=%q: want a policy and four limits", childEnv, v)
	}
	switch fields[0] {
	case "local":
		c.policy = Local
	case "web":
		c.policy = Web
	default:
		return c, fmt.Errorf("isolate: %s=%q: unknown policy %q", childEnv, v, fields[0])
	}
	for i, key := range []string{"cpu", "as", "fsize", "nofile"} {
		val, ok := strings.CutPrefix(fields[i+1], key+"=")
		n, err := strconv.ParseUint(val, 10, 63)
		if !ok || err != nil || n == 0 || key == "cpu" && n > uint64(maxWall/time.Second) {
			return c, fmt.Errorf("isolate: %s=%q: want %s=N (N > 0) as field %d", childEnv, v, key, i+2)
		}
		*[]*uint64{&c.cpu, &c.as, &c.fsize, &c.nofile}[i] = n
	}
	return c, nil
}

// Child must be called first thing in main (and in a TestMain that runs
// this program as the child). In an isolated child it sets no_new_privs
// and the limits — RLIMIT_CPU (soft and hard: the kernel sends SIGKILL at
// the hard limit; the SIGXCPU of a lower soft limit, Go ignores), RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NOFILE and
// RLIMIT_CORE 0 — and sends a Go fatal error's text to the parent; in any
// other process it returns at once. It first closes the descriptors
// above 3 inherited without close-on-exec. If a limit cannot be set, the code
// will not run: BeforeCode returns the error.
func Child() {
	v, ok := os.LookupEnv(childEnv)
	if !ok || strings.HasPrefix(v, refusePrefix) {
		return
	}
	// Descriptors past the crash pipe that the parent held without
	// close-on-exec (from whoever started it): the code could read them.
	if err := platform.CloseInherited(crashFD + 1); err != nil {
		os.Setenv(childEnv, refusePrefix+err.Error())
		return
	}
	if err := applyLimits(v); err != nil {
		os.Setenv(childEnv, refusePrefix+err.Error())
		return
	}
	if platform.IsPipe(crashFD) {
		crash := os.NewFile(crashFD, "crash")
		debug.SetCrashOutput(crash, debug.CrashOptions{}) // keeps a copy of its own
		crash.Close()
	}
}

// applyLimits sets no_new_privs and the limits the mark's value v names.
func applyLimits(v string) error {
	c, err := parseChildEnv(v)
	if err != nil {
		return err
	}
	if err := platform.SetNoNewPrivs(); err != nil {
		return err
	}
	for _, l := range []struct {
		resource   int
		soft, hard uint64
	}{
		{platform.RlimitCPU, c.cpu, c.cpu}, // SIGKILL at the limit: Go ignores SIGXCPU
		{platform.RlimitAS, c.as, c.as},
		{platform.RlimitFSize, c.fsize, c.fsize},
		{platform.RlimitNoFile, c.nofile, c.nofile},
		{platform.RlimitCore, 0, 0},
	} {
		if err := platform.SetRlimit(l.resource, l.soft, l.hard); err != nil {
			return err
		}
	}
	return nil
}

// IsChild reports whether this process is an isolated child.
func IsChild() bool {
	_, ok := os.LookupEnv(childEnv)
	return ok
}

// BeforeCode is called by jitrun right before the code runs (every call:
// it is cheap once done). In an isolated child under the Web policy it
// installs the filter of trampoline.GuardWeb for the whole process; under
// Local it does nothing more. It returns an error when the child's
// isolation is not in place — Child could not set it up, or the filter
// could not be installed — and then the code must not run. Outside an
// isolated child it returns nil at once.
func BeforeCode() error {
	v, ok := os.LookupEnv(childEnv)
	if !ok {
		return nil
	}
	if reason, refused := strings.CutPrefix(v, refusePrefix); refused {
		return errors.New(reason)
	}
	c, err := parseChildEnv(v)
	if err != nil {
		return err
	}
	if c.policy == Web {
		if err := trampoline.GuardWeb(); err != nil {
			return fmt.Errorf("isolate: the web policy's filter: %w", err)
		}
	}
	return nil
}
