/* fault_oracle: the cost of one fault recovered by a bare C signal
 * handler, the oracle BenchmarkFaultC compares jitrun's recovered faults
 * with (bench_test.go). Usage: fault_oracle SIGNAL N, SIGNAL one of
 * SIGSEGV (a NULL load), SIGILL (UD2), SIGTRAP (INT3), SIGFPE (an integer
 * division by zero), SIGBUS (a misaligned load with EFLAGS.AC set); it
 * raises the fault N times and prints the mean nanoseconds per fault.
 * The handler runs on a signal stack (SA_ONSTACK), as jitrun's does in
 * every Go thread, and only moves RIP past the faulting instruction (and
 * clears AC): nothing else. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

static volatile long skip; /* bytes of the faulting instruction (0 after INT3: RIP is past it) */

static void handler(int sig, siginfo_t *si, void *ucv) {
	ucontext_t *uc = ucv;
	(void)sig;
	(void)si;
	uc->uc_mcontext.gregs[REG_RIP] += skip;
	uc->uc_mcontext.gregs[REG_EFL] &= ~0x40000L; /* AC */
}

static double now(void) {
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void fault(const char *which) {
	if (!strcmp(which, "SIGSEGV")) {
		skip = 3; /* mov rax, [rax] */
		__asm__ volatile("xor %%eax, %%eax\n\tmov (%%rax), %%rax" ::: "rax", "memory");
	} else if (!strcmp(which, "SIGILL")) {
		skip = 2; /* ud2 */
		__asm__ volatile("ud2" ::: "memory");
	} else if (!strcmp(which, "SIGTRAP")) {
		skip = 0;
		__asm__ volatile("int3" ::: "memory");
	} else if (!strcmp(which, "SIGFPE")) {
		skip = 2; /* div ecx */
		__asm__ volatile("xor %%ecx, %%ecx\n\txor %%edx, %%edx\n\tmov $1, %%eax\n\tdiv %%ecx" ::: "rax", "rcx", "rdx", "memory");
	} else if (!strcmp(which, "SIGBUS")) {
		skip = 4; /* mov eax, [rsp+1] */
		__asm__ volatile("pushfq\n\torl $0x40000, (%%rsp)\n\tpopfq\n\tmov 1(%%rsp), %%eax" ::: "rax", "memory");
	} else {
		fprintf(stderr, "fault_oracle: unknown signal %s\n", which);
		exit(2);
	}
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: fault_oracle SIGNAL N\n");
		return 2;
	}
	long n = atol(argv[2]);
	if (n <= 0 || n > 100000000) {
		fprintf(stderr, "fault_oracle: N must be 1 to 100000000\n");
		return 2;
	}
	static char altstack[1 << 16];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
	sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	int sigs[] = {SIGSEGV, SIGILL, SIGTRAP, SIGFPE, SIGBUS};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	fault(argv[1]); /* once untimed: pages and handler warm */
	double t0 = now();
	for (long i = 0; i < n; i++)
		fault(argv[1]);
	printf("%.1f\n", (now() - t0) / n);
	return 0;
}
