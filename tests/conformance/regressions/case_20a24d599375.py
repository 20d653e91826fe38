# ruff: noqa
# fmt: off
"""A differential-fuzzing case found on the lent H200 (benchmarks/fuzz.py, 2026-12-02), not shrunk:
the cuda backend differed from cpu (cause not yet found; the GPU time ran out). cpu, cpu-parallel,
Python and webgpu (lavapipe) agree on it.

Found with backends cpu, cuda:
    argument 3 (int32) cuda vs cpu: 2 of 24 differ (bound 0 ulp) at [16, 17]: got [-35, -35] want [-43, -43]
    argument 7 (bool) cuda vs cpu: 1 of 36 differ (bound 0 ulp) at [24]: got [False] want [True]
"""

from __future__ import annotations

import khal
import khal.std as ks
from khal import (Array, Vec2, Vec3, Vec4, IVec2, IVec3, IVec4, UVec2, UVec3, UVec4, Mat2, Mat3, Mat4,
                  bool_, f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64)

TYPES = ['i16', 'i32', 'f32', 'bool_']
SLOTS = {'i16': 3, 'i32': 2, 'f32': 3, 'bool_': 3}
WORKGROUP_SIZE = 4
GROUPS = 3
SEED = 19925

NGROUPS = 3
NSLOTS_i16 = 3
NSLOTS_i32 = 2
NSLOTS_f32 = 3
NSLOTS_bool = 3


@khal.func
def f1(a: i32, b: i32) -> i32:
    if (not (True or True)):
        return abs(a)
    return a


