"""Hand-written kernels of the conformance suite (vectors, matrices, structs, atomics, barriers, grids).

Module level, so their annotations resolve; the operator, conversion and math kernels are generated
from tables.py instead.
"""

from __future__ import annotations

import khal
import khal.std as ks
from khal import (
    Array,
    IVec4,
    Mat2,
    Mat3,
    Mat4,
    UVec2,
    UVec4,
    Vec3,
    Vec4,
    bool_,
    f16,
    f32,
    f64,
    i8,
    i32,
    i64,
    u8,
    u32,
)

# ------------------------------------------------------------------------------ vectors, matrices


@khal.kernel
def vec_ops(
    a: Array[Vec4], b: Array[Vec4], s: Array[f32], out: Array[Vec4], out3: Array[Vec3], dots: Array[f32]
):
    i = ks.global_invocation_id().x
    if i < len(a):
        x = a[i]
        y = b[i]
        k = s[i]
        o = i * 8
        out[o] = x + y
        out[o + 1] = x - y * k
        out[o + 2] = x * y
        out[o + 3] = x / Vec4(4.0)
        out[o + 4] = ks.min(x, y) + ks.max(x, y).wzyx
        out[o + 5] = Vec4(x.xy, y.zw)
        out[o + 6] = ks.abs(-x) + ks.floor(y * 0.5)
        v = x
        v.y = k
        v[i % 4] = 9.0
        out[o + 7] = v
        p = i * 2
        out3[p] = ks.cross(x.xyz, y.xyz)
        out3[p + 1] = x.zyx * 2.0 + Vec3(k)
        dots[i * 2] = ks.dot(x, y)
        dots[i * 2 + 1] = ks.dot(x.xyz, y.xyz) + x[i % 4]


