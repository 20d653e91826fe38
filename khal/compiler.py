"""The compiler driver: frontend -> the target's pipeline -> artifact, with the compile cache in front.

The per-target pipelines (`PIPELINES`) are the single source of truth for `kernel.ir(target=,
stage=)`, `khal-opt -t`, the cache and the runtime. A pipeline is a list of registered pass names
(`khal.passes.get_pass`); after it, the target's own stages run: for the CPU, `llvm` (the llvm
dialect translated to LLVM IR by `khal.targets.llvm`) and `llvm-opt` (what `khal.targets.cpu`
optimised at O3 and JIT-compiled).

Nothing here imports xDSL at module level: a cache hit rebuilds the artifact with llvmlite alone.
`KHAL_DUMP_IR=DIR` writes every stage's IR to `DIR/<kernel>.<target>.<NN>-<stage>.{mlir,ll}`.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from khal.passes import COMMON_PREFIX, LLVM_LOWERING  # the pass registry imports no xDSL
from khal.cache import CACHE, make_key

if TYPE_CHECKING:
    from xdsl.context import Context
    from xdsl.dialects.builtin import ModuleOp


PIPELINES: dict[str, list[str]] = {
    "cpu": [*COMMON_PREFIX, "khal-cpu-workgroup-loops", *LLVM_LOWERING],
}
"""target -> the pass names its kernels go through, in order."""

# The stages after the pass pipeline, per target.
TARGET_STAGES: dict[str, list[str]] = {"cpu": ["llvm", "llvm-opt"]}

FRONTEND_STAGE = "khal"


def stages(target: str) -> list[str]:
    """Every stage name of `target`: the frontend's output, each pass, then the target's own stages."""
    _check_target(target)
    return [FRONTEND_STAGE, *PIPELINES[target], *TARGET_STAGES[target]]


@dataclass(frozen=True)
class Compiled:
    """A kernel compiled for one target: the target's artifact plus what the runtime needs to know.

    `written[i]` tells whether parameter i is an array the kernel writes (from khal-infer-access).
    """

    name: str
    target: str
    artifact: Any
    written: tuple[bool, ...]


# Targets and khal-opt emitters whose backend is planned but not in this build yet.
_UNBUILT_TARGETS = ("cuda", "ptx", "spirv", "spirv-asm", "webgpu")


def _check_target(target: str) -> None:
    if target in _UNBUILT_TARGETS:
        raise NotImplementedError(f"the {target} target is not built yet; only the CPU target exists")
    if target not in PIPELINES:
        raise ValueError(f"unknown target {target!r}; known: {', '.join(PIPELINES)}")


# --------------------------------------------------------------------------- compiling


def _target_options(target: str) -> str:
    """What besides the kernel decides the compiled code (for the CPU: the host CPU, its features, LLVM)."""
    if target == "cpu":
        from khal.targets.cpu import host_description

        return host_description()
    return ""


def compile_kernel(kernel: Any, target: str = "cpu") -> Compiled:
    """Compile `kernel` for `target` through the cache (memory, then disk, then the full pipeline)."""
    _check_target(target)
    key = make_key(kernel.cache_key(), target, _target_options(target))
    compiled = CACHE.get(key)
    if compiled is not None:
        return compiled
    record = CACHE.load(key)
    if record is not None:
        try:
            compiled = _from_record(kernel, target, record)
        except Exception as e:  # an intact entry the target cannot use (another version, say)
            CACHE.discard(key, f"{type(e).__name__}: {e}")
            record = None
    if record is None:
        # A compile allocates many small long-lived objects (xDSL's modules, IR): the cyclic collector
        # would walk them again and again for nothing (about 8% of a cold compile).
        collecting = gc.isenabled()
        gc.disable()
        try:
            compiled, record = _compile_fresh(kernel, target)
        finally:
            if collecting:
                gc.enable()
        CACHE.store(key, record)
    CACHE.put(key, compiled)
    return compiled


def compile(kernel: Any, target: str = "cpu") -> Any:  # noqa: A001 - the driver's verb
    """The target's artifact for `kernel` (for the CPU: a `khal.targets.cpu.CpuArtifact`)."""
    return compile_kernel(kernel, target).artifact


def _compile_fresh(kernel: Any, target: str) -> tuple[Compiled, dict[str, Any]]:
    dump = _Dumper(kernel.name, target)
    module = kernel.module()
    dump.write(FRONTEND_STAGE, module)
    written: tuple[bool, ...] | None = None
    ctx = _context()
    for name in PIPELINES[target]:
        _run_pass(ctx, name, module)
        dump.write(name, module)
        if name == "khal-infer-access":
            written = _written_params(module, kernel.name)
    if written is None:
        raise RuntimeError(f"the {target} pipeline must run khal-infer-access")
    from khal.targets import cpu as cpu_target
    from khal.targets.llvm import translate_module

    llvm_module = translate_module(module)
    dump.write("llvm", str(llvm_module))
    artifact = cpu_target.build_artifact(llvm_module, kernel.name, kernel.params)
    dump.write("llvm-opt", artifact.llvm_ir)
    record = {"target": target, "name": kernel.name, "written": written, **artifact.record()}
    return Compiled(kernel.name, target, artifact, written), record


