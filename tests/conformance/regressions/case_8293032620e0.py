# ruff: noqa
# fmt: off
"""A differential-fuzzing case found on the lent H200 (benchmarks/fuzz.py, 2026-12-02), not shrunk:
the cuda backend differed from cpu (cause not yet found; the GPU time ran out). cpu, cpu-parallel,
Python and webgpu (lavapipe) agree on it.

Found with backends cpu, cuda:
    argument 3 (int64) cuda vs cpu: 2 of 128 differ (bound 0 ulp) at [0, 104]: got [127, 127] want [-9223372036854775681, -9223372036854775681]
"""

from __future__ import annotations

import khal
import khal.std as ks
from khal import (Array, Vec2, Vec3, Vec4, IVec2, IVec3, IVec4, UVec2, UVec3, UVec4, Mat2, Mat3, Mat4,
                  bool_, f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64)

TYPES = ['i32', 'i64', 'f64']
SLOTS = {'i32': 4, 'i64': 2, 'f64': 6}
WORKGROUP_SIZE = 64
GROUPS = 1
SEED = 5

NGROUPS = 1
NSLOTS_i32 = 4
NSLOTS_i64 = 2
NSLOTS_f64 = 6


@khal.kernel(workgroup_size=64)
def fuzz(in_i32: Array[i32], out_i32: Array[i32], in_i64: Array[i64], out_i64: Array[i64], in_f64: Array[f64], out_f64: Array[f64], acc_u: Array[u32], acc_i: Array[i32]):
    gid = ks.global_invocation_id().x
    lid = ks.local_invocation_id().x
    x1 = (~in_i32[(gid + u32(4)) % u32(64 * NGROUPS)])
    x2 = in_i32[u32((in_i64[(gid + u32(1)) % u32(64 * NGROUPS)] | 5)) % u32(64 * NGROUPS)]
    x3 = (abs(in_i64[(gid + u32(4)) % u32(64 * NGROUPS)]) ^ 0)
    x4 = (in_f64[(gid + u32(6)) % u32(64 * NGROUPS)] + (f64(0.125) if False else f64(-2.5)))
    x5 = in_f64[(gid + u32(9)) % u32(64 * NGROUPS)]
    if (abs(x3) < (i64(-100) << i64(-2))):
        w6 = 0
        while w6 < ((x1 ^ (x1 ^ x2))) % 4:
            w6 += 1
            if True:
                out_f64[gid * NSLOTS_f64 + 2] = (x5 + ((in_f64[u32(i32(in_i64[(gid + u32(2)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)] + in_f64[(gid + u32(2)) % u32(64 * NGROUPS)]) * (in_f64[u32((in_i64[u32((in_i32[u32((in_i64[(gid + u32(9)) % u32(64 * NGROUPS)] & x3)) % u32(64 * NGROUPS)] % i32(-2))) % u32(64 * NGROUPS)] if True else x3)) % u32(64 * NGROUPS)] * in_f64[u32((in_i32[(gid + u32(6)) % u32(64 * NGROUPS)] << i32(31))) % u32(64 * NGROUPS)])))
                x4 = ((f64(0.0) - x5) - ((in_f64[(gid + u32(6)) % u32(64 * NGROUPS)] * x5) * (x4 if False else x5)))
                out_i32[gid * NSLOTS_i32 + 2] = ((~(~x1)) + i32(u8(31)))
            else:
                x5 = f64((-(u16(2) >> u16(5))))
                out_i32[gid * NSLOTS_i32 + 3] = x2
                out_f64[gid * NSLOTS_f64 + 3] = (in_f64[u32(min(x3, x3)) % u32(64 * NGROUPS)] - ((f64(3.0) if True else x5) - x4))
            x4 -= (in_f64[u32(i64(u8(100))) % u32(64 * NGROUPS)] * max(in_f64[u32(in_i32[u32((in_i32[u32((x3 << x3)) % u32(64 * NGROUPS)] ^ in_i32[u32((x3 - x3)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)]) % u32(64 * NGROUPS)], (x4 - 1.0)))
    else:
        x5 = min(f64((u32(2) // u32(100))), ks.floor(in_f64[u32((x1 + in_i32[u32(max(x3, x3)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)]))
    for j7 in range(0):
        for j8 in range((j7) % 5):
            w9 = 0
            while w9 < (in_i32[u32(x1) % u32(64 * NGROUPS)]) % 4:
                w9 += 1
                x3 <<= x3
                x1 = (in_i32[(gid + u32(9)) % u32(64 * NGROUPS)] * ((x2 | x1) % (j8 + i32(31))))
            ks.atomic_and(acc_i, u32(16) + u32(max(i32(u32(2)), (-x1))) % u32(4), i32(((j7 // j8) - (x1 // x1))))
    x3 = (min(in_i64[(gid + u32(2)) % u32(64 * NGROUPS)], i64(f32(0.125))) if False else (i64(u32(127)) % x3))
    for j10 in range(2):
        x2 = in_i32[u32(abs(x2)) % u32(64 * NGROUPS)]
        if ((in_i64[u32((i32(2147483647) - in_i32[(gid + u32(6)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)] if True else x3) <= (-in_i64[(gid + u32(8)) % u32(64 * NGROUPS)])):
            x2 = (j10 if (x2 > (in_i32[u32((x3 ^ 31)) % u32(64 * NGROUPS)] * 3)) else (min(x1, x1) & i32(-2147483647)))
        else:
            for j11 in range((((j10 * 1) if False else x1)) % 5):
                x4 = ((x5 - x5) * in_f64[(gid + u32(5)) % u32(64 * NGROUPS)])
                x4 = x5
                out_f64[gid * NSLOTS_f64 + 4] = in_f64[(gid + u32(7)) % u32(64 * NGROUPS)]
            ks.atomic_min(acc_u, u32(8) + u32(((in_i32[u32(min(x3, x3)) % u32(64 * NGROUPS)] * in_i32[u32(j10) % u32(64 * NGROUPS)]) // i32(127))) % u32(4), u32(((j10 % x2) & i32(-7))))
        x1 = in_i32[u32((i32(1) + in_i32[u32(min(x3, x3)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)]
    out_f64[gid * NSLOTS_f64 + 5] = min(x5, ((in_f64[(gid + u32(7)) % u32(64 * NGROUPS)] + 0.125) * (x5 + in_f64[u32((in_i32[(gid + u32(3)) % u32(64 * NGROUPS)] + i32(-2))) % u32(64 * NGROUPS)])))
    w12 = 0
    while w12 < ((min(in_i32[u32(in_i64[(gid + u32(1)) % u32(64 * NGROUPS)]) % u32(64 * NGROUPS)], in_i32[u32((x2 % i32(5))) % u32(64 * NGROUPS)]) if (in_i32[u32(x3) % u32(64 * NGROUPS)] <= in_i32[u32(max(x3, x3)) % u32(64 * NGROUPS)]) else abs(x2))) % 4:
        w12 += 1
        if (bool_(x4) or (True and False)):
            if ((True and False) and bool_(in_f64[u32((in_i64[u32((~in_i32[(gid + u32(4)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)] + i64(-2))) % u32(64 * NGROUPS)])):
                continue
            if ((x2 if False else in_i32[u32((x3 * 3)) % u32(64 * NGROUPS)]) < in_i32[(gid + u32(8)) % u32(64 * NGROUPS)]):
                break
            x4 *= (((x5 - x4) * (in_f64[u32(in_i32[(gid + u32(4)) % u32(64 * NGROUPS)]) % u32(64 * NGROUPS)] * in_f64[(gid + u32(8)) % u32(64 * NGROUPS)])) - ((f64(0.125) * in_f64[u32(abs(x3)) % u32(64 * NGROUPS)]) + (x4 * in_f64[(gid + u32(2)) % u32(64 * NGROUPS)])))
        ks.atomic_and(acc_u, u32(16) + u32(i64(ks.trunc(f32(0.125)))) % u32(4), u32(abs((x3 // x3))))
    if (not False):
        x5 += (in_f64[(gid + u32(4)) % u32(64 * NGROUPS)] - 3.0)
    elif ((in_i32[(gid + u32(3)) % u32(64 * NGROUPS)] << 31) <= (in_i32[(gid + u32(2)) % u32(64 * NGROUPS)] << x1)):
        if ((in_i32[u32((~x2)) % u32(64 * NGROUPS)] if False else in_i32[u32(in_i32[u32(x3) % u32(64 * NGROUPS)]) % u32(64 * NGROUPS)]) <= (i32(0) if True else in_i32[u32(x3) % u32(64 * NGROUPS)])):
            for j13 in range((i32((f16(-1.0) - f16(0.0)))) % 5):
                out_i64[gid * NSLOTS_i64 + 1] = in_i64[(gid + u32(0)) % u32(64 * NGROUPS)]
                x1 = (min((x2 // x1), (i32(3) ^ i32(3))) + ((i32(7) & in_i32[u32((-in_i64[u32((i32(7) + i32(31))) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)]) % 0))
                x1 = i32(0)
        else:
            x1 = (((i32(0) // i32(1)) - (i32(0) % 5)) + i32(0))
            x1 = ((in_i32[(gid + u32(2)) % u32(64 * NGROUPS)] * (x1 // i32(31))) * i32(2))
        x1 = (((in_i32[(gid + u32(7)) % u32(64 * NGROUPS)] % 3) << min(i32(127), in_i32[u32((in_i64[u32((in_i64[(gid + u32(2)) % u32(64 * NGROUPS)] if True else in_i64[(gid + u32(4)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)] if False else in_i64[(gid + u32(8)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)])) + ((in_i32[(gid + u32(7)) % u32(64 * NGROUPS)] * i32(-7)) if (True if False else True) else (x1 | i32(-2147483647))))
    else:
        x1 = min(((in_i32[(gid + u32(9)) % u32(64 * NGROUPS)] if True else i32(-100)) | (~x2)), in_i32[(gid + u32(0)) % u32(64 * NGROUPS)])
    x4 = (-(-(f64(-2.5) + x5)))
    x1 = i32(((i8(0) - i8(1)) + (i8(0) if True else i8(0))))
    out_i32[gid * NSLOTS_i32 + 0] = x1
    out_i32[gid * NSLOTS_i32 + 1] = x2
    out_i64[gid * NSLOTS_i64 + 0] = x3
    out_f64[gid * NSLOTS_f64 + 0] = x4
    out_f64[gid * NSLOTS_f64 + 1] = x5
