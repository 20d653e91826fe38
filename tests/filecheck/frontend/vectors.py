# RUN: %python %s | filecheck %s
# ruff: noqa: E501 - CHECK lines quote whole IR lines
# Vectors: construction, swizzles (read and assign), indexing, arithmetic with scalars, and lazy
# ids: `.x` of an id vector is one op, the whole vector is built only when it is needed.
import khal
import khal.std as ks
from khal import Array, UVec3, Vec2, Vec3, Vec4, f32


@khal.kernel(workgroup_size=(8, 8, 1))
def vec(out: Array[Vec3], s: Array[f32]):
    gid = ks.global_invocation_id()
    i = gid.x + gid.y * 8
    v = Vec3(1.0, 2.0, s[i])
    v.x = 5.0
    v.yz = Vec2(v.z, v.y)
    w = Vec4(v, 1.0)
    s[i] = w.w + v[1] + ks.dot(v, v)
    out[i] = v.zyx * 2.0 + ks.cross(v, Vec3(0.0, 1.0, 0.0))
    ids = UVec3(ks.workgroup_id())
    s[i + 1] = f32(ids[2])


print(vec.ir())

# CHECK-LABEL: khal.kernel @vec
# CHECK-NEXT:  %[[X:.*]] = khal.global_invocation_id x
# CHECK-NEXT:  %[[Y:.*]] = khal.global_invocation_id y
# CHECK-NOT:   khal.global_invocation_id z
# CHECK:       %i = arith.addi %[[X]], %{{.*}} : i32
# Vec3(1.0, 2.0, s[i]): broadcast the first component, insert the others.
# CHECK:       %[[B:.*]] = vector.broadcast %{{.*}} : f32 to vector<3xf32>
# CHECK-NEXT:  %[[B1:.*]] = vector.insert %{{.*}}, %[[B]] [1] : f32 into vector<3xf32>
# CHECK-NEXT:  %v = vector.insert %{{.*}}, %[[B1]] [2] : f32 into vector<3xf32>
# v.x = 5.0
# CHECK:       %v_1 = vector.insert %{{.*}}, %v [0] : f32 into vector<3xf32>
# v.yz = Vec2(v.z, v.y): component-wise inserts
# CHECK:       vector.insert %{{.*}}, %v_1 [1] : f32 into vector<3xf32>
# CHECK:       %v_2 = vector.insert %{{.*}}, %{{.*}} [2] : f32 into vector<3xf32>
# Vec4(v, 1.0) takes v's components.
# CHECK:       vector.extract %v_2[0] : f32 from vector<3xf32>
# CHECK:       %w = vector.insert %{{.*}}, %{{.*}} [3] : f32 into vector<4xf32>
# v.zyx is a shuffle; `* 2.0` broadcasts the scalar.
# CHECK:       %[[SW:.*]] = vector.shuffle %v_2, %v_2 [2, 1, 0] : vector<3xf32>, vector<3xf32>
# CHECK:       %[[TWO:.*]] = vector.broadcast %{{.*}} : f32 to vector<3xf32>
# CHECK-NEXT:  arith.mulf %[[SW]], %[[TWO]] : vector<3xf32>
# cross(a, b) = a.yzx * b.zxy - a.zxy * b.yzx
# CHECK:       vector.shuffle %v_2, %v_2 [1, 2, 0]
# CHECK:       arith.subf %{{.*}}, %{{.*}} : vector<3xf32>
# The whole workgroup id is needed, so all three components are built.
# CHECK:       khal.workgroup_id x
# CHECK-NEXT:  khal.workgroup_id y
# CHECK-NEXT:  khal.workgroup_id z