def _from_record(kernel: Any, target: str, record: dict[str, Any]) -> Compiled:
    from khal.targets import cpu as cpu_target

    artifact = cpu_target.load_artifact(record)
    return Compiled(kernel.name, target, artifact, tuple(record["written"]))


def _run_pass(ctx: Context, name: str, module: ModuleOp) -> None:
    from khal.passes import get_pass

    get_pass(name)().apply(ctx, module)


def _written_params(module: ModuleOp, kernel_name: str) -> tuple[bool, ...]:
    """Per kernel parameter, whether it is an array the kernel writes (after khal-infer-access)."""
    from khal.dialects.khal import Access, ArrayType, KernelOp

    for op in module.walk():
        if isinstance(op, KernelOp) and op.sym_name.data == kernel_name:
            return tuple(isinstance(a.type, ArrayType) and a.type.access_kind != Access.READ for a in op.args)
    raise RuntimeError(f"kernel {kernel_name} vanished from its module")


_CTX: Context | None = None


def _context() -> Context:
    """An xDSL context that knows every dialect a pipeline meets (each loaded only when needed)."""
    global _CTX
    if _CTX is None:
        import importlib

        from xdsl.context import Context

        ctx = Context()
        dialects = {
            "builtin": ("xdsl.dialects.builtin", "Builtin"),
            "arith": ("xdsl.dialects.arith", "Arith"),
            "math": ("xdsl.dialects.math", "Math"),
            "scf": ("xdsl.dialects.scf", "Scf"),
            "cf": ("xdsl.dialects.cf", "Cf"),
            "func": ("xdsl.dialects.func", "Func"),
            "vector": ("xdsl.dialects.vector", "Vector"),
            "llvm": ("xdsl.dialects.llvm", "LLVM"),
            "khal": ("khal.dialects.khal", "Khal"),
        }
        for name, (module, attr) in dialects.items():
            ctx.register_dialect(name, lambda m=module, a=attr: getattr(importlib.import_module(m), a))
        _CTX = ctx
    return _CTX


class _Dumper:
    """Writes each stage's IR under `KHAL_DUMP_IR` when it is set."""

    def __init__(self, kernel: str, target: str):
        d = os.environ.get("KHAL_DUMP_IR")
        self.dir = Path(d) if d else None
        self.prefix = f"{kernel}.{target}"
        self.n = 0
        if self.dir is not None:
            self.dir.mkdir(parents=True, exist_ok=True)

    def write(self, stage: str, ir: Any) -> None:
        if self.dir is None:
            return
        ext = "ll" if stage.startswith("llvm") and isinstance(ir, str) else "mlir"
        (self.dir / f"{self.prefix}.{self.n:02d}-{stage}.{ext}").write_text(str(ir))
        self.n += 1


# --------------------------------------------------------------------------- introspection


def ir_at(kernel: Any, target: str, stage: str | None) -> str:
    """The IR of `kernel` after `stage` of `target`'s pipeline (default: the last pass's output)."""
    names = stages(target)
    if stage is None:
        stage = PIPELINES[target][-1] if PIPELINES[target] else FRONTEND_STAGE
    if stage not in names:
        raise ValueError(f"unknown stage {stage!r} of target {target!r}; stages: {', '.join(names)}")
    module = kernel.module()
    if stage == FRONTEND_STAGE:
        return str(module)
    ctx = _context()
    for name in PIPELINES[target]:
        _run_pass(ctx, name, module)
        if name == stage:
            return str(module)
    if stage == "llvm":
        from khal.targets.llvm import translate_module

        return str(translate_module(module))
    return llvm_ir(kernel, target)


def llvm_ir(kernel: Any, target: str = "cpu") -> str:
    """The optimised LLVM IR that runs (for the CPU: what the JIT compiled)."""
    if target != "cpu":
        _check_target(target)
    return compile(kernel, target).llvm_ir


def spirv(kernel: Any) -> bytes:
    """The SPIR-V module of `kernel` (not built yet)."""
    raise NotImplementedError("the SPIR-V (WebGPU) target is not built yet: only the CPU target exists")


def ptx(kernel: Any) -> str:
    """The PTX of `kernel` (not built yet)."""
    raise NotImplementedError("the PTX (CUDA) target is not built yet: only the CPU target exists")


def emit(module: ModuleOp, target: str, output: IO[str]) -> None:
    """`khal-opt -t <target>`: finish lowering `module` for `target` and print it.

    For `llvm`: a module still holding a `khal.kernel` runs the whole CPU pipeline; one already past
    `khal-cpu-workgroup-loops` but not yet in the llvm dialect runs the LLVM lowering; then the llvm
    dialect is translated and the LLVM IR printed.
    """
    if target != "llvm":
        _check_target(target)
        raise ValueError(f"khal-opt cannot emit target {target!r} yet")
    from khal.dialects.khal import KernelOp
    from khal.targets.llvm import translate_module

    ctx = _context()
    ops = list(module.walk())
    if any(isinstance(op, KernelOp) for op in ops):
        passes = PIPELINES["cpu"]
    elif any(op.dialect_name() not in ("llvm", "builtin") for op in ops if op is not module):
        passes = LLVM_LOWERING
    else:
        passes = []
    for name in passes:
        _run_pass(ctx, name, module)
    output.write(str(translate_module(module)))
