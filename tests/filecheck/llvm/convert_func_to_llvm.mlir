// RUN: khal-opt %s -p convert-func-to-llvm | filecheck %s

// Private functions are internal and always inlined; several results are packed in a struct.
// CHECK:      llvm.func internal @pair(%a: i32, %b: f32) -> !llvm.struct<(i32, f32)> attributes {passthrough = ["nounwind", "alwaysinline"]} {
// CHECK:        %[[U:.*]] = llvm.mlir.undef : !llvm.struct<(i32, f32)>
// CHECK:        %[[S0:.*]] = llvm.insertvalue %a, %[[U]][0] : !llvm.struct<(i32, f32)>
// CHECK:        %[[S1:.*]] = llvm.insertvalue %b, %[[S0]][1] : !llvm.struct<(i32, f32)>
// CHECK:        llvm.return %[[S1]] : !llvm.struct<(i32, f32)>
func.func private @pair(%a: i32, %b: f32) -> (i32, f32) {
  func.return %a, %b : i32, f32
}

// Public functions keep external linkage and their argument attributes; index is i64.
// CHECK:      llvm.func @k(%p: !llvm.ptr {llvm.nocapture}, %n: i64, %i: i64) -> f32 attributes {passthrough = ["nounwind"]} {
// CHECK:        %[[R:.*]] = llvm.call @pair(%{{.*}}, %{{.*}}) : (i32, f32) -> !llvm.struct<(i32, f32)>
// CHECK:        llvm.extractvalue %[[R]][1] : !llvm.struct<(i32, f32)>
func.func @k(%p: !llvm.ptr {llvm.nocapture}, %n: i64, %i: index) -> f32 {
  %a = arith.constant 1 : i32
  %b = arith.constant 2.0 : f32
  %r:2 = func.call @pair(%a, %b) : (i32, f32) -> (i32, f32)
  func.return %r#1 : f32
}

// Declarations stay declarations.
// CHECK: llvm.func @ext(f32) -> f32
func.func private @ext(f32) -> f32
