# ruff: noqa
# fmt: off
"""A differential-fuzzing case (tests/conformance/fuzzing.py), shrunk by hypothesis.

Found with backends cpu, webgpu, cpu-parallel:
    argument 7 (float32) webgpu vs cpu: 1 of 16 differ (bound 2 ulp) at [0]: got [0.0] want [-2.5]
"""

from __future__ import annotations

import khal
import khal.std as ks
from khal import (Array, Vec2, Vec3, Vec4, IVec2, IVec3, IVec4, UVec2, UVec3, UVec4, Mat2, Mat3, Mat4,
                  bool_, f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64)

TYPES = ['i16', 'i32', 'u16', 'f32']
SLOTS = {'i16': 1, 'i32': 2, 'u16': 1, 'f32': 1}
WORKGROUP_SIZE = 4
GROUPS = 4
SEED = 3

NGROUPS = 4
NSLOTS_i16 = 1
NSLOTS_i32 = 2
NSLOTS_u16 = 1
NSLOTS_f32 = 1


@khal.kernel(workgroup_size=4)
def fuzz(in_i16: Array[i16], out_i16: Array[i16], in_i32: Array[i32], out_i32: Array[i32], in_u16: Array[u16], out_u16: Array[u16], in_f32: Array[f32], out_f32: Array[f32], acc_u: Array[u32], acc_i: Array[i32]):
    gid = ks.global_invocation_id().x
    lid = ks.local_invocation_id().x
    x1 = ((-i16(0)) + 0)
    x2 = i32(0)
    x3 = ((i32(0) + i32(0)) + 0)
    x4 = in_u16[(gid + u32(0)) % u32(4 * NGROUPS)]
    x5 = ((in_f32[u32(x1) % u32(4 * NGROUPS)] - in_f32[(gid + u32(0)) % u32(4 * NGROUPS)]) + f32(-2.5))
    for j6 in range((((i32(0) + i32(0)) + i32(i8(0)))) % 5):
        x1 = x1
    out_i16[gid * NSLOTS_i16 + 0] = x1
    out_i32[gid * NSLOTS_i32 + 0] = x2
    out_i32[gid * NSLOTS_i32 + 1] = x3
    out_u16[gid * NSLOTS_u16 + 0] = x4
    out_f32[gid * NSLOTS_f32 + 0] = x5
