"""Kernels of tests/runtime/test_f64_math.py: the f64 functions SPIR-V has no instruction for."""

from __future__ import annotations

import khal
import khal.std as ks
from khal import Array, f64, u32

UNARY_F64 = ["sin", "cos", "tan", "tanh", "asin", "acos", "atan"]


@khal.kernel
def f64_unary(x: Array[f64], out: Array[f64], which: u32):
    i = ks.global_invocation_id().x
    if i < len(x):
        v = x[i]
        r = v
        if which == 0:
            r = ks.sin(v)
        elif which == 1:
            r = ks.cos(v)
        elif which == 2:
            r = ks.tan(v)
        elif which == 3:
            r = ks.tanh(v)
        elif which == 4:
            r = ks.asin(v)
        elif which == 5:
            r = ks.acos(v)
        elif which == 6:
            r = ks.atan(v)
        out[i] = r


@khal.kernel
def f64_binary(x: Array[f64], y: Array[f64], out: Array[f64]):
    i = ks.global_invocation_id().x
    if i < len(x):
        a = x[i]
        b = y[i]
        out[4 * i] = ks.atan2(a, b)
        out[4 * i + 1] = a // b
        out[4 * i + 2] = a % b
        out[4 * i + 3] = ks.pow(a, b)


@khal.kernel
def f64_fma(x: Array[f64], y: Array[f64], z: Array[f64], out: Array[f64]):
    i = ks.global_invocation_id().x
    if i < len(x):
        out[i] = ks.fma(x[i], y[i], z[i])
