"""The CUDA target: a kernel's llvm dialect with NVVM intrinsics -> LLVM IR -> PTX (llvmlite's NVPTX).

Pipeline after the common prefix: `convert-khal-to-nvvm` (the kernel keeps its grid shape),
`khal-cuda-lower-abi` (the parameter block, as `khal.interface`), `convert-khal-print-to-nvvm`
(`vprintf`), then the LLVM lowering with GPU
options: arrays in the global address space (1), workgroup arrays as shared (3) globals, math
through libdevice (`__nv_expf`, ...). `finish` gives the kernel the `ptx_kernel` calling convention,
links libdevice where the module calls it, optimises at O3 for the compute capability and emits PTX.

Stages: `llvm` (the translated module, before libdevice and optimisation) and `ptx`.

What the code is for (`CudaOptions`, all of it in the options key): without a device (CI,
`kernel.ptx()`) `sm_80` with PTX ISA 8.0, which driver 580 (CUDA 13.0, PTX ISA up to 9.0) loads and
`ptxas -arch=sm_80` / `-arch=sm_90` accept. A `khal.Cuda` backend compiles inside `compiling_for(...)`
with its device's options (`device_options`: the compute capability, and the PTX ISA of the driver's
CUDA version, both capped at what LLVM's NVPTX knows). `KHAL_CUDA_ARCH` (`sm_90`) and `KHAL_CUDA_PTX`
(`ptx80`) override both. `virtual_grid` compiles the variant that `convert-khal-to-nvvm{virtual_grid}`
describes (workgroups from a grid-stride loop, counts read on the device: `Indirect` calls);
`coarsen` the variant of `convert-khal-to-nvvm{coarsen}` (several workgroups per block, docs/cuda.md).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from khal.targets import Artifact, Interface, Stage, Target, kernel_interface_attr

if TYPE_CHECKING:
    from llvmlite import binding as llvm
    from xdsl.dialects.builtin import ModuleOp

TRIPLE = "nvptx64-nvidia-cuda"
DEFAULT_ARCH = "sm_80"
DEFAULT_PTX = "ptx80"
LIBDEVICE_PREFIX = "__nv_"
RECORD_VERSION = 1

NVVM_PASS = "convert-khal-to-nvvm"
VIRTUAL_GRID_PASS = "convert-khal-to-nvvm{virtual_grid=true}"

CUDA_LOWERING: list[str] = [
    "khal-expand-remf",  # NVPTX's frem is x - y * trunc(x / y), not fmod
    NVVM_PASS,
    "khal-cuda-lower-abi",
    "convert-khal-print-to-nvvm",
    "convert-khal-to-llvm{array_addr_space=1 workgroup_memory=global workgroup_addr_space=3 noalias=false}",
    "convert-vector-to-llvm",
    f"convert-math-to-llvm{{libm_prefix={LIBDEVICE_PREFIX} libm_for_all=true f32_via_f64=false}}",
    "khal-convert-scf-to-cf",
    "convert-arith-to-llvm",
    "convert-cf-to-llvm",
    "convert-func-to-llvm",
    "reconcile-unrealized-casts",
]
"""The CUDA target's passes after `COMMON_PREFIX`."""

_lock = threading.Lock()


class LibdeviceNotFound(RuntimeError):
    """No `libdevice.10.bc` was found, and the kernel calls a math function that needs it."""


def find_libdevice() -> Path | None:
    """libdevice from pip `nvidia-nvvm`, then `CUDA_HOME`/`CUDA_PATH`, then `/usr/local/cuda`."""
    candidates: list[Path] = []
    try:
        import nvidia  # pyright: ignore[reportMissingImports]

        for root in nvidia.__path__:  # pyright: ignore
            candidates += sorted(Path(root).glob("**/nvvm/libdevice/libdevice*.bc"))
    except ImportError:
        pass
    for var in ("CUDA_HOME", "CUDA_PATH"):
        if os.environ.get(var):
            candidates.append(Path(os.environ[var]) / "nvvm/libdevice/libdevice.10.bc")
    candidates.append(Path("/usr/local/cuda/nvvm/libdevice/libdevice.10.bc"))
    return next((c for c in candidates if c.is_file()), None)


