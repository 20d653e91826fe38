"""The coarsened CUDA kernels compute what the kernel says, checked without a GPU.

`convert-khal-to-nvvm{coarsen=N}` rewrites a barrier-free kernel so that one block runs N workgroups
(docs/cuda.md). These tests take the CUDA target's LLVM IR of such kernels, turn the NVVM special
registers into host globals, JIT it for the host with llvmlite, and run every thread of every block
one after another (valid for kernels without barriers, the only ones coarsened). The results must
equal the CPU backend's, on random inputs, for workgroup counts that are and are not multiples of N
(the fast path where a block's N workgroups all pass the guard, and the general path elsewhere).
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import khal
import khal.std as ks
from khal import Array, f32, i32, u32
from khal.compiler import compile_kernel
from khal.targets import ptx as cuda

sys.path.insert(0, str(Path(__file__).parents[1] / "runtime"))
import runtime_kernels as rk  # noqa: E402

SREGS = [f"{kind}.{d}" for kind in ("tid", "ctaid", "nctaid", "ntid") for d in "xyz"]


@khal.kernel(workgroup_size=32)
def saxpy(y: Array[f32], x: Array[f32], alpha: f32):
    i = ks.global_invocation_id().x
    if i < len(y):
        y[i] = alpha * x[i] + y[i]


@khal.kernel(workgroup_size=16)
def ids_unguarded(out: Array[u32], a: Array[u32]):
    # No guard: the launch covers `out` exactly. Every id and count, through the fast path.
    g = ks.global_invocation_id().x
    w = ks.workgroup_id()
    n = ks.num_workgroups()
    out[g] = a[g] * u32(3) + w.x * u32(1000) + ks.local_invocation_id().x + n.x * u32(100000) + w.y + n.y


@khal.kernel(workgroup_size=(8, 4))
def rows_2d(out: Array[i32], a: Array[i32], width: u32):
    gid = ks.global_invocation_id()
    if gid.x < width and gid.y * width + gid.x < len(a):
        k = gid.y * width + gid.x
        left = a[k - 1] if gid.x > 0 else 0
        out[k] = a[k] * 2 - left + i32(ks.workgroup_id().y)


@khal.kernel(workgroup_size=32)
def store_then_load(out: Array[i32], a: Array[i32]):
    # An invocation reads back what it stored: that order stays, whatever the fast path reorders.
    i = ks.global_invocation_id().x
    if i < len(out):
        out[i] = a[i] + 1
        out[i] = out[i] * 3 - a[i]


@khal.kernel(workgroup_size=32)
def loops_and_returns(a: Array[i32], out: Array[i32]):
    i = ks.global_invocation_id().x
    if i >= len(a):
        return
    n = a[i] % 40
    total = 0
    for j in range(n, -1, -2):
        if j % 3 == 0:
            continue
        total += j
        if total > 100:
            break
    out[i] = total + i32(ks.num_workgroups().x)


@khal.kernel(workgroup_size=32)
def histogram(data: Array[u32], bins: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(data):
        ks.atomic_add(bins, data[i] % len(bins), u32(1))


def host_ir(llvm_ir: str) -> str:
    """The CUDA target's LLVM IR made runnable on the host: special registers become globals."""
    text = re.sub(r"^target (triple|datalayout) = .*$", "", llvm_ir, flags=re.M)
    text = text.replace("ptx_kernel ", "").replace(" addrspace(1)", "").replace(" addrspace(3)", "")
    text = re.sub(r'^declare i32 @"llvm\.nvvm\.read\.ptx\.sreg\.[a-z.]+"\(\)\s*$', "", text, flags=re.M)
    text = re.sub(
        r'call i32 @"llvm\.nvvm\.read\.ptx\.sreg\.([a-z]+\.[xyz])"\(\)', r'load i32, ptr @"sreg.\1"', text
    )
    assert "llvm.nvvm" not in text, "a kernel the emulator cannot run (barrier, shuffle, libdevice)"
    return text + "\n" + "\n".join(f'@"sreg.{s}" = global i32 0' for s in SREGS) + "\n"


