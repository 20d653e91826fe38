# RUN: %python %s | filecheck %s
# ruff: noqa: E501 - CHECK lines quote whole IR lines
# An early `return` sets a hidden flag; the rest of the body runs under `if not flag`, and loops stop
# when it is set. A trailing return needs no flag.
import khal
import khal.std as ks
from khal import Array, f32, i32


@khal.kernel
def early(a: Array[f32]):
    i = ks.global_invocation_id().x
    if i >= len(a):
        return
    a[i] = a[i] * 2.0


@khal.func
def find(a: Array[f32], x: f32) -> i32:
    for i in range(len(a)):
        if a[i] == x:
            return i32(i)
    return -1


@khal.kernel
def search(a: Array[f32], out: Array[i32]):
    out[0] = find(a, 3.0)


print(early.ir())
print(search.ir())

# CHECK-LABEL: khal.kernel @early
# CHECK:       %[[NO:.*]] = arith.constant false
# CHECK:       %[[RET:.*]] = scf.if %{{.*}} -> (i1) {
# CHECK-NEXT:    %[[YES:.*]] = arith.constant true
# CHECK-NEXT:    scf.yield %[[YES]] : i1
# CHECK-NEXT:  } else {
# CHECK-NEXT:    scf.yield %[[NO]] : i1
# CHECK-NEXT:  }
# CHECK-NEXT:  %[[T:.*]] = arith.constant true
# CHECK-NEXT:  %[[GO:.*]] = arith.xori %[[RET]], %[[T]] : i1
# CHECK-NEXT:  scf.if %[[GO]] {
# CHECK:         arith.mulf
# CHECK:         khal.store
# CHECK:       khal.return

# CHECK-LABEL: khal.kernel @search
# CHECK:       func.call @find(%a, %{{.*}}) : (!khal.array<f32, read_write>, f32) -> i32
# CHECK-LABEL: func.func private @find(%a: !khal.array<f32, read_write>, %x: f32) -> i32 {
# The flag and the return value travel through the loop as iteration values.
# CHECK:       scf.while ({{.*}}) : (i1, i32, i32) -> (i1, i32, i32) {
# CHECK:         %[[NR:.*]] = arith.xori
# CHECK-NEXT:    %[[LT:.*]] = arith.cmpi ult
# CHECK-NEXT:    %[[GO:.*]] = arith.andi %[[NR]], %[[LT]] : i1
# CHECK-NEXT:    scf.condition(%[[GO]])
# CHECK:       } do {
# CHECK:         arith.cmpf oeq
# After the loop, the trailing `return -1` runs only if no return happened inside it.
# CHECK:         scf.yield %{{.*}}, %{{.*}}, %{{.*}} : i1, i32, i32
# CHECK-NEXT:  }
# CHECK:       %{{[0-9]+}}, %[[R:[0-9]+]] = scf.if %{{[0-9]+}} -> (i1, i32) {
# CHECK-NEXT:    arith.constant -1 : i32
# CHECK:       func.return %[[R]] : i32
