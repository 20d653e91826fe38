# RUN: %python %s | filecheck %s
# ruff: noqa: E501 - CHECK lines quote whole IR lines
# `and`, `or` and `x if c else y` short-circuit: the unused side sits in an scf.if branch, so a
# guarded load never runs out of bounds.
import khal
import khal.std as ks
from khal import Array, f32


@khal.kernel
def guarded(a: Array[f32], out: Array[f32]):
    i = ks.global_invocation_id().x
    ok = i < len(a) and a[i] > 0.0
    big = i >= len(a) or a[i] > 10.0
    out[0] = a[i] if ok else -1.0
    out[1] = 1.0 if big else 0.0
    if 0.0 < out[2] < 1.0:
        out[3] = 1.0


print(guarded.ir())

# CHECK-LABEL: khal.kernel @guarded
# CHECK:       %[[IN:.*]] = arith.cmpi ult, %i, %{{.*}} : i32
# CHECK-NEXT:  %ok = scf.if %[[IN]] -> (i1) {
# CHECK-NEXT:    khal.load %a[%i]
# CHECK:         scf.yield %{{.*}} : i1
# CHECK-NEXT:  } else {
# CHECK-NEXT:    %[[F:.*]] = arith.constant false
# CHECK-NEXT:    scf.yield %[[F]] : i1
# CHECK-NEXT:  }
# `or`: the constant true is on the then side.
# CHECK:       %[[OUT:.*]] = arith.cmpi uge, %i, %{{.*}} : i32
# CHECK-NEXT:  %big = scf.if %[[OUT]] -> (i1) {
# CHECK-NEXT:    %[[T:.*]] = arith.constant true
# CHECK-NEXT:    scf.yield %[[T]] : i1
# CHECK-NEXT:  } else {
# CHECK-NEXT:    khal.load %a[%i]
# The ternary loads a[i] only on its then side.
# CHECK:       %[[SEL:.*]] = scf.if %ok -> (f32) {
# CHECK-NEXT:    %[[X:.*]] = khal.load %a[%i]
# CHECK-NEXT:    scf.yield %[[X]] : f32
# CHECK-NEXT:  } else {
# CHECK-NEXT:    %[[M:.*]] = arith.constant -1.000000e+00 : f32
# CHECK-NEXT:    scf.yield %[[M]] : f32
# CHECK-NEXT:  }
# A chained comparison is an `and` that reads out[2] once.
# CHECK:       %[[O2:.*]] = khal.load %out[%{{.*}}]
# CHECK:       %[[C1:.*]] = arith.cmpf olt, %{{.*}}, %[[O2]] : f32
# CHECK-NEXT:  %[[C:.*]] = scf.if %[[C1]] -> (i1) {
# CHECK-NEXT:    %{{.*}} = arith.constant 1.000000e+00 : f32
# CHECK-NEXT:    %{{.*}} = arith.cmpf olt, %[[O2]], %{{.*}} : f32
