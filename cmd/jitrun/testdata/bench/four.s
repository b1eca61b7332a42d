// Four independent ADD chains: throughput.
ADDQ BX, AX
ADDQ BX, CX
ADDQ BX, DX
ADDQ BX, SI
