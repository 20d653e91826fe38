"""The compiler driver: frontend -> the target's pipeline -> the target's `finish`, with the cache in front.

It knows no target by name: everything target-specific comes from the registry in `khal.targets`
(pipeline spec, stages, options key, `finish`, `load`, `emit`). The stages of a target are the
frontend's output (`khal`), each pass of its pipeline, then the target's own stages; they are what
`kernel.ir(target=, stage=)`, `kernel.asm(target, stage)` and `KHAL_DUMP_IR` name.

Nothing here imports xDSL at module level: a cache hit rebuilds the artifact through the target's
`load`, without the compiler. `KHAL_DUMP_IR=DIR` writes every stage to
`DIR/<kernel>.<target>.<NN>-<stage>.<ext>` (IR as `.mlir`; a binary stage as its bytes).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from khal.cache import CACHE, make_key
from khal.targets import (
    DEFAULT_TARGET,
    FRONTEND_STAGE,
    TARGETS,
    Artifact,
    Interface,
    Stage,
    Target,
    get_target,
    target_of_stage,
)

if TYPE_CHECKING:
    from xdsl.context import Context
    from xdsl.dialects.builtin import ModuleOp


class _Pipelines(Mapping[str, list[str]]):
    """target -> the names of its pipeline's passes, read from the registry on access."""

    def __getitem__(self, target: str) -> list[str]:
        return get_target(target).pass_names()

    def __iter__(self) -> Iterator[str]:
        return iter(TARGETS)

    def __len__(self) -> int:
        return len(TARGETS)


PIPELINES: Mapping[str, list[str]] = _Pipelines()
"""target -> the pass names its kernels go through, in order (from each target's pipeline spec)."""


def stages(target: str) -> list[str]:
    """Every stage name of `target`: the frontend's output, each pass, then the target's own stages."""
    t = get_target(target)
    return [FRONTEND_STAGE, *t.pass_names(), *(s.name for s in t.stages)]


@dataclass(frozen=True)
class Compiled:
    """A kernel compiled for one target: the target's artifact plus what the runtime needs to know.

    `written[i]` tells whether parameter i is an array the kernel writes (from the interface).
    """

    name: str
    target: str
    artifact: Artifact
    written: tuple[bool, ...]

    @property
    def interface(self) -> Interface:
        """The kernel's interface (parameters, argument layout, workgroup size)."""
        return self.artifact.interface


# --------------------------------------------------------------------------- compiling


def compile_kernel(kernel: Any, target: str = DEFAULT_TARGET) -> Compiled:
    """Compile `kernel` for `target` through the cache (memory, then disk, then the full pipeline)."""
    t = get_target(target)
    key = make_key(kernel.cache_key(), target, t.options_key())
    compiled = CACHE.get(key)
    if compiled is not None:
        return compiled
    record = CACHE.load(key)
    artifact = _load(t, key, record) if record is not None else None
    if artifact is None:
        # A compile allocates many small long-lived objects (xDSL's modules, IR): the cyclic collector
        # would walk them again and again for nothing (about 8% of a cold compile).
        collecting = gc.isenabled()
        gc.disable()
        try:
            artifact = _compile_fresh(kernel, t)
        finally:
            if collecting:
                gc.enable()
        CACHE.store(key, artifact.record())
    compiled = Compiled(kernel.name, target, artifact, artifact.interface.written)
    CACHE.put(key, compiled)
    return compiled


def compile(kernel: Any, target: str = DEFAULT_TARGET) -> Artifact:  # noqa: A001 - the driver's verb
    """The target's artifact for `kernel` (`artifact.asm[stage]`, `.interface`, `.native`)."""
    return compile_kernel(kernel, target).artifact


def _load(target: Target, key: str, record: dict[str, Any]) -> Artifact | None:
    """The artifact of a cache record, or None (the entry discarded with a warning: compile again)."""
    try:
        return target.load(record)
    except Exception as e:  # an intact entry the target cannot use (another version, say)
        CACHE.discard(key, f"{type(e).__name__}: {e}")
        return None


def _compile_fresh(kernel: Any, target: Target) -> Artifact:
    dump = _Dumper(kernel.name, target.name)
    module = kernel.module()
    dump.write(FRONTEND_STAGE, "mlir", module)
    ctx = _context()
    for p in target.passes():
        p.apply(ctx, module)
        dump.write(p.name, "mlir", module)
    return target.finish(module, dump.stage if dump.dir is not None else None)


_CTX: Context | None = None


def _context() -> Context:
    """The driver's xDSL context (`khal.dialects.context`, made once)."""
    global _CTX
    if _CTX is None:
        from khal.dialects import context

        _CTX = context()
    return _CTX


class _Dumper:
    """Writes each stage under `KHAL_DUMP_IR` when it is set: text as text, binary stages as bytes."""

    def __init__(self, kernel: str, target: str):
        d = os.environ.get("KHAL_DUMP_IR")
        self.dir = Path(d) if d else None
        self.prefix = f"{kernel}.{target}"
        self.n = 0
        if self.dir is not None:
            self.dir.mkdir(parents=True, exist_ok=True)

    def write(self, stage: str, ext: str, output: Any) -> None:
        """Write one stage (`output`: bytes, or anything whose `str` is its text)."""
        if self.dir is None:
            return
        path = self.dir / f"{self.prefix}.{self.n:02d}-{stage}.{ext}"
        if isinstance(output, bytes):
            path.write_bytes(output)
        else:
            path.write_text(str(output))
        self.n += 1

    def stage(self, stage: Stage, output: str | bytes) -> None:
        """`Target.finish`'s callback: one of the target's own stages."""
        self.write(stage.name, stage.ext, output)


# --------------------------------------------------------------------------- introspection


def ir_at(kernel: Any, target: str, stage: str | None) -> str:
    """The IR (or text output) of `kernel` after `stage` of `target` (default: the last pass's output)."""
    t = get_target(target)
    passes = t.pass_names()
    names = stages(target)
    if stage is None:
        stage = passes[-1] if passes else FRONTEND_STAGE
    if stage not in names:
        raise ValueError(f"unknown stage {stage!r} of target {target!r}; stages: {', '.join(names)}")
    module = kernel.module()
    if stage == FRONTEND_STAGE:
        return str(module)
    if stage in passes:
        ctx = _context()
        for name, p in zip(passes, t.passes(), strict=True):
            p.apply(ctx, module)
            if name == stage:
                return str(module)
    out = asm(kernel, target, stage)
    if isinstance(out, bytes):
        raise ValueError(f"stage {stage!r} of {target!r} is binary: use kernel.asm({target!r}, {stage!r})")
    return out


def asm(kernel: Any, target: str, stage: str) -> str | bytes:
    """The output of one of `target`'s own stages for `kernel` (str, or bytes for a binary stage)."""
    t = get_target(target)
    t.stage(stage)
    return compile(kernel, target).asm[stage]


def llvm_ir(kernel: Any, target: str = DEFAULT_TARGET) -> str:
    """The LLVM IR of `kernel` for `target` (the stage the target names as its LLVM IR)."""
    stage = get_target(target).llvm_ir_stage
    if stage is None:
        raise ValueError(f"the {target} target produces no LLVM IR")
    out = asm(kernel, target, stage)
    assert isinstance(out, str)
    return out


def emit(module: ModuleOp, stage: str, output: IO[Any]) -> None:
    """`khal-opt -t <stage>`: the target producing `stage` finishes `module` and writes that stage."""
    output.write(target_of_stage(stage).emit(module, stage))
