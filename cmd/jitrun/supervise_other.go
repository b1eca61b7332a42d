//go:build !linux

package main

// supervise runs the command in this process: elsewhere than Linux,
// loading the code fails with an "unsupported" error before any of it runs.
func supervise(e *env, args []string, _ supervision) error {
	return dispatch(&env{stdin: e.stdin, stdout: e.stdout, stderr: e.stderr}, args)
}
