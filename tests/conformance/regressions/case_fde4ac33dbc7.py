# ruff: noqa
# fmt: off
"""A differential-fuzzing case (tests/conformance/fuzzing.py), shrunk by hypothesis.

Found with backends cpu, cuda, cpu, webgpu:
    argument 4 (uint32) webgpu vs cpu: 2 of 28 differ (bound 0 ulp) at [4, 7]: got [2399360274, 2045705881] want [10965132, 139133727]
"""

from __future__ import annotations

import khal
import khal.std as ks
from khal import (Array, Vec2, Vec3, Vec4, IVec2, IVec3, IVec4, UVec2, UVec3, UVec4, Mat2, Mat3, Mat4,
                  bool_, f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64)

TYPES = ['i32', 'i64']
SLOTS = {'i32': 3, 'i64': 2}
WORKGROUP_SIZE = 64
GROUPS = 4
SEED = 52042

NGROUPS = 4
NSLOTS_i32 = 3
NSLOTS_i64 = 2


@khal.kernel(workgroup_size=64)
def fuzz(in_i32: Array[i32], out_i32: Array[i32], in_i64: Array[i64], out_i64: Array[i64], acc_u: Array[u32], acc_i: Array[i32]):
    gid = ks.global_invocation_id().x
    lid = ks.local_invocation_id().x
    tile = ks.workgroup_array(i64, 64)
    x1 = in_i32[u32(i64(1)) % u32(64 * NGROUPS)]
    x2 = (i64(f64(0.0)) // (i64(-2) % in_i64[u32(x1) % u32(64 * NGROUPS)]))
    tile[lid] = in_i64[u32((x1 if True else x1)) % u32(64 * NGROUPS)]
    ks.workgroup_barrier()
    x2 = tile[(lid + u32(52)) % u32(64)]
    ks.workgroup_barrier()
    x1 *= abs(i32((i8(127) if False else i8(-1))))
    x2 = x2
    if (min(in_i32[(gid + u32(4)) % u32(64 * NGROUPS)], x1) != abs(x1)):
        ks.atomic_sub(acc_u, u32(4) + u32((abs(in_i64[u32(max(i32(100), in_i32[(gid + u32(5)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)]) // (in_i64[u32((in_i64[(gid + u32(7)) % u32(64 * NGROUPS)] + i64(-2))) % u32(64 * NGROUPS)] if True else x2))) % u32(4), u32((max(in_i64[(gid + u32(8)) % u32(64 * NGROUPS)], in_i64[u32((~x1)) % u32(64 * NGROUPS)]) if (x2 == in_i64[u32(min(x1, in_i32[(gid + u32(4)) % u32(64 * NGROUPS)])) % u32(64 * NGROUPS)]) else (x2 * in_i64[(gid + u32(8)) % u32(64 * NGROUPS)]))))
        x1 |= ((x1 ^ i32(u8(31))) | 100)
    tile[lid] = in_i64[(gid + u32(9)) % u32(64 * NGROUPS)]
    ks.workgroup_barrier()
    x2 = tile[(lid + u32(56)) % u32(64)]
    ks.workgroup_barrier()
    tile[lid] = (x2 // (x2 | in_i64[u32((x1 % i32(-7))) % u32(64 * NGROUPS)]))
    ks.workgroup_barrier()
    x2 = tile[(lid + u32(23)) % u32(64)]
    ks.workgroup_barrier()
    if False:
        for j3 in range((i32(100)) % 5):
            x2 = x2
            if True:
                x2 = x2
            else:
                x2 = (x2 if ((x1 < in_i32[u32(abs(x1)) % u32(64 * NGROUPS)]) or False) else x2)
                out_i32[gid * NSLOTS_i32 + 1] = ((~min(j3, x1)) if (True and (not False)) else in_i32[(gid + u32(8)) % u32(64 * NGROUPS)])
            if (not (in_i64[(gid + u32(7)) % u32(64 * NGROUPS)] > i64(5))):
                out_i64[gid * NSLOTS_i64 + 1] = in_i64[(gid + u32(6)) % u32(64 * NGROUPS)]
            elif ((j3 == i32(1)) or (False and False)):
                out_i32[gid * NSLOTS_i32 + 2] = min(in_i32[u32(abs(i32(-2))) % u32(64 * NGROUPS)], j3)
                if False:
                    break
    out_i32[gid * NSLOTS_i32 + 0] = x1
    out_i64[gid * NSLOTS_i64 + 0] = x2
