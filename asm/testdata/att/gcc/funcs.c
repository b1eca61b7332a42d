/* Leaf functions the AT&T front end assembles from gcc's output and runs
 * (asm/att_gcc_test.go): gcc -O2 -S -fPIE -fno-asynchronous-unwind-tables
 * -mpopcnt -fno-tree-loop-distribute-patterns. Each has a Go twin in the
 * test that computes the expected result. No libc: nothing to link. */

long sum(const long *a, long n) {
	long s = 0;
	for (long i = 0; i < n; i++)
		s += a[i];
	return s;
}

long my_strlen(const char *s) {
	const char *p = s;
	while (*p)
		p++;
	return p - s;
}

void copy_bytes(char *dst, const char *src, long n) {
	for (long i = 0; i < n; i++)
		dst[i] = src[i];
}

int popcount(unsigned long x) { return __builtin_popcountl(x); }

/* A dense switch: gcc -fPIE makes it a jump table of .long .L3-.L4. */
int classify(int x) {
	switch (x) {
	case 0: return 17;
	case 1: return 4;
	case 2: return 99;
	case 3: return -3;
	case 4: return 12;
	case 5: return 1000;
	case 6: return 7;
	case 7: return 55;
	case 8: return -100;
	default: return 0;
	}
}

double dot(const double *a, const double *b, long n) {
	double s = 0;
	for (long i = 0; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/* Constants in .rodata.cst8. */
double poly(double x) { return 3.5 * x * x - 1.25 * x + 0.1; }

float mean(const float *a, int n) {
	float s = 0;
	for (int i = 0; i < n; i++)
		s += a[i];
	return n > 0 ? s / n : 0;
}

unsigned gcd(unsigned a, unsigned b) {
	while (b) {
		unsigned t = a % b;
		a = b;
		b = t;
	}
	return a;
}

long collatz(long n) {
	long steps = 0;
	while (n != 1) {
		n = (n & 1) ? 3 * n + 1 : n / 2;
		steps++;
	}
	return steps;
}

/* A table in .rodata. */
static const signed char hexdigits[128] = {
	['0'] = 0, ['1'] = 1, ['2'] = 2, ['3'] = 3, ['4'] = 4, ['5'] = 5, ['6'] = 6, ['7'] = 7,
	['8'] = 8, ['9'] = 9, ['a'] = 10, ['b'] = 11, ['c'] = 12, ['d'] = 13, ['e'] = 14, ['f'] = 15,
	['A'] = 10, ['B'] = 11, ['C'] = 12, ['D'] = 13, ['E'] = 14, ['F'] = 15, ['g'] = -1,
};

long parse_hex(const char *s) {
	long v = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 128 || hexdigits[c] < 0 || (hexdigits[c] == 0 && c != '0'))
			return -1;
		v = v * 16 + hexdigits[c];
	}
	return v;
}

/* Writable data: a counter in .bss (.local/.comm) and one in .data. */
static long counter;
static long step = 5;

long bump(void) {
	counter += step;
	step++;
	return counter;
}

/* Sign and zero extensions: movsbl, movzwl, movslq, cltq. */
long widen(signed char a, unsigned short b, int c) { return (long)a + (long)b + (long)c; }

/* A string in .rodata.str1.1. */
int greeting_char(int i) {
	static const char *const g = "hello, AT&T";
	return i >= 0 && i < 11 ? g[i] : -1;
}

/* A switch with code in each case: a jump table of .long .L3-.L4 in
 * .rodata, and an indirect jmp *%rax. */
long calc(int op, long a, long b) {
	switch (op) {
	case 0: return a + b;
	case 1: return a - b;
	case 2: return a * b;
	case 3: return a & b;
	case 4: return a | b;
	case 5: return a ^ b;
	case 6: return a << (b & 63);
	case 7: return a >> (b & 63);
	case 8: return b ? a / b : 0;
	case 9: return b ? a % b : 0;
	default: return -1;
	}
}
