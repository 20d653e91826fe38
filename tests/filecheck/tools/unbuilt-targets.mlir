// Targets whose backend is not in this build say so in one line and exit 1, with no traceback.
// RUN: not khal-opt %s -t spirv-asm 2>&1 | filecheck %s --check-prefix=ASM

builtin.module {
}

// ASM: khal-opt: error: target 'spirv-asm' is not available in this build
// ASM-NOT: Traceback
