// The webgpu target is built: `-t spirv-asm` runs its whole pipeline on a khal kernel and prints the
// disassembly; `-t spirv` writes the binary (its magic number first).
// RUN: khal-opt %s -t spirv-asm | filecheck %s --check-prefix=ASM
// RUN: khal-opt %s -t spirv -o %t.spv && %python -c "import sys; print(open(sys.argv[1], 'rb').read(4).hex())" %t.spv | filecheck %s --check-prefix=BIN

khal.kernel @scale(%a: !khal.array<f32, read_write>, %s: f32) workgroup_size(64, 1, 1) {
  %i = khal.global_invocation_id x
  %x = khal.load %a[%i] : !khal.array<f32, read_write>, i32 -> f32
  %y = arith.mulf %x, %s : f32
  khal.store %y, %a[%i] : f32, !khal.array<f32, read_write>, i32
  khal.return
}

// ASM: OpCapability Shader
// ASM: OpEntryPoint GLCompute %{{[0-9]+}} "scale"
// ASM: OpExecutionMode %{{[0-9]+}} LocalSize 64 1 1
// ASM-NOT: Traceback
// BIN: 03022307
