"""Kernels that together use the whole language; shared by the round-trip and benchmark tests."""

from __future__ import annotations

import khal
import khal.std as ks
from khal import (
    Array,
    IVec2,
    Mat3,
    Mat4,
    UVec3,
    Vec2,
    Vec3,
    Vec4,
    bool_,
    f32,
    f64,
    i8,
    i32,
    i64,
    u8,
    u32,
)

TILE = 64
WEIGHTS = (0.25, 0.5, 0.25)
DEBUG = False


# ---------------------------------------------------------------- API.md examples


@khal.kernel(workgroup_size=64)
def add_assign(a: Array[f32], b: Array[f32]):
    tid = ks.global_invocation_id().x
    if tid < len(a):
        a[tid] += b[tid]


@khal.func
def sq(x: f32) -> f32:
    return x * x


@khal.kernel
def squares(a: Array[f32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        a[i] = sq(a[i])


# ---------------------------------------------------------------- the rest of the language


@khal.struct
class Particle:
    pos: Vec3
    vel: Vec3
    mass: f32
    alive: u32


@khal.struct
class Pair:
    a: Particle
    w: f32


@khal.func
def kinetic(p: Particle) -> f32:
    return 0.5 * p.mass * ks.dot(p.vel, p.vel)


@khal.func
def moved(p: Particle, dt: f32) -> Particle:
    q = p
    q.pos += q.vel * dt
    return q


@khal.func
def first_negative(a: Array[f32]) -> i32:
    for i in range(len(a)):
        if a[i] < 0.0:
            return i32(i)
    return -1


@khal.kernel(workgroup_size=(8, 8))
def particles(ps: Array[Particle], energy: Array[f32], pairs: Array[Pair], dt: f32, m: Mat3):
    gid = ks.global_invocation_id()
    i = gid.x + gid.y * 8
    if i >= len(ps):
        return
    p = moved(ps[i], dt)
    p.vel = m @ p.vel
    p.vel.y -= 9.81 * dt
    ps[i] = p
    ps[i].mass *= 0.99
    energy[i] = kinetic(p)
    pr = Pair(p, w=1.0)
    pr.a.alive = 1
    pairs[i] = pr
    ps[i].pos.x += pairs[i].a.pos.y


@khal.kernel(workgroup_size=TILE)
def reduce_sum(data: Array[f32], out: Array[f32], hist: Array[u32], lo: Array[i32]):
    tile = ks.workgroup_array(f32, TILE)
    lid = ks.local_invocation_id().x
    gid = ks.global_invocation_id().x
    tile[lid] = data[gid] if gid < len(data) else 0.0
    ks.workgroup_barrier()
    s = u32(TILE // 2)
    while s > 0:
        if lid < s:
            tile[lid] += tile[lid + s]
        ks.workgroup_barrier()
        s //= 2
    if lid == 0:
        ks.atomic_add(out, 0, tile[0])
    ks.atomic_max(hist, 0, gid)
    ks.atomic_min(lo, 0, -i32(gid))
    old = ks.atomic_compare_exchange(hist, 1, 0, gid)
    ks.atomic_store(hist, 2, ks.atomic_load(hist, 3) ^ old)
    ks.atomic_exchange(lo, 1, 3)
    ks.atomic_sub(hist, 4, 1)
    ks.atomic_and(hist, 5, 0xFF)
    ks.atomic_or(hist, 6, 1 << 4)
    ks.atomic_xor(hist, 7, 0x0F)
    ks.storage_barrier()
    t = ks.subgroup_add(tile[lid]) + ks.subgroup_min(tile[lid]) + ks.subgroup_max(tile[lid])
    idx = ks.subgroup_broadcast_first(ks.subgroup_invocation_id()) + ks.subgroup_size()
    idx += ks.local_invocation_index() + ks.workgroup_id().x + ks.num_workgroups().y
    if DEBUG:
        print("never compiled", t)
    print(f"lane {lid}: {t}", idx)


@khal.kernel
def control(a: Array[i32], n: i32, step: i32):
    i = ks.global_invocation_id().x
    acc = 0
    for k in range(n):
        if k % 3 == 0:
            continue
        if k > 100:
            break
        acc += k
    for k in range(n, 0, -1):
        acc -= k
    for _k in range(0, n, step):
        acc += 1
    for u in range(u32(4)):
        acc += i32(u)
    j = 0
    while True:
        j += 1
        if j >= n:
            break
    for x in range(4):
        for y in range(4):
            if x * y > n:
                break
            acc += x * y
    a[i] = acc + j
    x, y = 1, 2
    x, y = y, x
    a[i] += x * 10 + y
    a[i] += -7 // 2 + -7 % 2 + (a[i] >> 1) + (a[i] << 2) + (~a[i] & 5 | 2)
    flag = a[i] > 0 and (n > 3 or step < 0) and not (i == 0)
    if flag:
        return
    a[i] = max(a[i], 0, n) + min(abs(a[i]), 5) + WEIGHTS.__len__() if False else a[i]


@khal.kernel
def maths(f: Array[f32], v: Array[Vec3], w: Array[Vec4], b: Array[bool_], d: Array[f64], q: Array[i64]):
    i = ks.global_invocation_id().x
    x = f[i]
    y = ks.sqrt(x) + ks.rsqrt(x) + ks.exp(x) + ks.exp2(x) + ks.log(x) + ks.log2(x)
    y += ks.sin(x) + ks.cos(x) + ks.tan(x) + ks.tanh(x) + ks.asin(x) + ks.acos(x) + ks.atan(x)
    y += ks.atan2(x, 1.0) + ks.pow(x, 2.5) + ks.abs(x) + ks.sign(x) + ks.min(x, 1.0) + ks.max(x, 0.0)
    y += ks.clamp(x, 0.0, 1.0) + ks.floor(x) + ks.ceil(x) + ks.round(x) + ks.trunc(x) + ks.fract(x)
    y += ks.fma(x, 2.0, 1.0) + ks.mix(x, 1.0, 0.5) + ks.step(0.5, x) + ks.select(x > 0.0, x, -x)
    y += x**2 + x**0.5 + x ** f[0] + WEIGHTS[1] * x
    b[i] = ks.isnan(y) or ks.isinf(y)
    a = v[i]
    c = ks.cross(a, Vec3(0.0, 0.0, 1.0)) + ks.normalize(a) * ks.length(a) + Vec3(ks.distance(a, a))
    c = ks.sqrt(ks.abs(c)) + ks.floor(c) + ks.clamp(c, 0.0, 1.0) + ks.mix(c, a, 0.25) + ks.sign(c)
    c += ks.select(ks.isnan(c), Vec3(0.0), c) + ks.step(Vec3(0.5), c) + ks.min(c, 2.0)
    c.xz = Vec2(c.z, c.x)
    c[i % 3] = c[(i + 1) % 3]
    v[i] = c
    w[i] = Vec4(c.xy, c.z, 1.0).wzyx + Vec4(1.0) * w[i].x
    d[i] = f64(y) * 2.0
    q[i] = i64(i) * 3_000_000_000
    iv = IVec2(3, -4) // IVec2(2) + IVec2(-5) % 3
    uv = UVec3(ks.global_invocation_id()) % 2
    small = i8(3) + i8(u8(250))
    f[i] = y + f32(iv.x + iv.y) + f32(uv.z) + f32(small)


@khal.kernel
def matrices(out: Array[Vec4], m: Mat4, ms: Array[Mat3]):
    i = ks.global_invocation_id().x
    v = Vec4(1.0, 2.0, 3.0, 4.0)
    r = m @ v + (m @ m * 2.0 - m) @ v + v @ m
    a = ms[i]
    b = Mat3(Vec3(1.0), Vec3(0.0, 1.0, 0.0), Vec3(0.0, 0.0, 1.0))
    c = Mat3(1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    e = Mat3(2.0)
    a = a @ b + c - e
    a[1] = Vec3(5.0)
    ms[i] = -a / 2.0
    out[i] = r + Vec4(a[0][1]) + Vec4(a[i % 3].x)


ALL_KERNELS = [add_assign, squares, particles, reduce_sum, control, maths, matrices]
