"""Which part of the fuzz case tests/conformance/regressions/case_fde4ac33dbc7.py differs on this webgpu
adapter (diagnostic, not a test): the case's atomic_sub operands stored per invocation, with and without the
workgroup-memory round trip that feeds them, compared with cpu."""

import sys
from pathlib import Path

import numpy as np

import khal
import khal.std as ks
from khal import Array, i8, i32, i64, u32
from khal.runtime.select import make_backend

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "conformance"))
from fuzzing import inputs, load_regression, run_program  # noqa: E402

N = 256


@khal.kernel(workgroup_size=64)
def probe(in_i32: Array[i32], in_i64: Array[i64], out: Array[i64], acc: Array[u32]):
    gid = ks.global_invocation_id().x
    lid = ks.local_invocation_id().x
    tile = ks.workgroup_array(i64, 64)
    x1 = in_i32[u32(1)]
    tile[lid] = in_i64[u32(x1) % u32(N)]
    ks.workgroup_barrier()
    x2 = tile[(lid + u32(52)) % u32(64)]
    ks.workgroup_barrier()
    x1 *= abs(i32(i8(-1)))
    direct = in_i64[u32(x1) % u32(N)]
    k = gid * u32(16)
    out[k + 0] = i64(x1)
    out[k + 1] = x2
    out[k + 2] = direct
    cond = min(in_i32[(gid + u32(4)) % u32(N)], x1) != abs(x1)
    out[k + 3] = i64(cond)
    p0 = in_i64[u32(max(i32(100), in_i32[(gid + u32(5)) % u32(N)])) % u32(N)]
    p1 = abs(p0)
    p2 = in_i64[u32(in_i64[(gid + u32(7)) % u32(N)] + i64(-2)) % u32(N)]
    out[k + 4] = p0
    out[k + 5] = p1
    out[k + 6] = p2
    out[k + 7] = p1 // p2
    idx = u32(4) + u32(p1 // p2) % u32(4)
    out[k + 8] = i64(idx)
    sel = x2 == in_i64[u32(min(x1, in_i32[(gid + u32(4)) % u32(N)])) % u32(N)]
    out[k + 9] = i64(sel)
    m = max(in_i64[(gid + u32(8)) % u32(N)], in_i64[u32(~x1) % u32(N)])
    out[k + 10] = m
    prod = x2 * in_i64[(gid + u32(8)) % u32(N)]
    out[k + 11] = prod
    v = u32(m if sel else prod)
    out[k + 12] = i64(v)
    out[k + 13] = i64(u32(m if sel else x2 * in_i64[(gid + u32(8)) % u32(N)]))
    if cond:
        ks.atomic_sub(acc, idx, v)
        out[k + 14] = i64(1)
    if cond:
        ks.atomic_add(acc, idx + u32(4), v)


LABELS = [
    "x1",
    "x2 (tile)",
    "x2 direct",
    "cond",
    "p0",
    "abs p0",
    "p2",
    "abs//p2",
    "idx",
    "sel",
    "max",
    "prod",
    "value",
    "value inline",
    "took if",
]


def main() -> None:
    names = sys.argv[1:] or ["webgpu"]
    path = Path(__file__).resolve().parents[1] / "tests/conformance/regressions/case_fde4ac33dbc7.py"
    program, module = load_regression(path)
    args = inputs(program)
    in_i32, in_i64 = args[0], args[2]
    results = {}
    for name in ["cpu", *names]:
        out = np.zeros(N * 16, np.int64)
        acc = np.zeros(16, np.uint32)
        khal.launch(probe, N, in_i32, in_i64, out, acc, backend=make_backend(name))
        results[name] = (out.reshape(N, 16), acc)
        outcome = run_program(
            program, {"cpu": make_backend("cpu"), name: make_backend(name)}, module, python=False
        )
        print(f"== case on {name}: {outcome.differences or 'agrees with cpu'}")
    ref, ref_acc = results["cpu"]
    for name in names:
        got, acc = results[name]
        print(f"== probe {name} vs cpu; acc got {acc.tolist()} want {ref_acc.tolist()}")
        for j, label in enumerate(LABELS):
            bad = np.nonzero(got[:, j] != ref[:, j])[0]
            print(
                f"{label:13s} wrong {bad.size:3d}  first (gid, got, want): "
                f"{[(int(g), int(got[g, j]), int(ref[g, j])) for g in bad[:4]]}"
            )


if __name__ == "__main__":
    main()