@khal.kernel
def vec_norms(a: Array[Vec3], b: Array[Vec3], out: Array[Vec3], out_s: Array[f32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        out[i] = ks.normalize(a[i])
        out_s[i * 2] = ks.length(a[i])
        out_s[i * 2 + 1] = ks.distance(a[i], b[i])


@khal.kernel
def ivec_ops(a: Array[IVec4], b: Array[IVec4], u: Array[UVec4], out: Array[IVec4], out_u: Array[UVec4]):
    i = ks.global_invocation_id().x
    if i < len(a):
        x = a[i]
        y = b[i]
        o = i * 6
        out[o] = x + y
        out[o + 1] = x * y - x
        out[o + 2] = x // y
        out[o + 3] = x % y
        out[o + 4] = (x & y) | (x ^ IVec4(7))
        out[o + 5] = ks.min(x, y) + ks.abs(ks.max(x, y))
        w = u[i]
        q = i * 3
        out_u[q] = w + UVec4(y)
        out_u[q + 1] = w >> UVec4(3)
        out_u[q + 2] = UVec4(UVec2(w.xy) * UVec2(3), w.zw // UVec2(5))


@khal.kernel
def mat_ops(
    m2: Array[Mat2], m3: Array[Mat3], m4: Array[Mat4], v4: Array[Vec4], k: f32,
    o2: Array[Mat2], o3: Array[Mat3], o4: Array[Mat4], ov: Array[Vec4], ov3: Array[Vec3],
):  # fmt: skip
    i = ks.global_invocation_id().x
    if i < len(m4):
        o2[i] = m2[i] @ m2[i] + m2[i] * k
        o3[i] = m3[i] @ m3[i] - m3[i]
        o4[i * 2] = m4[i] @ m4[i]
        o4[i * 2 + 1] = m4[i] * k + m4[i]
        ov[i * 2] = m4[i] @ v4[i]
        ov[i * 2 + 1] = m4[i][1] + m4[i][3]
        ov3[i] = m3[i] @ v4[i].xyz


# ---------------------------------------------------------------------------------------- structs


@khal.struct
class Inner:
    flag: bool_
    h: f16
    big: i64


@khal.struct
class Mixed:
    tag: u8
    pos: Vec3
    n: i32
    d: f64
    small: i8
    inner: Inner
    col: Mat2
    ids: UVec2


@khal.func
def bumped(m: Mixed, by: i32) -> Mixed:
    m.n += by
    m.inner.big = m.inner.big * 3 - i64(by)
    return m


@khal.kernel
def struct_ops(items: Array[Mixed], base: Mixed, out: Array[Mixed]):
    i = ks.global_invocation_id().x
    if i < len(items):
        m = bumped(items[i], base.n)
        m.tag = m.tag + base.tag
        m.pos = m.pos * 2.0 + base.pos
        m.d = m.d / 4.0 + base.d
        m.small = -m.small
        m.inner.flag = not m.inner.flag
        m.inner.h = m.inner.h + f16(1.0)
        m.col = m.col @ base.col
        m.ids = m.ids.yx + UVec2(i)
        out[i] = m
        items[i].n = i32(i)  # an in-place field store beside the copy


# ---------------------------------------------------------------------------------------- atomics

SLOTS = 4


@khal.kernel(workgroup_size=256)
def atomics_contended(
    vals: Array[i32], acc_i: Array[i32], acc_u: Array[u32], acc_f: Array[f32],
    old_add: Array[u32], old_xchg: Array[i32],
):  # fmt: skip
    i = ks.global_invocation_id().x
    if i < len(vals):
        v = vals[i]
        s = i % SLOTS  # every slot is hit by len(vals) / SLOTS invocations at once
        old_add[i] = ks.atomic_add(acc_u, s, u32(1))
        ks.atomic_add(acc_i, 0 * SLOTS + s, v)
        ks.atomic_sub(acc_i, 1 * SLOTS + s, v)
        ks.atomic_min(acc_i, 2 * SLOTS + s, v)
        ks.atomic_max(acc_i, 3 * SLOTS + s, v)
        ks.atomic_and(acc_u, 1 * SLOTS + s, u32(v))
        ks.atomic_or(acc_u, 2 * SLOTS + s, u32(v))
        ks.atomic_xor(acc_u, 3 * SLOTS + s, u32(v))
        ks.atomic_min(acc_u, 4 * SLOTS + s, u32(v))
        ks.atomic_max(acc_u, 5 * SLOTS + s, u32(v))
        old_xchg[i] = ks.atomic_exchange(acc_i, 4 * SLOTS + s, i32(i))
        ks.atomic_add(acc_f, s, f32(v % 64))  # small integers: every order of the sum is exact


@khal.kernel(workgroup_size=256)
def atomics_compare_exchange(acc: Array[i32], cas_tries: Array[u32]):
    """A compare-exchange loop increments a slot: apart from the other atomics, as webgpu refuses it."""
    i = ks.global_invocation_id().x
    if i < len(cas_tries):
        s = i % SLOTS
        tries = u32(1)
        cur = ks.atomic_load(acc, s)
        while True:
            prev = ks.atomic_compare_exchange(acc, s, cur, cur + 1)
            if prev == cur:
                break
            cur = prev
            tries += 1
        cas_tries[i] = tries


WG_ATOMIC = 128


@khal.kernel(workgroup_size=WG_ATOMIC)
def atomics_workgroup(vals: Array[i32], out_i: Array[i32], out_u: Array[u32]):
    si = ks.workgroup_array(i32, 4)
    su = ks.workgroup_array(u32, 4)
    lid = ks.local_invocation_index()
    if lid < 4:
        si[lid] = i32(0) if lid < 2 else vals[ks.workgroup_id().x * WG_ATOMIC]
        su[lid] = u32(0) if lid != 3 else u32(0xFFFFFFFF)
    ks.workgroup_barrier()
    i = ks.global_invocation_id().x
    v = vals[i]
    ks.atomic_add(si, 0, v)
    ks.atomic_sub(si, 1, v)
    ks.atomic_min(si, 2, v)
    ks.atomic_max(si, 3, v)
    ks.atomic_add(su, 0, u32(1))
    ks.atomic_or(su, 1, u32(v))
    ks.atomic_xor(su, 2, u32(v))
    ks.atomic_and(su, 3, u32(v))
    ks.workgroup_barrier()
    if lid < 4:
        g = ks.workgroup_id().x * 4 + lid
        out_i[g] = ks.atomic_load(si, lid)
        out_u[g] = su[lid]


# ----------------------------------------------------------------------------- barriers in loops

WG_LOOP = 64


@khal.kernel(workgroup_size=WG_LOOP)
def barrier_rotate(data: Array[f32], out: Array[f32], rounds: u32, inner: i32):
    tile = ks.workgroup_array(f32, WG_LOOP)
    lid = ks.local_invocation_id().x
    v = data[ks.global_invocation_id().x]
    for _r in range(rounds):  # uniform: a parameter
        j = 0
        while j < inner:  # nested, uniform too
            tile[lid] = v
            ks.workgroup_barrier()
            v = tile[(lid + 1) % WG_LOOP] + 1.0
            ks.workgroup_barrier()
            j += 1
        if rounds > 2:  # a uniform branch with a barrier inside
            tile[lid] = v * 2.0
            ks.workgroup_barrier()
            v = tile[WG_LOOP - 1 - lid] * 0.5
            ks.workgroup_barrier()
    out[ks.global_invocation_id().x] = v


# -------------------------------------------------------------------------------------------- grids


@khal.kernel(workgroup_size=(4, 2, 2))
def grid_ids_3d(hits: Array[u32], ids: Array[UVec4], nx: u32, ny: u32, nz: u32):
    g = ks.global_invocation_id()
    if g.x < nx and g.y < ny and g.z < nz:
        lin = (g.z * ny + g.y) * nx + g.x
        ks.atomic_add(hits, lin, u32(1))
        w = ks.workgroup_id()
        n = ks.num_workgroups()
        l = ks.local_invocation_id()  # noqa: E741
        ids[lin] = UVec4(
            w.x + n.x * (w.y + n.y * w.z),
            l.x + 4 * (l.y + 2 * l.z),
            ks.local_invocation_index(),
            n.x * n.y * n.z,
        )


@khal.kernel(workgroup_size=1)
def wide_grid(hits: Array[u32], dims: Array[u32]):
    w = ks.workgroup_id()
    n = ks.num_workgroups()
    lin = w.x + n.x * (w.y + n.y * w.z)
    if lin < len(hits):
        ks.atomic_add(hits, lin, u32(1))
    if lin == 0:
        dims[0] = n.x
        dims[1] = n.y
        dims[2] = n.z


@khal.kernel(workgroup_size=256)
def big_buffer_tail(a: Array[u8], start: u32):
    i = ks.global_invocation_id().x + start
    if i < len(a):
        a[i] = u8(i % 251) + u8(1)


# ----------------------------------------------------------------------- pinned differences


@khal.kernel(workgroup_size=64)
def subgroup_facts(vals: Array[u32], out: Array[u32]):
    i = ks.global_invocation_id().x
    size = ks.subgroup_size()
    out[i * 5] = size
    out[i * 5 + 1] = ks.subgroup_invocation_id()
    out[i * 5 + 2] = ks.subgroup_add(u32(1))
    out[i * 5 + 3] = ks.subgroup_max(vals[i])
    out[i * 5 + 4] = ks.subgroup_broadcast_first(vals[i])


@khal.kernel
def print_values(a: Array[f32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        print("conformance print", i, a[i])
        a[i] = a[i] + 1.0