# The SM versions LLVM 22's NVPTX backend knows (`sm_90a`-style variants left out), and its newest PTX ISA.
LLVM_ARCHES = (50, 52, 53, 60, 61, 62, 70, 72, 75, 80, 86, 87, 89, 90, 100, 101, 103, 110, 120, 121)
LLVM_MAX_PTX = 90
# The least PTX ISA each SM needs (PTX ISA release notes); older SMs take 6.0 or anything later.
_MIN_PTX = {80: 70, 86: 71, 87: 74, 89: 78, 90: 78, 100: 86, 101: 86, 103: 88, 110: 90, 120: 87, 121: 88}


@dataclass(frozen=True)
class CudaOptions:
    """What PTX is generated for: `arch` (`sm_90`), `ptx` (`ptx90`), the virtual-grid variant and the
    coarsening factor."""

    arch: str = DEFAULT_ARCH
    ptx: str = DEFAULT_PTX
    virtual_grid: bool = False
    coarsen: int = 1
    """Workgroups per block where the kernel allows it (`convert-khal-to-nvvm{coarsen}`)."""

    def key(self) -> str:
        """The part of the options key these decide."""
        key = f"{self.arch}/{self.ptx}" + ("/virtual-grid" if self.virtual_grid else "")
        if self.coarsen > 1:
            key += f"/coarsen{self.coarsen}"
        return key


_OPTIONS: ContextVar[CudaOptions | None] = ContextVar("khal_cuda_options", default=None)


@contextmanager
def compiling_for(options: CudaOptions) -> Iterator[None]:
    """Compile CUDA kernels for `options` inside this block (this thread or task only)."""
    token = _OPTIONS.set(options)
    try:
        yield
    finally:
        _OPTIONS.reset(token)


def options() -> CudaOptions:
    """The options in force: `compiling_for`'s (else the defaults), then `KHAL_CUDA_ARCH`/`KHAL_CUDA_PTX`."""
    current = _OPTIONS.get() or CudaOptions()
    arch_env, ptx_env = os.environ.get("KHAL_CUDA_ARCH"), os.environ.get("KHAL_CUDA_PTX")
    if arch_env or ptx_env:
        current = replace(current, arch=arch_env or current.arch, ptx=ptx_env or current.ptx)
    return current


def arch() -> str:
    """The compute capability PTX is generated for (`sm_80` without a device or an override)."""
    return options().arch


def ptx_version() -> str:
    """The PTX ISA feature (`ptx80`): at most what the driver accepts (driver 580: ISA 9.0)."""
    return options().ptx


def driver_ptx(driver_version: int) -> int:
    """The newest PTX ISA (x10: 90 = ISA 9.0) that a driver of `cuDriverGetVersion()` loads.

    CUDA 11.x reads ISA 7.x, 12.0-12.5 ISA 8.0-8.5, 12.6 8.5, 12.8 8.7, 12.9 8.8, 13.x ISA 9.x.
    """
    major, minor = driver_version // 1000, driver_version % 1000 // 10
    if major <= 10:
        return 63 if major == 10 else 60
    if major == 11:
        return 70 + min(minor, 8)
    if major == 12:
        return 80 + (minor if minor <= 5 else minor - 1)
    return 10 * (major - 4) + minor  # 13.0 -> 9.0, and on in step with the toolkit


def device_options(capability: tuple[int, int], driver_version: int) -> CudaOptions:
    """The options for a device of compute `capability` under a driver of `cuDriverGetVersion()`.

    The arch is the newest LLVM knows that the device runs (PTX for an older SM is JIT-compiled for a
    newer one); the ISA is the driver's, capped at LLVM's, and at least what the arch needs.
    """
    cc = capability[0] * 10 + capability[1]
    sm = max((a for a in LLVM_ARCHES if a <= cc), default=LLVM_ARCHES[0])
    isa = min(driver_ptx(driver_version), LLVM_MAX_PTX)
    isa = max(isa, _MIN_PTX.get(sm, 60))
    return CudaOptions(f"sm_{sm}", f"ptx{isa}")


def _initialise() -> None:
    from llvmlite import binding as llvm

    llvm.initialize_all_targets()
    llvm.initialize_all_asmprinters()


def target_machine() -> llvm.TargetMachine:
    """An NVPTX target machine for `arch()` and `ptx_version()` at O3."""
    from llvmlite import binding as llvm

    _initialise()
    target = llvm.Target.from_triple(TRIPLE)
    return target.create_target_machine(cpu=arch(), features=f"+{ptx_version()}", opt=3)


