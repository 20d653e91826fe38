// RUN: khal-opt %s -p 'convert-khal-to-nvvm{virtual_grid=true}' | filecheck %s
// RUN: khal-opt %s -p 'convert-khal-to-nvvm{virtual_grid=true},khal-cuda-lower-abi' | filecheck %s --check-prefix=ABI

// The variant the CUDA runtime launches for Indirect grids (and y/z past 65535): four more parameters;
// the counts are `__grid[0..2]` when `__grid` is not empty, else the values; the body runs in a
// grid-stride loop over the linear workgroup index (from ctaid.x by nctaid.x, up to the product of the
// counts, none past 2^31-1), unfolded into ids x fastest; `num_workgroups` is the counts. Workgroup
// memory stays outside the loop, and a barrier ends each iteration because the kernel uses it.

// CHECK:      func.func @k(%a: !khal.array<f32, read_write>, %__grid: !khal.array<i32, read>, %__grid_x: i32, %__grid_y: i32, %__grid_z: i32)
// CHECK-NEXT:   %wg = khal.workgroup_alloc
// CHECK:        %[[LEN:.*]] = khal.len %__grid
// CHECK-NEXT:   %[[GIVEN:.*]] = arith.cmpi ne, %[[LEN]], %{{.*}} : i32
// CHECK-NEXT:   %[[X:.*]], %[[Y:.*]], %c = scf.if %[[GIVEN]] -> (i32, i32, i32) {
// CHECK-COUNT-3:  khal.load %__grid[
// CHECK:        } else {
// CHECK-NEXT:     scf.yield %__grid_x, %__grid_y, %__grid_z : i32, i32, i32
// CHECK:        %[[X64:.*]] = arith.extui %[[X]] : i32 to i64
// CHECK:        arith.muli %[[X64]], %{{.*}} : i64
// CHECK-NEXT:   %[[TOTAL:.*]] = arith.muli %{{.*}}, %{{.*}} : i64
// CHECK-NEXT:   %[[LIMIT:.*]] = arith.constant 2147483647 : i64
// CHECK-NEXT:   %[[OVER:.*]] = arith.cmpi ugt, %[[TOTAL]], %[[LIMIT]] : i64
// CHECK:        %[[UPPER:.*]] = arith.select %[[OVER]], %{{.*}}, %[[TOTAL]] : i64
// CHECK-NEXT:   %[[CTA:.*]] = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.ctaid.x"()
// CHECK-NEXT:   %[[START:.*]] = arith.extui %[[CTA]] : i32 to i64
// CHECK-NEXT:   %[[NCTA:.*]] = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.nctaid.x"()
// CHECK-NEXT:   %[[STEP:.*]] = arith.extui %[[NCTA]] : i32 to i64
// CHECK-NEXT:   scf.for %[[LIN:.*]] = %[[START]] to %[[UPPER]] step %[[STEP]] : i64 {
// CHECK-NEXT:     %[[PLANE:.*]] = arith.muli %[[X64]], %{{.*}} : i64
// CHECK-NEXT:     %[[WZ:.*]] = arith.divui %[[LIN]], %[[PLANE]] : i64
// CHECK-NEXT:     %[[REST:.*]] = arith.remui %[[LIN]], %[[PLANE]] : i64
// CHECK-NEXT:     %[[WY:.*]] = arith.divui %[[REST]], %[[X64]] : i64
// CHECK-NEXT:     %[[WX:.*]] = arith.remui %[[REST]], %[[X64]] : i64
// CHECK-NEXT:     %[[GX:.*]] = arith.trunci %[[WX]] : i64 to i32
// CHECK-NEXT:     %w = arith.trunci %[[WY]] : i64 to i32
// CHECK:          %[[SIZE:.*]] = arith.constant 32 : i32
// CHECK-NEXT:     %[[BASE:.*]] = arith.muli %[[GX]], %[[SIZE]] : i32
// CHECK-NEXT:     %[[TID:.*]] = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.tid.x"()
// CHECK-NEXT:     %[[G:.*]] = arith.addi %[[BASE]], %[[TID]] : i32
// CHECK-NEXT:     %v = khal.load %a[%[[G]]]
// CHECK-NEXT:     khal.workgroup_store %v, %wg[%w]
// CHECK-NEXT:     khal.store %v, %a[%c]
// CHECK-NEXT:     llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK-NEXT:   }
// CHECK-NEXT:   func.return

// The interface lists the grid parameters after the kernel's: an array (ptr, len) and three u32.
// ABI:      {name = "__grid", kind = "array", access = "read", offset = 16 : i64, size = 16 : i64, fields = {ptr = 16 : i64, len = 24 : i64}
// ABI-SAME: {name = "__grid_x", kind = "value", access = "value", offset = 32 : i64, size = 4 : i64
// ABI-SAME: {name = "__grid_z", kind = "value", access = "value", offset = 40 : i64, size = 4 : i64

builtin.module {
  khal.kernel @k(%a: !khal.array<f32, read_write>) workgroup_size(32, 1, 1) {
    %wg = khal.workgroup_alloc : !khal.workgroup_array<32 x f32>
    %g = khal.global_invocation_id x
    %w = khal.workgroup_id y
    %c = khal.num_workgroups z
    %v = khal.load %a[%g] : !khal.array<f32, read_write>, i32 -> f32
    khal.workgroup_store %v, %wg[%w] : f32, !khal.workgroup_array<32 x f32>, i32
    khal.store %v, %a[%c] : f32, !khal.array<f32, read_write>, i32
    khal.return
  }
}
