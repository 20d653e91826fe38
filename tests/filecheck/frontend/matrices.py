# RUN: %python %s | filecheck %s
# ruff: noqa: E501 - CHECK lines quote whole IR lines
# Matrices are vector<CxRxf32> (outer dimension = column). Arithmetic is split into column ops:
# m @ v sums the columns scaled by v's components; m @ m applies that per column; m * s scales each column.
import khal
from khal import Array, Mat2, Vec2, f32


@khal.kernel
def mat(out: Array[Vec2], m: Mat2, s: f32):
    v = Vec2(1.0, 2.0)
    a = m @ v
    b = (m @ m) * s + m
    c = Mat2(v, a)
    out[0] = a + b[1] + c[0]


print(mat.ir())

# CHECK-LABEL: khal.kernel @mat(%out: !khal.array<vector<2xf32>, read_write>, %m: vector<2x2xf32>, %s: f32)
# m @ v
# CHECK:       %[[C0:.*]] = vector.extract %m[0] : vector<2xf32> from vector<2x2xf32>
# CHECK-NEXT:  %[[C1:.*]] = vector.extract %m[1] : vector<2xf32> from vector<2x2xf32>
# CHECK-NEXT:  %[[V0:.*]] = vector.extract %v[0] : f32 from vector<2xf32>
# CHECK-NEXT:  %[[B0:.*]] = vector.broadcast %[[V0]] : f32 to vector<2xf32>
# CHECK-NEXT:  %[[T0:.*]] = arith.mulf %[[C0]], %[[B0]] : vector<2xf32>
# CHECK-NEXT:  %[[V1:.*]] = vector.extract %v[1] : f32 from vector<2xf32>
# CHECK-NEXT:  %[[B1:.*]] = vector.broadcast %[[V1]] : f32 to vector<2xf32>
# CHECK-NEXT:  %[[T1:.*]] = arith.mulf %[[C1]], %[[B1]] : vector<2xf32>
# CHECK-NEXT:  %a = arith.addf %[[T0]], %[[T1]] : vector<2xf32>
# m @ m is rebuilt column by column
# CHECK:       vector.insert %{{.*}}, %{{.*}} [0] : vector<2xf32> into vector<2x2xf32>
# CHECK:       vector.insert %{{.*}}, %{{.*}} [1] : vector<2xf32> into vector<2x2xf32>
# * s: each column times broadcast(s)
# CHECK:       %[[S:.*]] = vector.broadcast %s : f32 to vector<2xf32>
# CHECK:       arith.mulf %{{.*}}, %[[S]] : vector<2xf32>
# CHECK:       arith.mulf %{{.*}}, %[[S]] : vector<2xf32>
# + m: column adds
# CHECK:       arith.addf %{{.*}}, %{{.*}} : vector<2xf32>
# CHECK:       arith.addf %{{.*}}, %{{.*}} : vector<2xf32>
# CHECK:       %b = vector.insert
# CHECK:       %c = vector.insert %a, %{{.*}} [1] : vector<2xf32> into vector<2x2xf32>
# CHECK:       vector.extract %b[1] : vector<2xf32> from vector<2x2xf32>
# CHECK:       vector.extract %c[0] : vector<2xf32> from vector<2x2xf32>
