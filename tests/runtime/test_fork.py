"""`os.fork()` while another thread compiles: the child's compiler must still work (issue 11, item 15)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import khal

FORK_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    import numpy as np
    import khal, khal.std as ks
    from khal import Array, f32
    from khal.compiler import compile_kernel

    @khal.kernel
    def scale(a: Array[f32], s: f32):
        i = ks.global_invocation_id().x
        if i < len(a):
            a[i] = a[i] * s + f32(i % 7)

    @khal.kernel
    def busy(a: Array[f32]):
        i = ks.global_invocation_id().x
        if i < len(a):
            x = a[i]
            for k in range(8):
                x = ks.sin(x) * 0.5 + ks.exp(x * 0.01)
            a[i] = x

    stop = False
    warm = threading.Event()

    def compile_forever():
        # KHAL_NO_CACHE=1: every call is a whole compile, much of it inside LLVM under its locks.
        while not stop:
            compile_kernel(busy, "cpu")
            warm.set()

    rng = np.random.default_rng(int(sys.argv[2]))
    thread = threading.Thread(target=compile_forever, daemon=True)
    thread.start()
    # Forking while another thread is still importing modules leaves them half-imported in the child
    # (a CPython hazard, not a compiler one): fork once the compiler is loaded.
    warm.wait()
    hung = 0
    for n in range(int(sys.argv[1])):
        time.sleep(float(rng.random()) * 0.05)
        pid = os.fork()
        if pid == 0:
            signal.alarm(20)  # a deadlocked child dies of SIGALRM instead of hanging the test
            a = rng.random(100, dtype=np.float32)
            expected = a * np.float32(3.0) + (np.arange(100) % 7).astype(np.float32)
            khal.launch(scale, 100, a, np.float32(3.0), backend=khal.Cpu())
            os._exit(0 if np.allclose(a, expected) else 3)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            hung += 1
            print(f"child {n}: exit {os.waitstatus_to_exitcode(status)}", file=sys.stderr)
    stop = True
    thread.join()
    print(hung)
    """
)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_while_another_thread_compiles(tmp_path: Path) -> None:
    script = tmp_path / "fork.py"
    script.write_text(FORK_SCRIPT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHAL_")}
    env["KHAL_NO_CACHE"] = "1"
    seed = int(np.random.SeedSequence().entropy) % 2**32  # type: ignore[arg-type]
    out = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", str(script), "12", str(seed)],
        capture_output=True,
        text=True,
        cwd=Path(khal.__file__).parent.parent,
        env=env,
        timeout=400,
    )
    assert out.returncode == 0, f"seed {seed}: {out.stderr[-3000:]}"
    assert out.stdout.strip() == "0", f"seed {seed}: children failed:\n{out.stderr[-3000:]}"