class Emulated:
    """A CUDA kernel's LLVM IR, JIT-compiled for the host; `launch` runs each thread in turn."""

    def __init__(self, kernel: khal.Kernel, coarsen: int):
        from llvmlite import binding as llvm

        self.factor = coarsen
        with cuda.compiling_for(cuda.CudaOptions(coarsen=coarsen)):
            compiled = compile_kernel(kernel, "cuda")
        self.interface = compiled.interface
        self.coarsened = self.interface.params[-1].name == "__groups_x"
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        module = llvm.parse_assembly(host_ir(compiled.artifact.asm["llvm"]))
        module.verify()
        machine = llvm.Target.from_default_triple().create_target_machine()
        self.engine = llvm.create_mcjit_compiler(module, machine)
        self.engine.finalize_object()
        self.module = module
        self.regs = {
            s: ctypes.c_int32.from_address(self.engine.get_global_value_address(f"sreg.{s}")) for s in SREGS
        }
        types: list[Any] = []
        for p, kp in zip(self.interface.params, [*kernel.params, None], strict=False):
            if p.kind == "array":
                types += [ctypes.c_void_p, ctypes.c_uint64]
            else:
                assert p.size == 4, "the emulator passes 32-bit values"
                is_float = kp is not None and np.dtype(kp.type.dtype).kind == "f"
                types.append(ctypes.c_float if is_float else ctypes.c_uint32)
        self.fn = ctypes.CFUNCTYPE(None, *types)(self.engine.get_function_address(kernel.name))
        self.kernel = kernel

    def launch(self, groups: tuple[int, int, int], args: list[Any]) -> None:
        """Run the logical grid `groups` (workgroup counts) over numpy arrays and Python scalars."""
        wg = self.interface.workgroup_size
        blocks = list(groups)
        flat: list[Any] = []
        for value in args:
            if isinstance(value, np.ndarray):
                flat += [value.ctypes.data, len(value)]
            elif isinstance(value, float):
                flat.append(value)
            else:
                flat.append(int(value) & 0xFFFFFFFF)
        if self.coarsened:
            flat.append(groups[0])
            blocks[0] = -(-groups[0] // self.factor)
        for name, count in zip(("nctaid.x", "nctaid.y", "nctaid.z"), blocks, strict=True):
            self.regs[name].value = count
        for name, size in zip(("ntid.x", "ntid.y", "ntid.z"), wg, strict=True):
            self.regs[name].value = size
        for bz in range(blocks[2]):
            for by in range(blocks[1]):
                for bx in range(blocks[0]):
                    self.regs["ctaid.x"].value, self.regs["ctaid.y"].value = bx, by
                    self.regs["ctaid.z"].value = bz
                    for tz in range(wg[2]):
                        for ty in range(wg[1]):
                            for tx in range(wg[0]):
                                self.regs["tid.x"].value, self.regs["tid.y"].value = tx, ty
                                self.regs["tid.z"].value = tz
                                self.fn(*flat)


def run_both(
    kernel: khal.Kernel, coarsen: int, groups: tuple[int, int, int], make_args: Callable[[], list[Any]]
) -> tuple[list[Any], list[Any]]:
    """(emulated CUDA results, CPU backend results) of one launch, on the same fresh inputs."""
    emulated = Emulated(kernel, coarsen)
    args = make_args()
    mine = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    emulated.launch(groups, mine)
    cpu = khal.Cpu()
    theirs = [cpu.init_buffer(a) if isinstance(a, np.ndarray) else a for a in args]
    enc = cpu.begin_encoding()
    with enc.begin_pass("ref") as p:
        kernel.call(p, khal.Workgroups(groups), *theirs)
    cpu.submit(enc).wait()
    return mine, [cpu.slow_read_vec(b) if not isinstance(b, float | int) else b for b in theirs]


rng = np.random.default_rng()

CASES: list[
    tuple[khal.Kernel, Callable[[int], tuple[tuple[int, int, int], Callable[[], list[Any]]]], bool]
] = [
    (
        saxpy,
        lambda g: (
            (g, 1, 1),
            lambda: [
                rng.standard_normal(g * 32 - 5).astype(np.float32),
                rng.standard_normal(g * 32 - 5).astype(np.float32),
                float(rng.standard_normal()),
            ],
        ),
        True,
    ),
    (
        ids_unguarded,
        lambda g: (
            (g, 2, 1),
            lambda: [np.zeros(g * 16 * 2, np.uint32), rng.integers(0, 2**20, g * 16 * 2, dtype=np.uint32)],
        ),
        True,
    ),
    (
        rows_2d,
        lambda g: (
            (g, 3, 1),
            lambda: [
                np.zeros(g * 8 * 12 - 3, np.int32),
                rng.integers(-1000, 1000, g * 8 * 12 - 3, dtype=np.int32),
                g * 8,
            ],
        ),
        False,  # `a[k - 1] if ... else 0` is an `if` with a result: the general path
    ),
    (
        store_then_load,
        lambda g: (
            (g, 1, 1),
            lambda: [np.zeros(g * 32 - 1, np.int32), rng.integers(-99, 99, g * 32 - 1, dtype=np.int32)],
        ),
        True,
    ),
    (
        loops_and_returns,
        lambda g: (
            (g, 1, 1),
            lambda: [rng.integers(0, 1000, g * 32 - 7, dtype=np.int32), np.zeros(g * 32 - 7, np.int32)],
        ),
        False,
    ),
    (
        histogram,
        lambda g: (
            (g, 1, 1),
            lambda: [rng.integers(0, 2**31, g * 32 - 2, dtype=np.uint32), np.zeros(13, np.uint32)],
        ),
        False,
    ),
]


def _int_ops(g: int) -> tuple[tuple[int, int, int], Callable[[], list[Any]]]:
    n = g * 64 - 9

    def args() -> list[Any]:
        b = rng.integers(-(2**31), 2**31, n, dtype=np.int32)
        b[::5] = 0  # division by zero: khal's defined result
        return [rng.integers(-(2**31), 2**31, n, dtype=np.int32), b, rng.integers(0, 40, n, dtype=np.uint32),
                np.zeros(8 * n, np.int32)]  # fmt: skip

    return (g, 1, 1), args


CASES += [
    (rk.int_ops_i32, _int_ops, False),  # `//` and `%` branch on the divisor: the general path
    (
        rk.mandelbrot,
        lambda g: ((g, 9, 1), lambda: [np.zeros(g * 8 * 70, np.uint32), g * 8, 70, 60]),
        False,
    ),
    (
        rk.cas_counter,
        lambda g: (
            (g, 1, 1),
            lambda: [rng.integers(-99, 99, g * 64 - 1, dtype=np.int32), np.zeros(2, np.int32)],
        ),
        False,
    ),
]


@pytest.mark.parametrize("coarsen", [1, 2, 3, 4])
@pytest.mark.parametrize("groups", [1, 6, 7])
@pytest.mark.parametrize("case", range(len(CASES)), ids=[c[0].name for c in CASES])
def test_coarsened_kernel_matches_the_cpu(case: int, groups: int, coarsen: int) -> None:
    kernel, make, _ = CASES[case]
    grid, args = make(groups)
    mine, theirs = run_both(kernel, coarsen, grid, args)
    for a, b in zip(mine, theirs, strict=True):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("case", range(len(CASES)), ids=[c[0].name for c in CASES])
def test_the_fast_path_is_taken_where_the_body_allows_it(case: int) -> None:
    kernel, _, fast = CASES[case]
    with cuda.compiling_for(cuda.CudaOptions(coarsen=4)):
        llvm_ir = compile_kernel(kernel, "cuda").artifact.asm["llvm"]
    body = llvm_ir.split("define ", 1)[1]
    stores = [m.start() for m in re.finditer(r"\bstore ", body)]
    loads = [m.start() for m in re.finditer(r"= load ", body)]
    # The fast path: the first store comes after at least 4 loads (one per workgroup, at least).
    first_store = stores[0] if stores else len(body)
    assert (sum(1 for x in loads if x < first_store) >= 4) == fast, kernel.name


# ------------------------------------------------------------------------------ random kernels

sys.path.insert(0, str(Path(__file__).parents[1] / "conformance"))
from fuzzing import inputs, programs  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

RAN: list[str] = []


@settings(
    max_examples=int(os.environ.get("KHAL_EMULATED_FUZZ", "40")),
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(st.data(), st.sampled_from([2, 3]))
def test_coarsened_random_kernels_match_the_cpu(data: st.DataObject, coarsen: int) -> None:
    from harness import compare, load_source

    program = data.draw(programs())
    if "workgroup_array" in program.source:  # barriers: not coarsened, and not emulated here
        return
    kernel = load_source(program.source, "fuzz").fuzz
    RAN.append(program.key())
    args = inputs(program)
    mine = [a.copy() for a in args]
    Emulated(kernel, coarsen).launch((program.groups, 1, 1), mine)
    theirs = [a.copy() for a in args]
    khal.launch(kernel, program.invocations, *theirs, backend=khal.Cpu())
    for i, (a, b) in enumerate(zip(mine, theirs, strict=True)):
        compare(
            a, b, what=f"argument {i} ({a.dtype}) emulated CUDA (coarsen={coarsen}) vs cpu\n{program.source}"
        )


def test_random_kernels_ran() -> None:
    # The property above ran kernels (most programs have no workgroup memory), not only skips.
    if RAN:
        assert len(set(RAN)) >= 10
