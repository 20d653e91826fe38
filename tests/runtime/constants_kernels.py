"""Kernels that read module-level constants and a `khal.func` that tests rebind (test_constants.py)."""

from __future__ import annotations

import khal
import khal.std as ks
from khal import Array, f32

SCALE = 2.0
SHIFT = (1.0, 0.5)


@khal.func
def double(x: f32) -> f32:
    return x * 2.0


@khal.func
def negate(x: f32) -> f32:
    return -x


helper = double


@khal.kernel
def scaled(a: Array[f32], b: Array[f32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        a[i] = b[i] * SCALE + SHIFT[0]


@khal.kernel
def helped(a: Array[f32], b: Array[f32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        a[i] = helper(b[i])
