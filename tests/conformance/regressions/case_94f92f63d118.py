# ruff: noqa
# fmt: off
"""A differential-fuzzing case (tests/conformance/fuzzing.py), shrunk by hypothesis.

Found with backends cpu, webgpu, cpu-parallel:
    argument 5 (float32) webgpu vs cpu: 1 of 4 differ (bound 2 ulp) at [3]: got [0.0] want [nan]
"""

from __future__ import annotations

import khal
import khal.std as ks
from khal import (Array, Vec2, Vec3, Vec4, IVec2, IVec3, IVec4, UVec2, UVec3, UVec4, Mat2, Mat3, Mat4,
                  bool_, f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64)

TYPES = ['i32', 'u8', 'f32']
SLOTS = {'i32': 1, 'u8': 1, 'f32': 1}
WORKGROUP_SIZE = 4
GROUPS = 1
SEED = 4

NGROUPS = 1
NSLOTS_i32 = 1
NSLOTS_u8 = 1
NSLOTS_f32 = 1


@khal.kernel(workgroup_size=4)
def fuzz(in_i32: Array[i32], out_i32: Array[i32], in_u8: Array[u8], out_u8: Array[u8], in_f32: Array[f32], out_f32: Array[f32], acc_u: Array[u32], acc_i: Array[i32]):
    gid = ks.global_invocation_id().x
    lid = ks.local_invocation_id().x
    x1 = (i32(i8(0)) + (in_i32[u32((i32(0) + i32(0))) % u32(4 * NGROUPS)] + i32(0)))
    x2 = ((u8(3) + u8(0)) + (u8(0) + in_u8[u32((i32(0) + i32(0))) % u32(4 * NGROUPS)]))
    x3 = (in_f32[(gid + u32(0)) % u32(4 * NGROUPS)] * 0.0)
    x1 = i32(0)
    out_i32[gid * NSLOTS_i32 + 0] = x1
    out_u8[gid * NSLOTS_u8 + 0] = x2
    out_f32[gid * NSLOTS_f32 + 0] = x3
