"""Workgroup memory and per-invocation slots: a limit at compile time, never a crash at run time.

Each case runs in a child process: before the limits existed these kernels overflowed the native stack
(SIGSEGV), and a crash must fail the test rather than kill pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

import khal

ROOT = Path(khal.__file__).resolve().parent.parent


def run_child(tmp_path: Path, source: str, *args: str) -> str:
    """Run `source` as a script in a new interpreter; its stdout, or a failure showing how it ended."""
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KHAL_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, f"child ended with {out.returncode}\n{out.stdout}\n{out.stderr}"
    return out.stdout


OVER_LIMIT = """
    import sys
    import numpy as np
    import khal, khal.std as ks
    from khal import Array, f32, u32

    N = 2**21


    @khal.kernel(workgroup_size=64)
    def too_big(out: Array[f32]):
        mem = ks.workgroup_array(f32, N)
        lid = ks.local_invocation_index()
        i = lid
        while i < u32(N):
            mem[i] = f32(i)
            i += u32(64)
        ks.workgroup_barrier()
        out[lid] = mem[lid * u32(1000)]


    @khal.kernel(workgroup_size=64)
    def exactly_48k(x: Array[f32], out: Array[f32]):
        mem = ks.workgroup_array(f32, 12288)
        lid = ks.local_invocation_index()
        i = lid
        while i < u32(12288):
            mem[i] = x[i]
            i += u32(64)
        ks.workgroup_barrier()
        s = 0.0
        j = lid
        while j < u32(12288):
            s += mem[u32(12287) - j]
            j += u32(64)
        out[lid] = s


    out = np.zeros(64, np.float32)
    try:
        khal.launch(too_big, 64, out, backend=khal.Cpu())
    except khal.CompileError as e:
        print(e)
    x = np.random.default_rng(int(sys.argv[1])).standard_normal(12288).astype(np.float32)
    khal.launch(exactly_48k, 64, x, out, backend=khal.Cpu())
    reference = x[::-1].reshape(-1, 64).sum(axis=0)
    print("48k ok" if np.allclose(out, reference, rtol=1e-4, atol=1e-3) else f"48k wrong {out} {reference}")
"""


def test_workgroup_memory_over_48k_is_a_located_compile_error(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    out = run_child(tmp_path, OVER_LIMIT, str(rng.integers(2**31)))
    first = out.splitlines()[0]
    assert first.startswith(f"{tmp_path / 'script.py'}:12:11: error: ")
    assert "8388608 bytes" in first and "at most 49152 bytes (48 KiB)" in first
    assert "mem = ks.workgroup_array(f32, N)" in out
    assert out.splitlines()[-1] == "48k ok"


# Six Mat4 values per invocation live across the barrier: 6 x 64 B x 1024 invocations = 384 KiB of slots,
# more than the stack of a thread started with threading.stack_size(256 KiB) (the main thread's 8 MiB
# is the same story for a larger kernel; a small stack keeps the test quick).
SLOTS = """
    import sys
    import threading
    import numpy as np
    import khal, khal.std as ks
    from khal import Array, f32, u32, Mat4
    from khal.compiler import compile_kernel


    @khal.kernel(workgroup_size=1024)
    def keep(a: Array[Mat4], out: Array[f32]):
        g = ks.global_invocation_id().x
        n = len(out)
        m0 = a[g]
        m1 = a[(g + u32(1)) % n]
        m2 = a[(g + u32(2)) % n]
        m3 = a[(g + u32(3)) % n]
        m4 = a[(g + u32(4)) % n]
        m5 = a[(g + u32(5)) % n]
        ks.workgroup_barrier()
        out[g] = m0[0][1] + m1[1][2] + m2[2][3] + m3[3][0] + m4[0][0] + m5[3][3]


    n = 3072
    a = np.random.default_rng(int(sys.argv[1])).standard_normal((n, 4, 4)).astype(np.float32)
    picks = [(0, 1), (1, 2), (2, 3), (3, 0), (0, 0), (3, 3)]
    reference = sum(np.roll(a[:, c, r], -i) for i, (c, r) in enumerate(picks))
    compile_kernel(keep, "cpu")  # on the main thread: the small stack is for running only
    results = []


    def run():
        for backend in (khal.Cpu(), khal.Cpu(parallel=True, threads=2)):
            out = np.zeros(n, np.float32)
            khal.launch(keep, n, a, out, backend=backend)
            results.append(np.allclose(out, reference, rtol=1e-5, atol=1e-5))


    threading.stack_size(256 * 1024)  # this thread and the pool's threads
    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    print(results)
"""


def test_slots_of_a_large_workgroup_do_not_overflow_a_small_stack(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    assert run_child(tmp_path, SLOTS, str(rng.integers(2**31))).strip() == "[True, True]"
