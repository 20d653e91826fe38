# ruff: noqa
# fmt: off
"""A differential-fuzzing case found on the lent H200 (benchmarks/fuzz.py, 2026-12-02), not shrunk:
the cuda backend differed from cpu (cause not yet found; the GPU time ran out). cpu, cpu-parallel,
Python and webgpu (lavapipe) agree on it.

Found with backends cpu, cuda, cpu, webgpu:
    argument 7 (int32) cuda vs cpu: 1 of 28 differ (bound 0 ulp) at [4]: got [-621088] want [-490016]
    argument 1 (int16) webgpu vs cpu: 37 of 128 differ (bound 0 ulp) at [3, 6, 7, 19, 25, 26]: got [29990, -256, 29990, -3, -3, -3240] want [-3, -2828, -3, 29990, 29990, -256]
    argument 3 (int32) webgpu vs cpu: 147 of 320 differ (bound 0 ulp) at [0, 1, 6, 10, 11, 13]: got [-15583, -15559, -2089215, -1299201284, 1341, 3] want [-1064452, 1064465, -2089214, -1299193602, 722, 1]
    argument 5 (int64) webgpu vs cpu: 13 of 128 differ (bound 0 ulp) at [30, 32, 56, 74, 84, 92]: got [0, 1, 1, -1, 1, 1] want [5, 0, 5, 0, 0, 0]
    argument 7 (int32) webgpu vs cpu: 3 of 28 differ (bound 0 ulp) at [4, 6, 7]: got [-489660, -97142, -53421] want [-490016, -68918, -21346]
"""

from __future__ import annotations

import khal
import khal.std as ks
from khal import (Array, Vec2, Vec3, Vec4, IVec2, IVec3, IVec4, UVec2, UVec3, UVec4, Mat2, Mat3, Mat4,
                  bool_, f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64)

TYPES = ['i16', 'i32', 'i64']
SLOTS = {'i16': 2, 'i32': 5, 'i64': 2}
WORKGROUP_SIZE = 64
GROUPS = 1
SEED = 194

NGROUPS = 1
NSLOTS_i16 = 2
NSLOTS_i32 = 5
NSLOTS_i64 = 2


@khal.func
def f1(a: i16, b: i16) -> i16:
    if False:
        return min(i16(-7), a)
    return (-b)


