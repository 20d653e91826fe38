# ruff: noqa
# fmt: off
"""A sample differential-fuzzing case (no bug): a generated program with every construct.

Found with backends cpu, cpu-parallel, Python (emulator.py):
    none: a sample of the constructs the generator makes (barriers, atomics, loops with break, functions), kept so the saved-case runner always has a case to run
"""

from __future__ import annotations

import khal
import khal.std as ks
from khal import (Array, Vec2, Vec3, Vec4, IVec2, IVec3, IVec4, UVec2, UVec3, UVec4, Mat2, Mat3, Mat4,
                  bool_, f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64)

TYPES = ['i16', 'i32', 'i64']
SLOTS = {'i16': 3, 'i32': 3, 'i64': 3}
WORKGROUP_SIZE = 64
GROUPS = 2
SEED = 2061

NGROUPS = 2
NSLOTS_i16 = 3
NSLOTS_i32 = 3
NSLOTS_i64 = 3


@khal.func
def f1(a: i32, b: i32) -> i32:
    return b


@khal.kernel(workgroup_size=64)
def fuzz(in_i16: Array[i16], out_i16: Array[i16], in_i32: Array[i32], out_i32: Array[i32], in_i64: Array[i64], out_i64: Array[i64], acc_u: Array[u32], acc_i: Array[i32]):
    gid = ks.global_invocation_id().x
    lid = ks.local_invocation_id().x
    tile = ks.workgroup_array(i64, 64)
    x2 = ((in_i16[u32(min(i32(-2147483647), in_i32[(gid + u32(4)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)] & 100) + 1)
    x3 = abs((x2 >> i16(-32768)))
    x4 = in_i32[u32(in_i16[u32(i32(-2147483647)) % u32(64 * NGROUPS)]) % u32(64 * NGROUPS)]
    x5 = (-i32(f64(0.0)))
    x6 = i64((u16(127) ^ u16(1)))
    if ((True and True) or (True if False else True)):
        for j7 in range(((min(x5, in_i32[u32((in_i64[u32((i16(-7) ^ 127)) % u32(64 * NGROUPS)] // 2)) % u32(64 * NGROUPS)]) & (~i32(5)))) % 5):
            ks.atomic_xor(acc_i, u32(24) + u32(abs(abs(in_i32[u32(min(x6, x6)) % u32(64 * NGROUPS)]))) % u32(4), i32((i32(f64(-1.0)) % f1(x4, in_i32[u32(max(i64(-2147483647), x6)) % u32(64 * NGROUPS)]))))
            if True:
                ks.atomic_and(acc_u, u32(16) + u32(i32(f64(-1.0))) % u32(4), u32(((x5 << 2147483647) if (False and True) else (i32(7) >> in_i32[u32((in_i16[u32(in_i16[(gid + u32(8)) % u32(64 * NGROUPS)]) % u32(64 * NGROUPS)] << in_i16[(gid + u32(6)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)]))))
                x5 += (in_i32[(gid + u32(2)) % u32(64 * NGROUPS)] % f1(max(x4, x5), (x5 * in_i32[u32(max(in_i64[u32((~in_i64[u32(max(x6, x6)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)], x6)) % u32(64 * NGROUPS)])))
                x2 = ((i16(i8(2)) * x3) + (~in_i16[u32((i64(-100) * x6)) % u32(64 * NGROUPS)]))
            else:
                x6 = x6
            x5 += j7
        for j8 in range((i32((False and True))) % 5):
            x3 = (x2 * x3)
            x3 = x3
            x2 = ((~(x2 ^ i16(7))) << (i16(-32768) % i16(x6)))
    else:
        if True:
            x6 = x6
            for j9 in range((min((x5 + x5), (~x5))) % 5):
                x2 = x3
            x3 ^= max(x2, x2)
        if ((in_i64[(gid + u32(4)) % u32(64 * NGROUPS)] if True else in_i64[(gid + u32(6)) % u32(64 * NGROUPS)]) > x6):
            for j10 in range((x5) % 5):
                out_i32[gid * NSLOTS_i32 + 2] = (in_i32[(gid + u32(1)) % u32(64 * NGROUPS)] >> 5)
                x2 = (~x2)
                x6 = (in_i64[u32(x6) % u32(64 * NGROUPS)] << 0)
            if True:
                out_i16[gid * NSLOTS_i16 + 2] = (x2 if ((not True) and bool_(x5)) else (i16(False) & (i16(-2) | x3)))
                ks.atomic_max(acc_i, u32(12) + u32(i64(31)) % u32(4), i32(x6))
                x6 <<= ((min(x6, in_i64[(gid + u32(6)) % u32(64 * NGROUPS)]) if (x4 < x4) else (i64(-2) * i64(0))) % 1)
            elif bool_((x3 // in_i16[u32(in_i32[u32((x5 if False else in_i32[u32((in_i64[u32(i16(f64(-1.0))) % u32(64 * NGROUPS)] << x6)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)]) % u32(64 * NGROUPS)])):
                x3 %= i16(f16(0.0))
                out_i64[gid * NSLOTS_i64 + 1] = ((x6 & 2) + x6)
                ks.atomic_sub(acc_u, u32(4) + u32(abs(max(x6, x6))) % u32(4), u32((in_i64[u32((x4 % i32(-2))) % u32(64 * NGROUPS)] & 100)))
        elif (not bool_(f64(0.0))):
            x2 <<= (-((in_i16[(gid + u32(8)) % u32(64 * NGROUPS)] - in_i16[u32((i16(-32768) ^ x2)) % u32(64 * NGROUPS)]) if False else in_i16[u32(i16(x4)) % u32(64 * NGROUPS)]))
            for j11 in range(((~abs(in_i32[u32(x5) % u32(64 * NGROUPS)]))) % 5):
                x6 += (abs((x6 % i64(100))) & 100)
                x5 = f1(((in_i32[u32((x6 // x6)) % u32(64 * NGROUPS)] | 127) << i32(-2)), i32(f32(0.5)))
            x2 = (i16(2) % i16(ks.floor(f16(-1.0))))
    x3 = i16(in_i64[u32((x6 << 7)) % u32(64 * NGROUPS)])
    for j12 in range((max(min(i32(0), x4), (x5 // in_i32[(gid + u32(7)) % u32(64 * NGROUPS)]))) % 5):
        w13 = 0
        while w13 < ((f1(x5, in_i32[(gid + u32(2)) % u32(64 * NGROUPS)]) + 1)) % 4:
            w13 += 1
            if False:
                break
            x4 = ((max(x5, in_i32[(gid + u32(2)) % u32(64 * NGROUPS)]) >> (~j12)) >> i32(-2))
            x5 = x4
        out_i64[gid * NSLOTS_i64 + 2] = x6
    tile[lid] = i64((f64(2.0) - f64(-1.0)))
    ks.workgroup_barrier()
    x6 = tile[(lid + u32(48)) % u32(64)]
    ks.workgroup_barrier()
    x4 ^= (max(x4, abs(x5)) & i32(f64(0.5)))
    tile[lid] = ((x6 >> 2147483647) << i64(-100))
    ks.workgroup_barrier()
    x6 = tile[(lid + u32(26)) % u32(64)]
    ks.workgroup_barrier()
    tile[lid] = min((i64(-2) | 127), in_i64[u32((x2 * 32767)) % u32(64 * NGROUPS)])
    ks.workgroup_barrier()
    x6 = tile[(lid + u32(34)) % u32(64)]
    ks.workgroup_barrier()
    tile[lid] = max(i64(7), abs(in_i64[(gid + u32(5)) % u32(64 * NGROUPS)]))
    ks.workgroup_barrier()
    x6 = tile[(lid + u32(21)) % u32(64)]
    ks.workgroup_barrier()
    out_i16[gid * NSLOTS_i16 + 0] = x2
    out_i16[gid * NSLOTS_i16 + 1] = x3
    out_i32[gid * NSLOTS_i32 + 0] = x4
    out_i32[gid * NSLOTS_i32 + 1] = x5
    out_i64[gid * NSLOTS_i64 + 0] = x6
