# ruff: noqa
# fmt: off
"""A differential-fuzzing case (tests/conformance/fuzzing.py), shrunk by hypothesis.

Found with backends cpu, cuda:
    argument 9 (int32) cuda vs cpu: 1 of 28 differ (bound 0 ulp) at [24]: got [39278] want [-26258]
"""

from __future__ import annotations

import khal
import khal.std as ks
from khal import (Array, Vec2, Vec3, Vec4, IVec2, IVec3, IVec4, UVec2, UVec3, UVec4, Mat2, Mat3, Mat4,
                  bool_, f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64)

TYPES = ['i16', 'i32', 'u16', 'f16']
SLOTS = {'i16': 5, 'i32': 2, 'u16': 5, 'f16': 1}
WORKGROUP_SIZE = 64
GROUPS = 1
SEED = 47988

NGROUPS = 1
NSLOTS_i16 = 5
NSLOTS_i32 = 2
NSLOTS_u16 = 5
NSLOTS_f16 = 1


@khal.kernel(workgroup_size=64)
def fuzz(in_i16: Array[i16], out_i16: Array[i16], in_i32: Array[i32], out_i32: Array[i32], in_u16: Array[u16], out_u16: Array[u16], in_f16: Array[f16], out_f16: Array[f16], acc_u: Array[u32], acc_i: Array[i32]):
    gid = ks.global_invocation_id().x
    lid = ks.local_invocation_id().x
    x1 = max(in_i16[(gid + u32(8)) % u32(64 * NGROUPS)], i16(in_u16[(gid + u32(1)) % u32(64 * NGROUPS)]))
    x2 = in_i32[u32((x1 | x1)) % u32(64 * NGROUPS)]
    x3 = (abs(in_u16[u32(abs(x2)) % u32(64 * NGROUPS)]) ^ (in_u16[u32(abs(in_u16[u32((in_i32[(gid + u32(5)) % u32(64 * NGROUPS)] if True else x2)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)] - in_u16[u32((in_u16[(gid + u32(0)) % u32(64 * NGROUPS)] >> u16(7))) % u32(64 * NGROUPS)]))
    x4 = ((in_f16[(gid + u32(4)) % u32(64 * NGROUPS)] if False else in_f16[u32((in_i16[(gid + u32(2)) % u32(64 * NGROUPS)] // 5)) % u32(64 * NGROUPS)]) + (in_f16[(gid + u32(0)) % u32(64 * NGROUPS)] * 1.0))
    x4 = (abs((x4 + f16(3.0))) - min(x4, x4))
    if (not (False or False)):
        if (True or (in_i16[(gid + u32(2)) % u32(64 * NGROUPS)] > in_i16[(gid + u32(9)) % u32(64 * NGROUPS)])):
            ks.atomic_max(acc_i, u32(12) + u32((in_i32[(gid + u32(8)) % u32(64 * NGROUPS)] | i32(-2))) % u32(4), i32(((x2 >> x2) & x2)))
            out_u16[gid * NSLOTS_u16 + 1] = x3
        x3 = (u16((u64(5) if False else u64(100))) if (not bool_(in_f16[u32((in_i32[u32((i16(5) ^ x1)) % u32(64 * NGROUPS)] & 3)) % u32(64 * NGROUPS)])) else ((in_u16[(gid + u32(2)) % u32(64 * NGROUPS)] - x3) | (x3 if True else in_u16[u32(i16(f32(0.5))) % u32(64 * NGROUPS)])))
        x4 -= (in_f16[(gid + u32(0)) % u32(64 * NGROUPS)] * ((x4 - in_f16[(gid + u32(5)) % u32(64 * NGROUPS)]) if False else (x4 + x4)))
    else:
        if (not True):
            x1 = (~max(min(in_i16[u32(i16(in_i32[(gid + u32(8)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)], in_i16[u32(x2) % u32(64 * NGROUPS)]), (i16(5) % 3)))
            for j5 in range(((max(x2, x2) ^ x2)) % 5):
                out_i16[gid * NSLOTS_i16 + 1] = (-((in_i16[(gid + u32(6)) % u32(64 * NGROUPS)] * i16(-2)) << x1))
                x2 <<= i32(-100)
        else:
            out_u16[gid * NSLOTS_u16 + 2] = (abs(u16(False)) % max(min(x3, u16(5)), in_u16[u32((x2 & x2)) % u32(64 * NGROUPS)]))
        out_i16[gid * NSLOTS_i16 + 2] = i16(127)
    x4 *= f16(0.125)
    x4 = ks.abs(((f16(1.0) * 3.0) * (in_f16[u32((i32(3) if False else x2)) % u32(64 * NGROUPS)] if True else x4)))
    if True:
        ks.atomic_xor(acc_i, u32(24) + u32((x1 >> (x1 & x1))) % u32(4), i32(((x1 - x1) - (in_i16[u32((x1 % 1)) % u32(64 * NGROUPS)] << x1))))
        out_u16[gid * NSLOTS_u16 + 3] = max((~u16(0)), max((in_u16[u32((in_u16[u32(min(x3, in_u16[u32(x1) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)] - in_u16[(gid + u32(8)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)] % x3), u16(x1)))
    else:
        x4 += (((x4 * in_f16[u32(i32(-2147483647)) % u32(64 * NGROUPS)]) * (x4 * f16(2.0))) if False else ks.trunc(in_f16[u32((in_i16[(gid + u32(9)) % u32(64 * NGROUPS)] * i16(32767))) % u32(64 * NGROUPS)]))
        w6 = 0
        while w6 < (((in_i32[u32(u16(True)) % u32(64 * NGROUPS)] % 127) + 5)) % 4:
            w6 += 1
            x1 //= ((i16(-2) & (~x1)) >> ((x1 % x1) + (in_i16[u32((x3 % x3)) % u32(64 * NGROUPS)] << i16(3))))
    w7 = 0
    while w7 < ((x2 ^ (in_i32[u32((x1 << 0)) % u32(64 * NGROUPS)] ^ i32(-2147483647)))) % 4:
        w7 += 1
        if ((False if False else True) or True):
            w8 = 0
            while w8 < (in_i32[u32(in_u16[(gid + u32(6)) % u32(64 * NGROUPS)]) % u32(64 * NGROUPS)]) % 4:
                w8 += 1
                ks.atomic_min(acc_u, u32(8) + u32(in_i16[u32(x2) % u32(64 * NGROUPS)]) % u32(4), u32(x1))
                x3 = abs(in_u16[u32(max(i32(5), x2)) % u32(64 * NGROUPS)])
            ks.atomic_xor(acc_u, u32(24) + u32(in_i16[u32(u16(True)) % u32(64 * NGROUPS)]) % u32(4), u32((i16(x2) << (x1 if False else x1))))
            for j9 in range((max(i32(5), (in_i32[(gid + u32(1)) % u32(64 * NGROUPS)] << x2))) % 5):
                x1 -= (min(x1, x1) >> x1)
        ks.atomic_max(acc_u, u32(12) + u32((i16(7) << (i16(127) // in_i16[u32(u16(2)) % u32(64 * NGROUPS)]))) % u32(4), u32(i16(ks.floor(f64(1.0)))))
        if False:
            out_u16[gid * NSLOTS_u16 + 4] = (((x3 << x3) if True else max(in_u16[u32(in_u16[u32((in_i16[u32((x1 + x1)) % u32(64 * NGROUPS)] - x1)) % u32(64 * NGROUPS)]) % u32(64 * NGROUPS)], x3)) << u16(ks.ceil(f32(0.5))))
            w10 = 0
            while w10 < (((in_i32[(gid + u32(2)) % u32(64 * NGROUPS)] | 5) | 100)) % 4:
                w10 += 1
                x2 = (i32(max(i64(2147483647), i64(-1))) >> ((x2 - in_i32[u32((x2 - 3)) % u32(64 * NGROUPS)]) >> min(x2, x2)))
                x4 *= ks.ceil(x4)
        else:
            if (not False):
                continue
            x2 = min((i32(f64(-1.0)) ^ i32(u64(5))), (max(in_i32[(gid + u32(4)) % u32(64 * NGROUPS)], x2) * (in_i32[(gid + u32(5)) % u32(64 * NGROUPS)] // in_i32[(gid + u32(3)) % u32(64 * NGROUPS)])))
            x4 += x4
    for j11 in range(1):
        x2 = (abs(x2) // i32(127))
        x3 = x3
        out_i16[gid * NSLOTS_i16 + 3] = (((~in_i16[u32((~j11)) % u32(64 * NGROUPS)]) << in_i16[(gid + u32(6)) % u32(64 * NGROUPS)]) // ((x1 & in_i16[(gid + u32(1)) % u32(64 * NGROUPS)]) if (True if True else True) else in_i16[u32(x3) % u32(64 * NGROUPS)]))
    x4 = x4
    x4 = (((x4 * x4) * abs(in_f16[u32(max(x3, x3)) % u32(64 * NGROUPS)])) - 0.125)
    w12 = 0
    while w12 < (((in_i32[(gid + u32(9)) % u32(64 * NGROUPS)] >> x2) | in_i32[u32(x2) % u32(64 * NGROUPS)])) % 4:
        w12 += 1
        out_i32[gid * NSLOTS_i32 + 1] = x2
        ks.atomic_add(acc_i, u32(0) + u32(i32((i8(2) | 3))) % u32(4), i32(in_i32[(gid + u32(1)) % u32(64 * NGROUPS)]))
        out_i16[gid * NSLOTS_i16 + 4] = ((x1 if (True and True) else max(x1, x1)) ^ 1)
    out_i16[gid * NSLOTS_i16 + 0] = x1
    out_i32[gid * NSLOTS_i32 + 0] = x2
    out_u16[gid * NSLOTS_u16 + 0] = x3
    out_f16[gid * NSLOTS_f16 + 0] = x4
