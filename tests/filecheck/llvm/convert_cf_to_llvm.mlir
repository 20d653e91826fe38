// RUN: khal-opt %s -p convert-cf-to-llvm | filecheck %s

// Branches become llvm branches; non-entry block arguments get LLVM types (index -> i64).
// CHECK-LABEL: func.func @branches(
// CHECK:       llvm.cond_br %c, ^[[A:.*]](%{{.*}} : i64), ^[[B:.*]]
// CHECK:     ^[[A]](%{{.*}}: i64):
// CHECK:       llvm.br ^[[B]]
// CHECK:     ^[[B]]:
func.func @branches(%c: i1, %i: index) {
  cf.cond_br %c, ^a(%i : index), ^b
^a(%j: index):
  cf.br ^b
^b:
  func.return
}

// cf.switch: a chain of compare-and-branch blocks.
// CHECK-LABEL: func.func @switch(
// CHECK:       %[[C:.*]] = llvm.mlir.constant(1 : i32) : i32
// CHECK:       %[[E:.*]] = llvm.icmp "eq" %x, %[[C]] : i32
// CHECK:       llvm.cond_br %[[E]], ^{{.*}}, ^[[NEXT:.*]]
// CHECK:     ^[[NEXT]]:
// CHECK:       llvm.icmp "eq" %x, %{{.*}} : i32
// CHECK:       llvm.cond_br %{{.*}}, ^{{.*}}, ^{{.*}}(%x : i32)
func.func @switch(%x: i32) -> i32 {
  cf.switch %x : i32, [
    default: ^d(%x : i32),
    1: ^one,
    5: ^five
  ]
^one:
  %a = arith.constant 10 : i32
  cf.br ^d(%a : i32)
^five:
  %b = arith.constant 50 : i32
  cf.br ^d(%b : i32)
^d(%r: i32):
  func.return %r : i32
}