def _link_libdevice(module: llvm.ModuleRef) -> None:
    from llvmlite import binding as llvm

    needed = [f.name for f in module.functions if f.is_declaration and f.name.startswith(LIBDEVICE_PREFIX)]
    if not needed:
        return
    path = find_libdevice()
    if path is None:
        raise LibdeviceNotFound(
            f"the kernel calls {', '.join(sorted(needed))} from libdevice, and no libdevice.10.bc was found: "
            "`pip install nvidia-nvvm`, or set CUDA_HOME to a CUDA toolkit"
        )
    libdevice = llvm.parse_bitcode(path.read_bytes())
    libdevice.triple = module.triple
    libdevice.data_layout = module.data_layout
    module.link_in(libdevice)


def _drop_unused(module: llvm.ModuleRef, tm: llvm.TargetMachine) -> None:
    """Global DCE before O3: of libdevice's hundreds of (now internal) functions only the called stay."""
    from llvmlite import binding as llvm

    pb = llvm.create_pass_builder(tm, llvm.create_pipeline_tuning_options(speed_level=0))
    pm = llvm.create_new_module_pass_manager()
    pm.add_global_dead_code_eliminate_pass()
    pm.run(module, pb)


def compile_ptx(llvm_ir: str, kernel: str) -> str:
    """PTX for `llvm_ir` (a module holding `@<kernel>` with the `ptx_kernel` convention)."""
    from llvmlite import binding as llvm

    from khal.targets.cpu import optimise

    with _lock:
        tm = target_machine()
        module = llvm.parse_assembly(llvm_ir)
        module.triple = TRIPLE
        module.data_layout = str(tm.target_data)
        _link_libdevice(module)
        for f in module.functions:
            if not f.is_declaration and f.name != kernel:
                f.linkage = llvm.Linkage.internal
        module.verify()
        _drop_unused(module, tm)
        optimise(module, tm)
        return spell_wrapping(tm.emit_assembly(module))


_ABS = re.compile(r"^(\s*)abs\.s(16|32|64)\s+(%\w+),\s*(%\w+);", re.MULTILINE)
_NEG = re.compile(r"^(\s*)neg\.s(16|32|64)\s+(%\w+),\s*(%\w+);", re.MULTILINE)


def spell_wrapping(ptx: str) -> str:
    """The PTX of a kernel with its signed integer `abs` and negation spelled so that ptxas keeps their
    wrap (`spell_abs`, `spell_neg`): what the CUDA target emits."""
    return spell_neg(spell_abs(ptx))


def spell_neg(ptx: str) -> str:
    """Every integer `neg.sN d, a` spelled `sub.uN d, 0, a` (the same bits).

    ptxas takes a signed negation for one that does not overflow: for `cvt.s32.s16 (neg.s16 a)` it
    sign-extends `a` and negates in 32 bits (PRMT 0x9910, then IADD3 -R, in the SASS), so `i32(-x)` of
    the i16 -32768 gave +32768 instead of -32768 (an H200 fuzz case, tests/conformance/regressions/
    case_77a685de668d.py: `i32(0 - (v << s))` fed to an atomic_xor). `sub.s16 d, 0, a` is taken the same
    way; the unsigned subtraction is not (it negates, then sign-extends the low 16 bits)."""
    return _NEG.sub(lambda m: f"{m[1]}sub.u{m[2]} \t{m[3]}, 0, {m[4]};", ptx)


def spell_abs(ptx: str) -> str:
    """Every integer `abs.sN d, a` spelled as a compare, a wrapping `sub.uN` and a select.

    khal's `abs` wraps (`abs(i16(-32768)) == -32768`, as numpy's), and LLVM lowers `llvm.abs` (from any
    form the IR had: LLVM folds selects, xor/sub and wider detours back into it) to PTX `abs`, whose
    `d = |a|` ptxas takes literally: for `.s16` it kept IABS's 32-bit +32768 and dropped the sign
    extension after it; for `.s64` it may fold `min(abs(x), 0)` to 0 (the SASS of both was read with
    cuobjdump). On the H200 both made fuzz cases differ from the CPU (tests/conformance/regressions:
    `abs` of i16 -32768 and of i64 INT64_MIN). The spelled-out form costs two instructions more."""

    def spell(m: re.Match[str]) -> str:
        pad, bits, d, a = m.groups()
        return (
            f"{pad}{{ .reg .pred %abs_p; .reg .b{bits} %abs_n; setp.lt.s{bits} %abs_p, {a}, 0; "
            f"sub.u{bits} %abs_n, 0, {a}; selp.b{bits} {d}, %abs_n, {a}, %abs_p; }}"
        )

    return _ABS.sub(spell, ptx)


