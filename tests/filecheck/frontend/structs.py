# RUN: %python %s | filecheck %s
# ruff: noqa: E501 - CHECK lines quote whole IR lines
# @khal.struct: arrays of structs, struct parameters, construction (positional, keywords, missing
# fields are zero), field reads, and field assignment on locals and on array elements.
import khal
import khal.std as ks
from khal import Array, Vec3, f32


@khal.struct
class Particle:
    pos: Vec3
    vel: Vec3
    mass: f32


@khal.kernel
def step(ps: Array[Particle], gravity: Particle, dt: f32):
    i = ks.global_invocation_id().x
    p = ps[i]
    p.vel += gravity.vel * dt
    p.pos += p.vel * dt
    ps[i] = p
    ps[i].mass += 1.0
    q = Particle(p.pos, vel=Vec3(0.0))
    ps[i + 1] = q


print(Particle.ir())
print(step.ir())

# CHECK: !khal.struct<"Particle", pos: vector<3xf32>, vel: vector<3xf32>, mass: f32>
# CHECK-LABEL: khal.kernel @step(%ps: !khal.array<!khal.struct<"Particle", pos: vector<3xf32>, vel: vector<3xf32>, mass: f32>, read_write>, %gravity: !khal.struct<"Particle", {{.*}}>, %dt: f32)
# CHECK:       %p = khal.load %ps[%i]
# CHECK-NEXT:  %[[V:.*]] = khal.struct_extract %p["vel"]
# CHECK-NEXT:  %[[G:.*]] = khal.struct_extract %gravity["vel"]
# CHECK:       %[[NV:.*]] = arith.addf %[[V]], %{{.*}} : vector<3xf32>
# CHECK-NEXT:  %[[P1:.*]] = khal.struct_insert %[[NV]], %p["vel"]
# CHECK:       %[[P2:.*]] = khal.struct_insert %{{.*}}, %[[P1]]["pos"]
# CHECK-NEXT:  khal.store %[[P2]], %ps[%i]
# `ps[i].mass += 1.0`: load the element, update the field, store it back.
# CHECK-NEXT:  %[[E:.*]] = khal.load %ps[%i]
# CHECK-NEXT:  %[[M:.*]] = khal.struct_extract %[[E]]["mass"]
# CHECK:       %[[M1:.*]] = arith.addf %[[M]], %{{.*}} : f32
# CHECK-NEXT:  %[[E1:.*]] = khal.struct_insert %[[M1]], %[[E]]["mass"]
# CHECK-NEXT:  khal.store %[[E1]], %ps[%i]
# The missing `mass` is zero (the constant is shared with Vec3(0.0)).
# CHECK:       %[[Z:.*]] = arith.constant 0.000000e+00 : f32
# CHECK-NEXT:  %[[V0:.*]] = vector.broadcast %[[Z]] : f32 to vector<3xf32>
# CHECK-NEXT:  %q = khal.struct_construct(%{{.*}}, %[[V0]], %[[Z]])
