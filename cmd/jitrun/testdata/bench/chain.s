// A dependency chain of 64-bit multiplies: latency.
IMULQ BX, AX
