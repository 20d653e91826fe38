// RUN: khal-opt %s -p convert-khal-to-nvvm | filecheck %s
// RUN: khal-opt %s -t ptx | filecheck %s --check-prefix=PTX

// `convert-khal-to-nvvm` keeps the kernel's grid shape: a func.func marked `khal.cuda_kernel` with the same
// parameters; ids read the special registers, with the workgroup size as a constant (64 x 2 here);
// subgroups are warps of 32 over the active lanes; i32 reductions are `redux.sync`; f32 ones are a
// butterfly in a full warp, else fold every active lane in lane order from the first (every lane gets
// the same bits either way); barriers are `barrier0`, a storage barrier adds `membar.gl` before it. `-t ptx` runs the whole CUDA pipeline and emits PTX.

// CHECK:      func.func @k(%a: !khal.array<f32, read_write>, %u: !khal.array<i32, read_write>, %n: i32) attributes {khal.workgroup_size = array<i64: 64, 2, 1>, khal.cuda_kernel} {
// CHECK-NEXT:   %g = arith.constant 2 : i32
// CHECK-NEXT:   %g_1 = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.ctaid.y"() : () -> i32
// CHECK-NEXT:   %g_2 = arith.muli %g_1, %g : i32
// CHECK-NEXT:   %g_3 = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.tid.y"() : () -> i32
// CHECK-NEXT:   %g_4 = arith.addi %g_2, %g_3 : i32
// CHECK:        %l_3 = arith.constant 64 : i32
// CHECK-NEXT:   %l_4 = arith.muli %l_1, %l_3 : i32
// CHECK-NEXT:   %l_5 = arith.constant 128 : i32
// CHECK:        %w = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.ctaid.z"() : () -> i32
// CHECK-NEXT:   %c = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.nctaid.x"() : () -> i32
// CHECK-NEXT:   %t = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.tid.x"() : () -> i32
// CHECK-NEXT:   %s = arith.constant 32 : i32
// CHECK-NEXT:   %lane = llvm.call_intrinsic "llvm.nvvm.read.ptx.sreg.laneid"() : () -> i32
// CHECK:        %r = llvm.call_intrinsic "llvm.nvvm.activemask"() : () -> i32
// CHECK-NEXT:   %r_1 = arith.constant -1 : i32
// CHECK-NEXT:   %r_2 = arith.cmpi eq, %r, %r_1 : i32
// CHECK-NEXT:   %r_3 = scf.if %r_2 -> (f32) {
// CHECK:          %[[B16:.*]] = llvm.call_intrinsic "llvm.nvvm.shfl.sync.bfly.f32"(%{{.*}}, %v, %{{.*}}, %{{.*}}) : (i32, f32, i32, i32) -> f32
// CHECK-NEXT:     %{{.*}} = arith.addf %v, %[[B16]] : f32
// CHECK-COUNT-4:  llvm.call_intrinsic "llvm.nvvm.shfl.sync.bfly.f32"
// CHECK:          scf.yield
// CHECK-NEXT:   } else {
// CHECK:          %[[FIRST:.*]] = llvm.call_intrinsic "llvm.cttz.i32"(%r, %{{.*}}) : (i32, i1) -> i32
// CHECK:          %[[START:.*]] = llvm.call_intrinsic "llvm.nvvm.shfl.sync.idx.f32"(%r, %v, %[[FIRST]], %{{.*}})
// CHECK:          scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %[[START]]) -> (f32) : i32 {
// CHECK:            llvm.call_intrinsic "llvm.nvvm.shfl.sync.idx.f32"(%r, %v,
// CHECK-NEXT:       arith.addf
// CHECK-NEXT:       arith.select
// CHECK:        %m_1 = llvm.call_intrinsic "llvm.nvvm.redux.sync.umax"(%n, %m) : (i32, i32) -> i32
// CHECK:        %b_4 = llvm.call_intrinsic "llvm.nvvm.shfl.sync.idx.f32"(%b, %v, %b_2, %b_3) : (i32, f32, i32, i32) -> f32
// CHECK-NEXT:   llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK-NEXT:   llvm.call_intrinsic "llvm.nvvm.membar.gl"() : () -> ()
// CHECK-NEXT:   llvm.call_intrinsic "llvm.nvvm.barrier0"() : () -> ()
// CHECK:        func.return
// CHECK-NOT:  khal.kernel

// PTX:      .version 8.0
// PTX-NEXT: .target sm_80
// PTX:      .visible .entry k(
// PTX-NEXT:   .param .u64 .ptr .global .align 1 k_param_0,
// PTX-NEXT:   .param .u64 k_param_1,
// PTX-NEXT:   .param .u64 .ptr .global .align 1 k_param_2,
// PTX-NEXT:   .param .u64 k_param_3,
// PTX-NEXT:   .param .u32 k_param_4
// PTX:        %ctaid.y
// PTX-DAG:    activemask.b32
// PTX-DAG:    shfl.sync.bfly.b32
// PTX-DAG:    shfl.sync.idx.b32
// PTX-DAG:    redux.sync.max.u32
// PTX:        bar.sync 0;
// PTX-NEXT:   membar.gl;
// PTX-NEXT:   bar.sync 0;
// PTX:        st.global

builtin.module {
  khal.kernel @k(%a: !khal.array<f32, read_write>, %u: !khal.array<i32, read_write>, %n: i32) workgroup_size(64, 2, 1) {
    %g = khal.global_invocation_id y
    %l = khal.local_invocation_index
    %w = khal.workgroup_id z
    %c = khal.num_workgroups x
    %t = khal.local_invocation_id x
    %s = khal.subgroup_size
    %lane = khal.subgroup_invocation_id
    %v = khal.load %a[%g] : !khal.array<f32, read_write>, i32 -> f32
    %r = khal.subgroup_reduce add %v : f32
    %m = khal.subgroup_reduce umax %n : i32
    %b = khal.subgroup_broadcast_first %v : f32
    khal.workgroup_barrier
    khal.storage_barrier
    khal.store %r, %a[%l] : f32, !khal.array<f32, read_write>, i32
    khal.store %b, %a[%w] : f32, !khal.array<f32, read_write>, i32
    khal.store %m, %u[%c] : i32, !khal.array<i32, read_write>, i32
    khal.store %s, %u[%t] : i32, !khal.array<i32, read_write>, i32
    khal.store %lane, %u[%lane] : i32, !khal.array<i32, read_write>, i32
    khal.return
  }
}
