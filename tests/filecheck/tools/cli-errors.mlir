// Every way of calling khal-opt wrongly: one line on stderr, exit 1 (2 for argparse usage), no traceback.

// RUN: not khal-opt %s -p no-such-pass 2>&1 | filecheck %s --check-prefix=PASS
// PASS: khal-opt: error: Unrecognized passes: ['no-such-pass']

// RUN: not khal-opt %s -p 'canonicalize{no-such-option=1}' 2>&1 | filecheck %s --check-prefix=OPTION
// OPTION: khal-opt: error: Provided arguments ["no_such_option"] not found in expected arguments

// RUN: not khal-opt %s -p 'cse{' 2>&1 | filecheck %s --check-prefix=PIPELINE
// PIPELINE:      khal-opt: error: Error parsing pass pipeline specification:
// PIPELINE-NEXT: pass-pipeline:1:5

// RUN: not khal-opt %S/no-such-file.mlir 2>&1 | filecheck %s --check-prefix=MISSING
// MISSING: khal-opt: error: No such file or directory: {{.*}}no-such-file.mlir

// RUN: not khal-opt %s -o %S/no-such-dir/out.mlir 2>&1 | filecheck %s --check-prefix=OUTPUT
// OUTPUT: khal-opt: error: No such file or directory: {{.*}}no-such-dir/out.mlir

// RUN: not khal-opt %s -t no-such-target 2>&1 | filecheck %s --check-prefix=TARGET
// TARGET: khal-opt: error: argument -t/--target: invalid choice: 'no-such-target' (choose from khal, llvm, spirv-asm, llvm-opt, ptx, spirv,

// RUN: not khal-opt %s -p no-such-pass 2>&1 | filecheck %s --check-prefix=NOTB
// RUN: not khal-opt %s -p 'canonicalize{no-such-option=1}' 2>&1 | filecheck %s --check-prefix=NOTB
// RUN: not khal-opt %s -p 'cse{' 2>&1 | filecheck %s --check-prefix=NOTB
// RUN: not khal-opt %S/no-such-file.mlir 2>&1 | filecheck %s --check-prefix=NOTB
// RUN: not khal-opt %s -o %S/no-such-dir/out.mlir 2>&1 | filecheck %s --check-prefix=NOTB
// RUN: not khal-opt %s -t no-such-target 2>&1 | filecheck %s --check-prefix=NOTB
// NOTB-NOT: Traceback

khal.kernel @k() workgroup_size(1, 1, 1) {
  khal.return
}
