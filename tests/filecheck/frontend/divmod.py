# RUN: %python %s | filecheck %s
# ruff: noqa: E501 - CHECK lines quote whole IR lines
# `//` and `%` follow Python (floor) semantics on signed integers: truncating divsi/remsi plus a
# fix-up when the remainder is nonzero and its sign differs from the divisor's (signs compared
# one by one: NVIDIA's Vulkan driver evaluated `(r ^ b) < 0` inverted). Unsigned ints use
# divui/remui directly; floats emit `khal.divmodf` (Python's divmod, numpy's npy_divmod), which
# khal-expand-arith spells out: `//` takes its quotient, `%` its remainder.
import khal
from khal import Array, f32, i32, u32


@khal.kernel
def divmod_(a: Array[i32], u: Array[u32], f: Array[f32]):
    a[0] = a[1] // a[2]
    a[3] = a[4] % a[5]
    u[0] = u[1] // u[2] + u[3] % u[4]
    f[0] = f[1] // f[2] + f[3] % f[4]


print(divmod_.ir())

# CHECK-LABEL: khal.kernel @divmod_
# CHECK:       %[[Q:.*]] = arith.divsi %[[X:.*]], %[[Y:.*]] : i32
# CHECK-NEXT:  %[[R:.*]] = arith.remsi %[[X]], %[[Y]] : i32
# CHECK:       %[[NZ:.*]] = arith.cmpi ne, %[[R]], %[[Z:.*]] : i32
# CHECK-NEXT:  %[[RN:.*]] = arith.cmpi slt, %[[R]], %[[Z]] : i32
# CHECK-NEXT:  %[[YN:.*]] = arith.cmpi slt, %[[Y]], %[[Z]] : i32
# CHECK-NEXT:  %[[NEG:.*]] = arith.xori %[[RN]], %[[YN]] : i1
# CHECK-NEXT:  %[[FIX:.*]] = arith.andi %[[NZ]], %[[NEG]] : i1
# CHECK-NEXT:  %[[Q1:.*]] = arith.subi %[[Q]], %{{.*}} : i32
# CHECK-NEXT:  %[[FQ:.*]] = arith.select %[[FIX]], %[[Q1]], %[[Q]] : i32
# CHECK:       khal.store %[[FQ]], %a
# CHECK:       arith.remsi
# CHECK:       %[[R2:.*]] = arith.addi %[[RR:.*]], %{{.*}} : i32
# CHECK-NEXT:  %[[FR:.*]] = arith.select %{{.*}}, %[[R2]], %[[RR]] : i32
# CHECK:       khal.store %[[FR]], %a
# CHECK:       arith.divui
# CHECK:       arith.remui
# CHECK:       %[[FQ2:.*]], %{{.*}} = khal.divmodf %{{.*}}, %{{.*}} : f32
# CHECK:       %{{.*}}, %[[FR2:.*]] = khal.divmodf %{{.*}}, %{{.*}} : f32
# CHECK-NEXT:  arith.addf %[[FQ2]], %[[FR2]] : f32