@khal.kernel(workgroup_size=4)
def fuzz(in_i16: Array[i16], out_i16: Array[i16], in_i32: Array[i32], out_i32: Array[i32], in_f32: Array[f32], out_f32: Array[f32], in_bool: Array[bool_], out_bool: Array[bool_], acc_u: Array[u32], acc_i: Array[i32]):
    gid = ks.global_invocation_id().x
    lid = ks.local_invocation_id().x
    tile = ks.workgroup_array(f32, 4)
    x2 = abs(in_i16[(gid + u32(6)) % u32(4 * NGROUPS)])
    x3 = (i32(1) ^ (in_i32[u32((in_i32[u32((x2 // i16(-100))) % u32(4 * NGROUPS)] % in_i32[(gid + u32(6)) % u32(4 * NGROUPS)])) % u32(4 * NGROUPS)] | 2))
    x4 = in_i32[u32(x2) % u32(4 * NGROUPS)]
    x5 = f32((f16(0.125) * f16(3.0)))
    x6 = (not True)
    ks.atomic_min(acc_i, u32(8) + u32(x4) % u32(4), i32(i32(-100)))
    tile[lid] = in_f32[u32((x4 // 2147483647)) % u32(4 * NGROUPS)]
    ks.workgroup_barrier()
    x5 = tile[(lid + u32(3)) % u32(4)]
    ks.workgroup_barrier()
    tile[lid] = (x5 * x5)
    ks.workgroup_barrier()
    x5 = min(x5, tile[(lid + u32(3)) % u32(4)])
    ks.workgroup_barrier()
    for j7 in range(((abs(x3) - 0)) % 5):
        x6 = (((x2 ^ in_i16[u32((in_i16[u32(x3) % u32(4 * NGROUPS)] ^ in_i16[(gid + u32(9)) % u32(4 * NGROUPS)])) % u32(4 * NGROUPS)]) > i16(-1)) if in_bool[u32(in_i16[u32(x2) % u32(4 * NGROUPS)]) % u32(4 * NGROUPS)] else in_bool[u32(i32(x2)) % u32(4 * NGROUPS)])
    x3 += x4
    w8 = 0
    while w8 < (((i32(5) % in_i32[u32((x3 % in_i32[u32((x2 if in_bool[(gid + u32(9)) % u32(4 * NGROUPS)] else x2)) % u32(4 * NGROUPS)])) % u32(4 * NGROUPS)]) // (i32(5) | i32(-1)))) % 4:
        w8 += 1
        w9 = 0
        while w9 < (f1((x3 - 7), x3)) % 4:
            w9 += 1
            out_bool[gid * NSLOTS_bool + 1] = bool_(i64((u8(255) - u8(255))))
            x4 = x3
        x2 = (((in_i16[u32((x3 if False else in_i32[(gid + u32(7)) % u32(4 * NGROUPS)])) % u32(4 * NGROUPS)] << in_i16[(gid + u32(2)) % u32(4 * NGROUPS)]) if (in_bool[(gid + u32(6)) % u32(4 * NGROUPS)] if x6 else x6) else i16(i8(127))) << 5)
    ks.atomic_max(acc_u, u32(12) + u32(i16(max(x5, x5))) % u32(4), u32(((x2 // x2) & x2)))
    if ((i32(127) * x4) <= (x3 & i32(0))):
        x2 = ((max(i16(31), x2) | (in_i16[u32((in_i32[u32(in_i32[u32(x3) % u32(4 * NGROUPS)]) % u32(4 * NGROUPS)] // in_i32[(gid + u32(9)) % u32(4 * NGROUPS)])) % u32(4 * NGROUPS)] & i16(-100))) & x2)
    elif x6:
        for j10 in range(((x3 << (in_i32[u32(max(x2, i16(0))) % u32(4 * NGROUPS)] if in_bool[(gid + u32(6)) % u32(4 * NGROUPS)] else i32(1)))) % 5):
            if ((in_f32[(gid + u32(2)) % u32(4 * NGROUPS)] == f32(2.0)) or in_bool[u32((x3 ^ i32(3))) % u32(4 * NGROUPS)]):
                out_f32[gid * NSLOTS_f32 + 1] = ks.abs(((f32(100.0) if x6 else x5) - (x5 - x5)))
                if True:
                    continue
                x4 = i32(2147483647)
            if ((x3 // x3) < (in_i32[u32((~x4)) % u32(4 * NGROUPS)] | x4)):
                continue
            x3 //= (f1((x4 - 31), x4) if (not in_bool[(gid + u32(2)) % u32(4 * NGROUPS)]) else x4)
        out_bool[gid * NSLOTS_bool + 2] = x6
        out_f32[gid * NSLOTS_f32 + 2] = (in_f32[u32(i32(u32(2147483647))) % u32(4 * NGROUPS)] if False else ((x5 + x5) - x5))
    else:
        out_i16[gid * NSLOTS_i16 + 1] = (((x2 if x6 else i16(3)) >> x2) << x2)
        if True:
            for j11 in range((min((~x3), in_i32[(gid + u32(7)) % u32(4 * NGROUPS)])) % 5):
                x5 = f32(((not True) or (not x6)))
                x4 = max((j11 % i32(u64(3))), (j11 % max(in_i32[(gid + u32(3)) % u32(4 * NGROUPS)], x3)))
            w12 = 0
            while w12 < (i32(in_f32[(gid + u32(8)) % u32(4 * NGROUPS)])) % 4:
                w12 += 1
                x3 //= max((f1(x3, x4) - (x3 // in_i32[(gid + u32(0)) % u32(4 * NGROUPS)])), (in_i32[u32((x2 if x6 else x2)) % u32(4 * NGROUPS)] ^ 2147483647))
                ks.atomic_max(acc_u, u32(12) + u32((~i16(x5))) % u32(4), u32(x2))
        w13 = 0
        while w13 < ((x4 << abs(x4))) % 4:
            w13 += 1
            ks.atomic_or(acc_u, u32(20) + u32((i16(x5) + 5)) % u32(4), u32(abs((x2 ^ in_i16[(gid + u32(0)) % u32(4 * NGROUPS)]))))
            ks.atomic_max(acc_u, u32(12) + u32(i16(-1)) % u32(4), u32(((in_i16[u32((i32(3) | in_i32[(gid + u32(3)) % u32(4 * NGROUPS)])) % u32(4 * NGROUPS)] >> in_i16[u32((in_i32[u32(x3) % u32(4 * NGROUPS)] if x6 else x4)) % u32(4 * NGROUPS)]) - 2)))
            out_i16[gid * NSLOTS_i16 + 2] = (max((i16(-100) | x2), in_i16[(gid + u32(6)) % u32(4 * NGROUPS)]) - min(in_i16[(gid + u32(8)) % u32(4 * NGROUPS)], (in_i16[(gid + u32(3)) % u32(4 * NGROUPS)] << in_i16[(gid + u32(8)) % u32(4 * NGROUPS)])))
    tile[lid] = (f32(3.0) - (in_f32[(gid + u32(9)) % u32(4 * NGROUPS)] * f32(0.5)))
    ks.workgroup_barrier()
    x5 = min(x5, tile[(lid + u32(0)) % u32(4)])
    ks.workgroup_barrier()
    out_i16[gid * NSLOTS_i16 + 0] = x2
    out_i32[gid * NSLOTS_i32 + 0] = x3
    out_i32[gid * NSLOTS_i32 + 1] = x4
    out_f32[gid * NSLOTS_f32 + 0] = x5
    out_bool[gid * NSLOTS_bool + 0] = x6