class CudaTarget(Target):
    """CUDA devices: PTX from llvmlite's NVPTX backend; the artifact's `native` is the PTX text."""

    name = "cuda"
    lowering = ",".join(CUDA_LOWERING)
    stages = (Stage("llvm", ext="ll"), Stage("ptx", ext="ptx"))
    llvm_ir_stage = "llvm"

    def pipeline(self) -> str:
        """The pipeline, its NVVM and LLVM lowerings taking the options in force (`CudaOptions`)."""
        spec = super().pipeline()
        current = options()
        if current.virtual_grid:
            spec = spec.replace(NVVM_PASS, VIRTUAL_GRID_PASS, 1)
        elif current.coarsen > 1:
            spec = spec.replace(NVVM_PASS, f"{NVVM_PASS}{{coarsen={current.coarsen}}}", 1)
        return spec

    def options_key(self) -> str:
        """The compute capability, the PTX ISA version, the grid variant and the LLVM version."""
        from llvmlite import binding as llvm

        return f"{options().key()}/llvm{'.'.join(map(str, llvm.llvm_version_info))}"

    def finish(
        self, module: ModuleOp, on_stage: Callable[[Stage, str | bytes], None] | None = None
    ) -> Artifact:
        """Translate the llvm-dialect `module`, mark its kernel `ptx_kernel`, emit PTX."""
        from khal.targets import interface_from_attr

        name, attr = kernel_interface_attr(module, "CUDA", "khal-cuda-lower-abi")
        interface = interface_from_attr(attr, name)
        llvm_ir = _llvm_ir(module, name)
        if on_stage is not None:
            on_stage(self.stages[0], llvm_ir)
        ptx = compile_ptx(llvm_ir, name)
        if on_stage is not None:
            on_stage(self.stages[1], ptx)
        return self._artifact(name, interface, llvm_ir, ptx)

    def _artifact(self, name: str, interface: Interface, llvm_ir: str, ptx: str) -> Artifact:
        record = {
            "cuda_record_version": RECORD_VERSION,
            "interface": interface.to_json(),
            "llvm": llvm_ir,
            "ptx": ptx,
        }
        return Artifact(self.name, name, interface, {"llvm": llvm_ir, "ptx": ptx}, ptx, record)

    def load(self, record: dict[str, Any]) -> Artifact:
        """The artifact of a cache record (plain data: no xDSL, no LLVM)."""
        if record.get("cuda_record_version") != RECORD_VERSION:
            raise ValueError("CUDA artifact record of another format; compile again")
        interface = Interface.from_json(record["interface"])
        return self._artifact(record["name"], interface, record["llvm"], record["ptx"])

    def emit(self, module: ModuleOp, stage: str) -> str | bytes:
        """`khal-opt -t llvm` / `-t ptx` for a module still in khal (the whole pipeline runs first)
        or already in the llvm dialect (translated as it is)."""
        from khal.dialects import context

        self.stage(stage)
        if any(op.dialect_name() not in ("llvm", "builtin") for op in module.walk() if op is not module):
            ctx = context()
            for p in self.passes():
                p.apply(ctx, module)
        artifact = self.finish(module)
        return artifact.asm[stage]


def _llvm_ir(module: ModuleOp, kernel: str) -> str:
    from khal.targets.llvm import translate_module

    ir_module = translate_module(module, triple=TRIPLE)
    ir_module.get_global(kernel).calling_convention = "ptx_kernel"
    return str(ir_module)


__all__ = [
    "CUDA_LOWERING",
    "CudaOptions",
    "CudaTarget",
    "LibdeviceNotFound",
    "arch",
    "compile_ptx",
    "compiling_for",
    "device_options",
    "driver_ptx",
    "find_libdevice",
    "options",
    "ptx_version",
    "target_machine",
]
