"""Which spelling of a wrapping `abs` keeps `abs(INT64_MIN) // -25` right on this webgpu adapter (diagnostic,
not a test; the H200 case tests/conformance/regressions/case_fde4ac33dbc7.py). Each variant is its own
kernel, fed from the case's inputs through the same computed indices; printed: how many invocations differ
from cpu."""

import sys
from pathlib import Path

import numpy as np

import khal
import khal.std as ks
from khal import Array, i32, i64, u32, u64
from khal.runtime.select import make_backend

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "conformance"))
from fuzzing import inputs, load_regression  # noqa: E402

N = 256


@khal.func
def operands(in_i32: Array[i32], in_i64: Array[i64], gid: u32) -> i64:
    return in_i64[u32(max(i32(100), in_i32[(gid + u32(5)) % u32(N)])) % u32(N)]


@khal.func
def divisor(in_i64: Array[i64], gid: u32) -> i64:
    return in_i64[u32(in_i64[(gid + u32(7)) % u32(N)] + i64(-2)) % u32(N)]


@khal.kernel(workgroup_size=64)
def builtin_floor(in_i32: Array[i32], in_i64: Array[i64], out: Array[i64]):
    gid = ks.global_invocation_id().x
    out[gid] = abs(operands(in_i32, in_i64, gid)) // divisor(in_i64, gid)


@khal.kernel(workgroup_size=64)
def builtin_trunc_sign(in_i32: Array[i32], in_i64: Array[i64], out: Array[i64]):
    gid = ks.global_invocation_id().x
    p = abs(operands(in_i32, in_i64, gid))
    out[gid] = i64(p < i64(0)) * i64(10) + i64(p % divisor(in_i64, gid) < i64(0))


@khal.kernel(workgroup_size=64)
def xor_shift_floor(in_i32: Array[i32], in_i64: Array[i64], out: Array[i64]):
    gid = ks.global_invocation_id().x
    x = operands(in_i32, in_i64, gid)
    s = x >> i64(63)
    out[gid] = ((x ^ s) - s) // divisor(in_i64, gid)


@khal.kernel(workgroup_size=64)
def not_plus_one_floor(in_i32: Array[i32], in_i64: Array[i64], out: Array[i64]):
    gid = ks.global_invocation_id().x
    x = operands(in_i32, in_i64, gid)
    out[gid] = ((~x + i64(1)) if x < i64(0) else x) // divisor(in_i64, gid)


@khal.kernel(workgroup_size=64)
def plain_floor(in_i32: Array[i32], in_i64: Array[i64], out: Array[i64]):
    gid = ks.global_invocation_id().x
    x = operands(in_i32, in_i64, gid)
    out[gid] = x // divisor(in_i64, gid)


@khal.kernel(workgroup_size=64)
def unsigned_of_abs(in_i32: Array[i32], in_i64: Array[i64], out: Array[i64]):
    gid = ks.global_invocation_id().x
    x = abs(operands(in_i32, in_i64, gid))
    out[gid] = i64(u64(x) >> u64(63)) * i64(10) + i64(x < i64(0))


@khal.kernel(workgroup_size=64)
def builtin_floor32(in_i32: Array[i32], in_i64: Array[i64], out: Array[i64]):
    gid = ks.global_invocation_id().x
    x = i32(operands(in_i32, in_i64, gid) >> i64(32))
    out[gid] = i64(abs(x) // i32(divisor(in_i64, gid)))


@khal.kernel(workgroup_size=64)
def wrap_tests(in_i32: Array[i32], in_i64: Array[i64], out: Array[i64]):
    gid = ks.global_invocation_id().x
    x = operands(in_i32, in_i64, gid)
    m = ~x  # INT64_MAX where x is INT64_MIN
    y = i32(x >> i64(32))
    out[gid] = (
        i64(-x < i64(0))
        + i64(m + i64(1) > m) * i64(10)
        + i64(-y < i32(0)) * i64(100)
        + i64(~y + i32(1) > ~y) * i64(1000)
    )


@khal.func
def abs_halves(x: i64) -> i64:
    lo = u32(x)
    hi = u32(u64(x) >> u64(32))
    nlo = ~lo + u32(1)
    nhi = ~hi + u32(lo == u32(0))
    return i64((u64(nhi) << u64(32)) | u64(nlo)) if x < i64(0) else x


@khal.kernel(workgroup_size=64)
def halves_floor(in_i32: Array[i32], in_i64: Array[i64], out: Array[i64]):
    gid = ks.global_invocation_id().x
    p = abs_halves(operands(in_i32, in_i64, gid))
    out[gid] = (p // divisor(in_i64, gid)) * i64(2) + i64(p < i64(0))


@khal.kernel(workgroup_size=64)
def guarded_floor(in_i32: Array[i32], in_i64: Array[i64], out: Array[i64]):
    gid = ks.global_invocation_id().x
    x = operands(in_i32, in_i64, gid)
    p = x if x == i64(-9223372036854775807 - 1) else abs(x)
    out[gid] = (p // divisor(in_i64, gid)) * i64(2) + i64(p < i64(0))


KERNELS = [
    wrap_tests,
    halves_floor,
    guarded_floor,
    builtin_floor32,
    builtin_floor,
    builtin_trunc_sign,
    xor_shift_floor,
    not_plus_one_floor,
    plain_floor,
    unsigned_of_abs,
]


def main() -> None:
    names = sys.argv[1:] or ["webgpu"]
    path = Path(__file__).resolve().parents[1] / "tests/conformance/regressions/case_fde4ac33dbc7.py"
    program, _ = load_regression(path)
    args = inputs(program)
    in_i32, in_i64 = args[0], args[2]
    in_i64 = in_i64.copy()
    in_i64[::17] = np.iinfo(np.int64).min  # more INT64_MIN operands
    for kernel in KERNELS:
        outs = {}
        for name in ["cpu", *names]:
            out = np.zeros(N, np.int64)
            khal.launch(kernel, N, in_i32, in_i64, out, backend=make_backend(name))
            outs[name] = out
        for name in names:
            bad = np.nonzero(outs[name] != outs["cpu"])[0]
            print(
                f"{kernel.__name__:20s} {name:7s} wrong {bad.size:3d}/{N}: "
                f"{[(int(g), int(outs[name][g]), int(outs['cpu'][g])) for g in bad[:3]]}"
            )


if __name__ == "__main__":
    main()
