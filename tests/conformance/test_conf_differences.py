"""What is allowed to differ, pinned: each test here is named in docs/semantics.md.

Subgroups have a backend-dependent size (1 on the CPU target): what holds on every backend is pinned,
and the CPU's size."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
from conformance_kernels import subgroup_facts
from harness import compare, launch

from khal.backends import backend_spec


def test_subgroups_are_consistent_with_their_size(backend_name: str, rng: np.random.Generator) -> None:
    vals = rng.integers(0, 2**32, 256, dtype=np.uint32)
    got = launch(backend_name, subgroup_facts, 256, [vals, np.zeros(256 * 5, np.uint32)])[1].reshape(256, 5)
    size = int(got[0, 0])
    assert (got[:, 0] == size).all() and size >= 1 and size & (size - 1) == 0, got[:, 0]
    lane = np.arange(256) % size
    compare(got[:, 1], lane.astype(np.uint32), what="subgroup_invocation_id")
    compare(got[:, 2], np.full(256, size, np.uint32), what="subgroup_add(1)")
    groups = vals.reshape(-1, size)
    compare(got[:, 3], np.repeat(groups.max(1), size), what="subgroup_max")
    compare(got[:, 4], np.repeat(groups[:, 0], size), what="subgroup_broadcast_first")
    if backend_spec(backend_name).target == "cpu":
        assert size == 1  # the CPU target runs invocations one by one: a subgroup of one


def test_print_reaches_stdout_where_the_target_prints(backend_name: str) -> None:
    """print inside a kernel: CPU and CUDA print each invocation's line, WebGPU drops it; the kernel's
    other effects happen on every backend."""
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        import numpy as np
        import khal
        from conformance_kernels import print_values
        from khal.runtime.select import make_backend
        a = np.array([1.5, 2.5], np.float32)
        khal.launch(print_values, 2, a, backend=make_backend({backend_name!r}))
        assert a.tolist() == [2.5, 3.5], a
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = sorted(line for line in result.stdout.splitlines() if line.startswith("conformance print"))
    if backend_spec(backend_name).target == "webgpu":
        assert lines == []  # dropped: WebGPU has no printf
    else:
        assert lines == ["conformance print 0 1.5", "conformance print 1 2.5"], result.stdout