@khal.kernel(workgroup_size=64)
def fuzz(in_i16: Array[i16], out_i16: Array[i16], in_i32: Array[i32], out_i32: Array[i32], in_i64: Array[i64], out_i64: Array[i64], acc_u: Array[u32], acc_i: Array[i32]):
    gid = ks.global_invocation_id().x
    lid = ks.local_invocation_id().x
    tile = ks.workgroup_array(i32, 64)
    x2 = (in_i16[(gid + u32(7)) % u32(64 * NGROUPS)] + 100)
    x3 = ((in_i32[u32(in_i64[u32(max(in_i16[u32((i16(7) * x2)) % u32(64 * NGROUPS)], i16(0))) % u32(64 * NGROUPS)]) % u32(64 * NGROUPS)] // in_i32[u32(i64(2)) % u32(64 * NGROUPS)]) << i32(-7))
    x4 = in_i32[(gid + u32(9)) % u32(64 * NGROUPS)]
    x5 = ((in_i64[u32((x3 * x3)) % u32(64 * NGROUPS)] if False else in_i64[(gid + u32(0)) % u32(64 * NGROUPS)]) // in_i64[u32((-in_i16[u32(x4) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)])
    x4 <<= max((in_i32[u32((i64(31) >> in_i64[(gid + u32(7)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)] // (i32(-2147483647) & in_i32[(gid + u32(8)) % u32(64 * NGROUPS)])), abs((in_i32[(gid + u32(9)) % u32(64 * NGROUPS)] >> i32(7))))
    x3 = ((x4 // min(in_i32[u32(i64(-7)) % u32(64 * NGROUPS)], in_i32[u32(x2) % u32(64 * NGROUPS)])) if bool_((~u32(31))) else i32(min(u8(31), u8(2))))
    if ((in_i32[u32((~x5)) % u32(64 * NGROUPS)] ^ i32(5)) > max(in_i32[u32((in_i64[u32(in_i64[(gid + u32(9)) % u32(64 * NGROUPS)]) % u32(64 * NGROUPS)] << in_i64[(gid + u32(4)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)], in_i32[u32((i32(-2147483647) << in_i32[u32((~x2)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)])):
        out_i32[gid * NSLOTS_i32 + 2] = (-(i32(u16(31)) & (~in_i32[(gid + u32(1)) % u32(64 * NGROUPS)])))
        x2 = x2
    else:
        x2 = in_i16[u32(min(x4, i32(-2))) % u32(64 * NGROUPS)]
    for j6 in range(4):
        x3 = (min(min(i32(2), in_i32[u32((-in_i16[u32((x3 if True else i32(-2))) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)]), abs(x3)) << abs(abs(in_i32[u32((x4 - 0)) % u32(64 * NGROUPS)])))
        tile[lid] = in_i32[(gid + u32(8)) % u32(64 * NGROUPS)]
        ks.workgroup_barrier()
        x3 = min(x3, tile[(lid + u32(47)) % u32(64)])
        ks.workgroup_barrier()
        tile[lid] = ((j6 if False else in_i32[(gid + u32(1)) % u32(64 * NGROUPS)]) // in_i32[(gid + u32(1)) % u32(64 * NGROUPS)])
        ks.workgroup_barrier()
        x4 = tile[(lid + u32(41)) % u32(64)]
        ks.workgroup_barrier()
    x4 = (-i32((u16(127) << u16(2))))
    for j7 in range(((in_i32[u32((in_i64[(gid + u32(1)) % u32(64 * NGROUPS)] % in_i64[u32((-x3)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)] | 100)) % 5):
        x3 += (((~in_i32[u32((x5 % i64(-1))) % u32(64 * NGROUPS)]) << 7) ^ i32(i8(127)))
        x5 = (((i64(5) | x5) if (in_i16[u32((i16(3) if True else in_i16[(gid + u32(4)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)] <= x2) else x5) // x5)
        for j8 in range((((x3 >> i32(-2147483647)) << (x4 % j7))) % 5):
            out_i32[gid * NSLOTS_i32 + 3] = j7
    x4 -= (in_i32[(gid + u32(7)) % u32(64 * NGROUPS)] % 127)
    if ((x2 - x2) != min(in_i16[u32(i32(u32(2))) % u32(64 * NGROUPS)], in_i16[(gid + u32(9)) % u32(64 * NGROUPS)])):
        out_i16[gid * NSLOTS_i16 + 1] = in_i16[u32((i64(100) << x5)) % u32(64 * NGROUPS)]
        x2 *= in_i16[u32((in_i16[u32(x2) % u32(64 * NGROUPS)] ^ 1)) % u32(64 * NGROUPS)]
    elif ((x2 & in_i16[(gid + u32(5)) % u32(64 * NGROUPS)]) < x2):
        x2 = i16(f16(0.125))
        if (x2 > x2):
            x5 = ((x5 | (in_i64[u32((x5 - 5)) % u32(64 * NGROUPS)] // x5)) % (-min(i64(1), x5)))
            for j9 in range(((~i32(i8(-7)))) % 5):
                x5 *= x5
                x5 //= max(((x5 + x5) - 100), (i64(f32(100.0)) << i64(-2)))
                if ((x5 ^ x5) < in_i64[(gid + u32(4)) % u32(64 * NGROUPS)]):
                    continue
        elif ((x5 & x5) == (i64(-2147483647) + x5)):
            if (not True):
                x4 //= i32((f32(-2.5) + f32(-2.5)))
                x5 = (((x5 % x5) - min(in_i64[(gid + u32(6)) % u32(64 * NGROUPS)], x5)) // 2147483647)
                x4 = (min((i32(-7) >> i32(-2)), i32(u16(100))) | (i32(x5) - i32(f64(0.0))))
            elif False:
                x4 = (i32(u32(3)) ^ (x3 * 127))
            else:
                out_i32[gid * NSLOTS_i32 + 4] = (((x3 & in_i32[(gid + u32(8)) % u32(64 * NGROUPS)]) if (x5 < in_i64[(gid + u32(6)) % u32(64 * NGROUPS)]) else min(in_i32[(gid + u32(6)) % u32(64 * NGROUPS)], in_i32[(gid + u32(0)) % u32(64 * NGROUPS)])) // (~(i32(127) << in_i32[(gid + u32(7)) % u32(64 * NGROUPS)])))
            x4 = (in_i32[u32(x5) % u32(64 * NGROUPS)] * i32((i8(-100) % i8(5))))
            ks.atomic_xor(acc_u, u32(24) + u32((i64(-1) * min(in_i64[u32(abs(in_i32[u32(x2) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)], x5))) % u32(4), u32((i64(u16(2)) if True else i64(5))))
        for j10 in range((max(x3, (x4 % i32(2147483647)))) % 5):
            x3 = (~(x3 - (~j10)))
            x2 = in_i16[(gid + u32(3)) % u32(64 * NGROUPS)]
    w11 = 0
    while w11 < (((~x3) if bool_(u64(5)) else (in_i32[u32(i64(u32(100))) % u32(64 * NGROUPS)] | in_i32[u32((i16(-1) << i16(-100))) % u32(64 * NGROUPS)]))) % 4:
        w11 += 1
        x5 -= (((~x5) - in_i64[u32(max(i16(1), i16(100))) % u32(64 * NGROUPS)]) if (max(in_i16[(gid + u32(4)) % u32(64 * NGROUPS)], i16(-1)) == (in_i16[(gid + u32(4)) % u32(64 * NGROUPS)] + in_i16[u32((in_i16[(gid + u32(7)) % u32(64 * NGROUPS)] << 127)) % u32(64 * NGROUPS)])) else x5)
        out_i64[gid * NSLOTS_i64 + 1] = x5
        x4 = ((x3 // (in_i32[(gid + u32(0)) % u32(64 * NGROUPS)] // x4)) + ((x3 >> in_i32[(gid + u32(7)) % u32(64 * NGROUPS)]) % 31))
    ks.atomic_sub(acc_i, u32(4) + u32(x2) % u32(4), i32(abs(x2)))
    out_i16[gid * NSLOTS_i16 + 0] = x2
    out_i32[gid * NSLOTS_i32 + 0] = x3
    out_i32[gid * NSLOTS_i32 + 1] = x4
    out_i64[gid * NSLOTS_i64 + 0] = x5
