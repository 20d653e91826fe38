"""The CUDA target without a GPU: every shared kernel gives PTX that `ptxas` assembles for sm_80 and sm_90.

`ptxas` is looked for on PATH, in pip `nvidia-cuda-nvcc` (nvidia/cu13/bin) and in /usr/local/cuda/bin;
without one the assembling tests skip and say so. The parameter block that `khal-cuda-lower-abi` wrote
(`khal.interface`) is checked against the `.param` list LLVM emitted, kernel by kernel.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import khal
import khal.std as ks
from khal import Array, f64, i16, i32, i64, u32
from khal.compiler import compile_kernel
from khal.errors import CompileError
from khal.targets import Interface
from khal.targets import ptx as cuda

TESTS = Path(__file__).resolve().parents[1]
for folder in ("runtime", "frontend"):
    if str(TESTS / folder) not in sys.path:
        sys.path.insert(0, str(TESTS / folder))

import kernel_zoo  # noqa: E402
import runtime_kernels  # noqa: E402

ARCHES = ("sm_80", "sm_90")


def _kernels(module: Any) -> list[tuple[str, khal.Kernel]]:
    return [(f"{module.__name__}.{n}", k) for n, k in vars(module).items() if isinstance(k, khal.Kernel)]


KERNELS = _kernels(runtime_kernels) + _kernels(kernel_zoo)


def _uses_print(kernel: khal.Kernel) -> bool:
    return "khal.print" in kernel.ir()


def find_ptxas() -> str | None:
    """`ptxas` on PATH, from pip `nvidia-cuda-nvcc`, or from /usr/local/cuda/bin."""
    found = shutil.which("ptxas")
    if found:
        return found
    try:
        import nvidia  # pyright: ignore[reportMissingImports]

        for root in nvidia.__path__:  # pyright: ignore
            for candidate in sorted(Path(root).glob("cu*/bin/ptxas")):
                return str(candidate)
    except ImportError:
        pass
    default = Path("/usr/local/cuda/bin/ptxas")
    return str(default) if default.is_file() else None


PTXAS = find_ptxas()
needs_ptxas = pytest.mark.skipif(
    PTXAS is None,
    reason="no ptxas (PATH, pip nvidia-cuda-nvcc, /usr/local/cuda/bin): `pip install nvidia-cuda-nvcc`",
)

_PARAM = re.compile(
    r"\.param\s+(?:\.align\s+(\d+)\s+)?\.(\w+)\s+"  # alignment (aggregates), type
    r"(?:\.ptr\s+\.global\s+\.align\s+\d+\s+)?(\w+)(?:\[(\d+)\])?"  # pointer qualifiers, name, bytes
)


def ptx_params(ptx: str, kernel: str) -> list[tuple[int, int]]:
    """(size, alignment) of each `.param` of the entry `kernel`, in order."""
    header = ptx[ptx.index(f".entry {kernel}(") :]
    header = header[: header.index(")")]
    params: list[tuple[int, int]] = []
    for align, kind, _name, count in _PARAM.findall(header):
        bits = int(kind[1:]) if kind[1:].isdigit() else 8
        size = int(count) if count else bits // 8
        params.append((size, int(align) if align else size))
    return params


def interface_params(interface: Interface) -> list[tuple[int, int]]:
    """What the interface says the `.param` list is: an array is two u64s, a value one parameter."""
    out: list[tuple[int, int]] = []
    for p in interface.params:
        if p.kind == "array":
            assert p.fields["len"] == p.fields["ptr"] + 8 and p.fields["ptr"] % 8 == 0
            out += [(8, 8), (8, 8)]
        else:
            out.append((p.size, 0))
    return out


@pytest.mark.parametrize(("name", "kernel"), KERNELS, ids=[n for n, _ in KERNELS])
def test_kernel_gives_ptx_that_ptxas_accepts(name: str, kernel: khal.Kernel, tmp_path: Path) -> None:
    ptx = kernel.ptx()
    assert ("call.uni (retval0), vprintf," in ptx) == _uses_print(kernel)
    assert ".version 8.0" in ptx and ".target sm_80" in ptx and f".entry {kernel.name}(" in ptx
    interface = compile_kernel(kernel, "cuda").interface
    emitted = ptx_params(ptx, kernel.name)
    expected = interface_params(interface)
    assert [size for size, _ in emitted] == [size for size, _ in expected], name
    # Each parameter sits in the block at a multiple of the alignment PTX gives it.
    offsets = [
        o for p in interface.params for o in ([p.fields["ptr"], p.fields["len"]] if p.fields else [p.offset])
    ]
    assert all(offset % align == 0 for offset, (_, align) in zip(offsets, emitted, strict=True))
    assert interface.block_size >= (offsets[-1] + emitted[-1][0] if offsets else 0)
    assert_ptxas_accepts(ptx, kernel.name, tmp_path, ARCHES)


def test_saxpy_interface_and_code() -> None:
    compiled = compile_kernel(runtime_kernels.saxpy, "cuda")
    interface = compiled.interface
    assert [(p.name, p.kind, p.access, p.offset) for p in interface.params] == [
        ("y", "array", "read_write", 0),
        ("x", "array", "read", 16),
        ("alpha", "value", "value", 32),
    ]
    assert interface.params[1].fields == {"ptr": 16, "len": 24}
    assert (interface.block_size, interface.block_align, interface.num_workgroups) == (40, 8, None)
    assert interface.workgroup_size == (128, 1, 1)
    ptx = runtime_kernels.saxpy.ptx()
    assert "%ctaid.x" in ptx and "%tid.x" in ptx and "ld.global" in ptx and "st.global" in ptx
    llvm_ir = runtime_kernels.saxpy.asm("cuda", "llvm")
    assert 'define ptx_kernel void @"saxpy"(ptr addrspace(1)' in llvm_ir


def test_gpu_features_reach_the_ptx() -> None:
    reduce_ptx = runtime_kernels.reduce_sum.ptx()
    assert ".shared" in reduce_ptx and "bar.sync" in reduce_ptx
    atomics = runtime_kernels.atomics_all.ptx()
    assert re.search(r"(atom|red)\.global\.add\.f32", atomics), "f32 atomic add must be native"
    assert re.search(r"atom(\.relaxed\.sys)?\.global\.cas\.b32", runtime_kernels.cas_counter.ptx())
    subgroups = runtime_kernels.subgroups.ptx()
    assert "shfl.sync.idx" in subgroups and "activemask" in subgroups and "%laneid" in subgroups
    maths = runtime_kernels.math_unary.asm("cuda", "llvm")
    assert '@"__nv_expf"' in str(maths) and '@"__nv_sinf"' in str(maths)


def test_print_packs_its_arguments_for_vprintf() -> None:
    # f"lane {lid}: {t}", idx: u32, f32 (promoted to double), u32 -> one buffer {i32, double, i32}.
    llvm_ir = kernel_zoo.reduce_sum.asm("cuda", "llvm")
    assert isinstance(llvm_ir, str)
    assert 'c"lane %u: %g %u\\0a\\00"' in llvm_ir
    assert "alloca {i32, double, i32}" in llvm_ir and 'call i32 @"vprintf"(ptr' in llvm_ir
    ptx = kernel_zoo.reduce_sum.ptx()
    assert "st.local.b64 \t[%rd1+8]" in ptx


@khal.kernel
def subgroup_f64(x: Array[f64]):
    i = ks.global_invocation_id().x
    x[i] = ks.subgroup_add(x[i])


def test_unsupported_subgroup_type_is_a_located_error() -> None:
    with pytest.raises(
        CompileError, match=r"test_ptx.py:\d+:\d+: error: khal.subgroup_reduce on f64 is not supported"
    ):
        subgroup_f64.ptx()


def test_missing_libdevice_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    llvm_ir = runtime_kernels.math_unary.asm("cuda", "llvm")
    assert isinstance(llvm_ir, str)
    monkeypatch.setattr(cuda, "find_libdevice", lambda: None)
    with pytest.raises(cuda.LibdeviceNotFound, match="pip install nvidia-nvvm"):
        cuda.compile_ptx(llvm_ir, "math_unary")
    # A kernel without math needs no libdevice.
    plain = runtime_kernels.saxpy.asm("cuda", "llvm")
    assert isinstance(plain, str) and ".entry saxpy" in cuda.compile_ptx(plain, "saxpy")


def test_arch_override_changes_the_options_key(monkeypatch: pytest.MonkeyPatch) -> None:
    target = cuda.CudaTarget()
    default = target.options_key()
    assert default.startswith("sm_80/ptx80/")
    monkeypatch.setenv("KHAL_CUDA_ARCH", "sm_90")
    assert target.options_key().startswith("sm_90/ptx80/") and target.options_key() != default
    llvm_ir = runtime_kernels.saxpy.asm("cuda", "llvm")
    assert isinstance(llvm_ir, str) and ".target sm_90" in cuda.compile_ptx(llvm_ir, "saxpy")


def assert_ptxas_accepts(ptx: str, name: str, tmp_path: Path, arches: tuple[str, ...] = ("sm_90",)) -> None:
    """`ptxas -arch=A` assembles `ptx` for each A of `arches` (skips without ptxas)."""
    if PTXAS is None:
        pytest.skip("no ptxas: `pip install nvidia-cuda-nvcc`")
    source = tmp_path / f"{name}.ptx"
    source.write_text(ptx)
    for arch in arches:
        result = subprocess.run(
            [PTXAS, f"-arch={arch}", str(source), "-o", str(tmp_path / f"{arch}.cubin")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{name} {arch}: {result.stderr}"


@pytest.mark.parametrize(("name", "kernel"), KERNELS, ids=[n for n, _ in KERNELS])
def test_virtual_grid_variant_gives_ptx_that_ptxas_accepts(
    name: str, kernel: khal.Kernel, tmp_path: Path
) -> None:
    # The variant the CUDA runtime launches for Indirect grids: four more parameters after the kernel's.
    with cuda.compiling_for(cuda.CudaOptions("sm_90", "ptx90", virtual_grid=True)):
        compiled = compile_kernel(kernel, "cuda")
    ptx = compiled.artifact.asm["ptx"]
    names = [p.name for p in compiled.interface.params]
    assert names[-4:] == ["__grid", "__grid_x", "__grid_y", "__grid_z"], name
    assert ".version 9.0" in ptx and ".target sm_90" in ptx and "%nctaid.x" in ptx
    assert [s for s, _ in ptx_params(ptx, kernel.name)] == [
        s for s, _ in interface_params(compiled.interface)
    ]
    assert_ptxas_accepts(ptx, kernel.name, tmp_path)


@pytest.mark.parametrize(("name", "kernel"), KERNELS, ids=[n for n, _ in KERNELS])
def test_coarsened_variant_gives_ptx_that_ptxas_accepts(
    name: str, kernel: khal.Kernel, tmp_path: Path
) -> None:
    # What the CUDA runtime launches for big grids: 4 workgroups per block where the kernel allows it
    # and gains (one more parameter, `__groups_x`), the kernel as it is elsewhere.
    with cuda.compiling_for(cuda.CudaOptions("sm_90", "ptx90", coarsen=4)):
        compiled = compile_kernel(kernel, "cuda")
    ptx = compiled.artifact.asm["ptx"]
    names = [p.name for p in compiled.interface.params]
    coarsened = names[-1] == "__groups_x"
    barriers = "bar.sync" in ptx or ".shared" in ptx or "shfl.sync" in ptx or "redux.sync" in ptx
    assert not (coarsened and barriers), name
    assert len(names) == len(kernel.params) + (1 if coarsened else 0)
    assert [s for s, _ in ptx_params(ptx, kernel.name)] == [
        s for s, _ in interface_params(compiled.interface)
    ]
    assert_ptxas_accepts(ptx, kernel.name, tmp_path)


@khal.kernel(workgroup_size=64)
def abs_wraps(a: Array[i16], b: Array[i32], c: Array[i64], out: Array[i64]):
    i = ks.global_invocation_id().x
    if i < len(a):
        # an i16 abs feeding a wider value, and an abs whose sign the floored % then tests
        out[i] = i64(i32(abs(a[i]))) + i64(abs(b[i])) + i64(u32(127)) % abs(c[i])


@khal.kernel(workgroup_size=64)
def neg_wraps(a: Array[i16], s: Array[i16], b: Array[i32], c: Array[i64], out: Array[i64]):
    i = ks.global_invocation_id().x
    if i < len(a):
        # i16 negations feeding wider values (the H200 case: `0 - (v << s)`), and i32/i64 negations
        out[i] = i64(i32(-a[i])) + i64(i32((s[i] - s[i]) - (a[i] << s[i]))) + i64(-b[i]) + (-c[i])


def test_integer_negation_is_spelled_as_an_unsigned_sub(tmp_path: Path) -> None:
    """No PTX `neg.sN`: ptxas took `cvt.s32.s16 (neg.s16 a)` for a negation that cannot overflow and
    sign-extended before negating (the SASS: PRMT 0x9910, then IADD3 -R), so `i32(-x)` of the i16 -32768
    was +32768 on the H200. khal's negation is `sub.uN d, 0, a`, which ptxas assembles."""
    ptx = neg_wraps.ptx()
    assert not re.search(r"\bneg\.s(16|32|64)\b", ptx), ptx
    assert re.search(r"sub\.u16\s+%rs\d+, 0, %rs\d+;", ptx), ptx
    assert cuda.spell_neg("\tneg.s16 \t%rs2, %rs1;\n\tneg.f32 \t%f2, %f1;") == (
        "\tsub.u16 \t%rs2, 0, %rs1;\n\tneg.f32 \t%f2, %f1;"
    )
    assert_ptxas_accepts(ptx, "neg_wraps", tmp_path, ARCHES)


def test_integer_abs_is_spelled_out_for_ptxas(tmp_path: Path) -> None:
    """No PTX `abs.sN`: ptxas takes its `d = |a|` literally (an i16's IABS result of +32768 went on
    unwrapped, and `min(abs(x), 0)` of an i64 was folded to 0, in the SASS), so khal's wrapping abs is a
    compare, a wrapping sub and a select, which ptxas assembles."""
    ptx = abs_wraps.ptx()
    assert not re.search(r"\babs\.s(16|32|64)\b", ptx), ptx
    for bits in (16, 32, 64):
        assert f"sub.u{bits} %abs_n, 0, " in ptx, bits
    assert cuda.spell_abs("\tabs.s16 \t%rs2, %rs1;") == (
        "\t{ .reg .pred %abs_p; .reg .b16 %abs_n; setp.lt.s16 %abs_p, %rs1, 0; "
        "sub.u16 %abs_n, 0, %rs1; selp.b16 %rs2, %abs_n, %rs1, %abs_p; }"
    )
    assert_ptxas_accepts(ptx, "abs_wraps", tmp_path, ARCHES)
