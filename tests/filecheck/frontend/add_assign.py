# RUN: %python %s | filecheck %s
# ruff: noqa: E501 - CHECK lines quote whole IR lines
# The seed example: one id op for `.x`, an unsigned bounds check against len(a), load-add-store.
import khal
import khal.std as ks
from khal import Array, f32


@khal.kernel(workgroup_size=64)
def add_assign(a: Array[f32], b: Array[f32]):
    tid = ks.global_invocation_id().x
    if tid < len(a):
        a[tid] += b[tid]


print(add_assign.ir())

# CHECK:      khal.kernel @add_assign(%a: !khal.array<f32, read_write>, %b: !khal.array<f32, read_write>) workgroup_size(64, 1, 1) {
# CHECK-NEXT:   %tid = khal.global_invocation_id x
# CHECK-NEXT:   %[[N:.*]] = khal.len %a : !khal.array<f32, read_write>
# CHECK-NEXT:   %[[IN:.*]] = arith.cmpi ult, %tid, %[[N]] : i32
# CHECK-NEXT:   scf.if %[[IN]] {
# CHECK-NEXT:     %[[X:.*]] = khal.load %a[%tid] : !khal.array<f32, read_write>, i32 -> f32
# CHECK-NEXT:     %[[Y:.*]] = khal.load %b[%tid] : !khal.array<f32, read_write>, i32 -> f32
# CHECK-NEXT:     %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
# CHECK-NEXT:     khal.store %[[S]], %a[%tid] : f32, !khal.array<f32, read_write>, i32
# CHECK-NEXT:   }
# CHECK-NEXT:   khal.return
# CHECK-NOT:  khal.global_invocation_id
