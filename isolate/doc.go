// Package isolate runs a jitrun command in a child process — this program
// re-executed — under isolation, and turns whatever the child did into a
// Result, never a crash of the caller's.
//
// The model: Run makes a fresh private working directory, writes the
// Job's files into it, and starts the program (Job.Exe, by default this
// one) with the Job's arguments, a minimal environment that marks it as an
// isolated child, its own process group, standard input from the Job,
// standard output and error on pipes the parent reads up to
// Limits.Output, and one more pipe (descriptor 3) that receives a copy of
// a Go fatal error. The program must call Child first thing in main: in
// the isolated child it closes the descriptors above 3 it inherited
// without close-on-exec, sets no_new_privs and the resource limits (CPU
// time, address space, file size, open files, no core dumps) before
// jitrun's command runs; elsewhere it returns at once. jitrun then calls
// BeforeCode right before the code runs: under the Web policy it installs
// a system-call filter for the whole process (trampoline.GuardWeb), so
// that neither the code nor anything it jumps to can open a file, make a
// socket, start a process, or signal another process. Threads it can
// start, by jumping to the SYSCALL the Go runtime starts its own with
// (the filter cannot tell the two apart): they are bounded by the user's
// RLIMIT_NPROC and the kernel's, and die with the process group at the
// deadline. The parent kills the whole process group at the wall-clock
// deadline (or when the context ends), always waits for the child (no
// zombie remains), closes every descriptor it made, and removes the
// directory.
//
// A child that exited by itself gives its exit status (jitrun's: 0 to 5);
// one that died gives Result.Died, a line saying how, and the status the
// parent decided: 4 (timeout) when it was killed at the deadline, 5 (the
// code broke jitrun) otherwise. Run returns an error only for its own
// failures: a bad Job, no pipe, no process.
//
// Isolation needs Linux; elsewhere Run returns an error wrapping
// errors.ErrUnsupported.
package isolate
