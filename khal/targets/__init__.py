"""The one registry of compile targets, and the contracts a target implements.

A **target** turns a kernel's khal IR into an artifact a runtime backend can launch. It declares:

- `name` (`"cpu"`) and `lowering`: an xDSL pipeline spec with options, the target-specific tail of
  its pipeline. `Target.pipeline()` prepends `khal.passes.COMMON_PREFIX` (the target-neutral
  language semantics every target shares); the spec is parsed the way `xdsl-opt -p` parses one.
- `stages`: what comes after the passes (`llvm`, `llvm-opt`; later `ptx`, `spirv-asm`, `spirv`),
  each text or binary, with a file extension for `KHAL_DUMP_IR`.
- `options_key()`: what besides the kernel decides the code (host CPU and features and the LLVM
  version; a compute capability; adapter features). It is part of the compile cache's key.
- `finish(module) -> Artifact`: from the pipeline's final IR to the artifact, producing every stage.
- `load(record) -> Artifact`: the compile cache's hit path, from `Artifact.record()`. It must not
  import xDSL (a warm process never does).
- `emit(module, stage)`: what `khal-opt -t <stage>` prints for a module at any point of the pipeline.

The **interface** of a kernel (`Interface`) is what the runtime plans launches from: the parameters
(name, array or value, how an array is accessed), where each lands in the argument block, the block's
size, the offset of the workgroup counts, the workgroup size. A target's ABI pass writes it on the
final IR as the `khal.interface` attribute of the kernel's function (MLIR's `spirv.interface_var_abi`
model: the lowering decides the layout, a later stage only reads it); `finish` reads it with
`interface_from_attr`. Nothing downstream looks at pass names.

The registry maps a name to a `"module:attr"` factory string: nothing here imports xDSL or a target
module until a target is asked for. `TARGET_STAGES` repeats each target's stage names so that
`khal-opt` can list its `-t` choices without importing any target (a test checks they agree).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp
    from xdsl.ir import Attribute
    from xdsl.passes import ModulePass

DEFAULT_TARGET = "cpu"
"""The target every build has (and `kernel.llvm_ir()`'s default)."""

TARGETS: dict[str, str] = {
    "cpu": "khal.targets.cpu:CpuTarget",
    "cuda": "khal.targets.ptx:CudaTarget",
    "webgpu": "khal.targets.spirv:SpirvTarget",
}
"""target name -> `"module:attr"` of its `Target` subclass. Add one line per target."""

TARGET_STAGES: dict[str, tuple[str, ...]] = {
    "cpu": ("llvm", "llvm-opt"),
    "cuda": ("llvm", "ptx"),
    "webgpu": ("spirv-asm", "spirv"),
}
"""target name -> its stage names (as its class declares them), readable without importing it."""

UNBUILT_STAGES: dict[str, str] = {}
"""Stages of targets planned but not in this build: `khal-opt -t` names them and says so."""

BINARY_STAGES: frozenset[str] = frozenset({"spirv"})
"""Stage names whose output is bytes (known before a target loads, for `khal-opt`'s writer)."""

FRONTEND_STAGE = "khal"
"""The stage before any pass: the frontend's khal dialect."""

INTERFACE_ATTR = "khal.interface"
"""The attribute an ABI pass writes on a kernel's function: the kernel's `Interface`."""

_UNBUILT_TARGETS: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    """One output of a target after its passes: a name, text or binary, and a file extension."""

    name: str
    binary: bool = False
    ext: str = "txt"


# --------------------------------------------------------------------------- the interface


@dataclass(frozen=True)
class ParamInterface:
    """One kernel parameter as the runtime sees it.

    `kind` is `"array"` or `"value"`; `access` is `"read"`, `"write"` or `"read_write"` for an array
    (`written` is true unless it is `"read"`) and `"value"` for a value. `offset`/`size` place the
    parameter in the argument block; `fields` names the parts of an array there (CPU: `ptr`, `len`,
    both u64, as absolute offsets); `leaves` gives the absolute offset of each scalar of a value, in
    the order of its IR type (struct fields, vector elements, matrix columns), for the native side.
    """

    name: str
    kind: str
    access: str
    offset: int
    size: int
    fields: dict[str, int] = field(default_factory=dict[str, int])
    leaves: tuple[int, ...] = ()

    @property
    def written(self) -> bool:
        """Whether the kernel may write this parameter (an array not only read)."""
        return self.kind == "array" and self.access != "read"


@dataclass(frozen=True)
class Interface:
    """What a compiled kernel expects from a launch; JSON-able (`to_json`/`from_json`).

    `block_size`/`block_align` describe the argument block (for the CPU, numpy's aligned host layout
    of the parameters); `num_workgroups` is the offset of its 3 x u32 workgroup counts (None where a
    target passes them otherwise).

    `requires` lists the device features the code needs, each as (feature name, located message of the
    first use that needs it): on WebGPU wgpu's feature names (`"shader-f64"`, `"shader-int64"`,
    `"shader-f16"`, `"subgroup"`, `"shader-float32-atomic"`). The runtime checks them at plan time and
    raises `CompileError` (starting with that message) when its device lacks one; the compiler never
    queries a device.
    """

    kernel: str
    workgroup_size: tuple[int, int, int]
    params: tuple[ParamInterface, ...]
    block_size: int
    block_align: int
    num_workgroups: int | None
    requires: tuple[tuple[str, str], ...] = ()

    @property
    def required_features(self) -> tuple[str, ...]:
        """The feature names of `requires`, in order."""
        return tuple(name for name, _ in self.requires)

    @property
    def written(self) -> tuple[bool, ...]:
        """Per parameter, whether the kernel may write it (what `khal.launch` copies back)."""
        return tuple(p.written for p in self.params)

    def to_json(self) -> dict[str, Any]:
        """A dict of JSON values (what a cache record stores)."""
        return {
            "kernel": self.kernel,
            "workgroup_size": list(self.workgroup_size),
            "params": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "access": p.access,
                    "offset": p.offset,
                    "size": p.size,
                    "fields": dict(p.fields),
                    "leaves": list(p.leaves),
                }
                for p in self.params
            ],
            "block_size": self.block_size,
            "block_align": self.block_align,
            "num_workgroups": self.num_workgroups,
            "requires": [[name, message] for name, message in self.requires],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> Interface:
        """The inverse of `to_json` (also accepts its `json.dumps` text)."""
        if isinstance(data, str):
            data = json.loads(data)
            assert isinstance(data, dict)
        params = tuple(
            ParamInterface(
                name=p["name"],
                kind=p["kind"],
                access=p["access"],
                offset=int(p["offset"]),
                size=int(p["size"]),
                fields={k: int(v) for k, v in p["fields"].items()},
                leaves=tuple(int(x) for x in p["leaves"]),
            )
            for p in data["params"]
        )
        wg = tuple(int(x) for x in data["workgroup_size"])
        nwg = data.get("num_workgroups")
        return cls(
            kernel=data["kernel"],
            workgroup_size=(wg[0], wg[1], wg[2]),
            params=params,
            block_size=int(data["block_size"]),
            block_align=int(data["block_align"]),
            num_workgroups=None if nwg is None else int(nwg),
            requires=tuple((str(name), str(message)) for name, message in data.get("requires", ())),
        )


def interface_from_attr(attr: Attribute, kernel: str) -> Interface:
    """Read an `Interface` from the `khal.interface` dictionary attribute an ABI pass wrote."""
    from xdsl.dialects.builtin import (
        ArrayAttr,
        DenseArrayBase,
        DictionaryAttr,
        IntegerAttr,
        NoneAttr,
        StringAttr,
    )

    def plain(a: Attribute) -> Any:
        if isinstance(a, NoneAttr):  # `num_workgroups = none`: the target passes the counts otherwise
            return None
        if isinstance(a, DictionaryAttr):
            return {k: plain(v) for k, v in a.data.items()}
        if isinstance(a, ArrayAttr):
            return [plain(v) for v in a.data]  # pyright: ignore[reportUnknownVariableType]
        if isinstance(a, DenseArrayBase):
            return list(a.get_values())  # pyright: ignore[reportUnknownArgumentType]
        if isinstance(a, IntegerAttr):
            return a.value.data
        if isinstance(a, StringAttr):
            return a.data
        raise ValueError(f"unexpected attribute {a} in {INTERFACE_ATTR}")

    data = plain(attr)
    if not isinstance(data, dict):
        raise ValueError(f"{INTERFACE_ATTR} must be a dictionary, got {attr}")
    return Interface.from_json({"kernel": kernel, **data})  # pyright: ignore[reportUnknownArgumentType]


# --------------------------------------------------------------------------- artifacts and targets


def kernel_interface_attr(module: ModuleOp, target: str, abi_pass: str) -> tuple[str, Attribute]:
    """The one `llvm.func` of a lowered module that carries `khal.interface`: (its name, the attribute).

    `target` and `abi_pass` only word the error when there is not exactly one.
    """
    from xdsl.dialects import llvm

    found = [
        (op.sym_name.data, op.attributes[INTERFACE_ATTR])
        for op in module.walk()
        if isinstance(op, llvm.FuncOp) and INTERFACE_ATTR in op.attributes
    ]
    if len(found) != 1:
        raise ValueError(
            f"the {target} target needs exactly one llvm.func with {INTERFACE_ATTR} (from {abi_pass}), "
            f"found {len(found)}"
        )
    return found[0]


@dataclass
class Artifact:
    """A kernel compiled for one target: its stages' outputs, its interface, its native handle.

    `asm[stage]` is text or bytes per stage of the target; `native` is what the target's runtime
    backend launches (for the CPU a `khal.targets.cpu.CpuArtifact`). `record()` is what
    `Target.load` rebuilds the artifact from: a dict with str keys whose values are JSON values, or
    `bytes` at the top level only (the compile cache stores exactly that; never pickled objects).
    """

    target: str
    name: str
    interface: Interface
    asm: dict[str, str | bytes]
    native: Any = None
    record_data: dict[str, Any] = field(default_factory=dict[str, Any])

    def record(self) -> dict[str, Any]:
        """The cache record of this artifact (see the class docstring for what it may hold)."""
        return {"target": self.target, "name": self.name, **self.record_data}


class Target:
    """A compile target: a pipeline spec, stages after it, an options key, finish and load.

    Subclasses set `name`, `lowering` and `stages`, and implement `options_key`, `finish`, `load`
    and `emit`. Instances are cheap; `get_target` keeps one per name.
    """

    name: ClassVar[str]
    lowering: ClassVar[str]
    """The xDSL pipeline spec after COMMON_PREFIX: `"convert-khal-to-llvm{array_addr_space=1},..."`."""
    stages: ClassVar[tuple[Stage, ...]]
    llvm_ir_stage: ClassVar[str | None] = None
    """The stage `kernel.llvm_ir(target)` returns (None: this target has no LLVM IR)."""

    def pipeline(self) -> str:
        """The whole pass pipeline of this target, as an xDSL pipeline spec."""
        from khal.passes import COMMON_PREFIX

        return ",".join([*COMMON_PREFIX, self.lowering])

    def pass_names(self) -> list[str]:
        """The names of the pipeline's passes, in order (parsed by xDSL's `-p` parser)."""
        from xdsl.utils.arg_spec import parse_pipeline

        return [spec.name for spec in parse_pipeline(self.pipeline())]

    def passes(self) -> list[ModulePass]:
        """The pipeline's pass instances, options applied (as `xdsl-opt -p` builds them).

        Built once per target and pipeline (a target whose options pick a variant of its pipeline has
        one list per variant): passes are frozen dataclasses, so one instance serves every compile.
        """
        variants: dict[str, list[ModulePass]] = self.__dict__.setdefault("_passes", {})
        spec = self.pipeline()
        if spec not in variants:
            from xdsl.passes import PassPipeline

            from khal.passes import all_passes

            variants[spec] = list(PassPipeline.parse_spec(all_passes(), spec).passes)
        return variants[spec]

    def stage(self, name: str) -> Stage:
        """The stage called `name`; ValueError if this target has none."""
        for s in self.stages:
            if s.name == name:
                return s
        raise ValueError(f"target {self.name!r} has no stage {name!r}")

    def options_key(self) -> str:
        """What besides the kernel decides the compiled code (part of the compile cache key)."""
        raise NotImplementedError

    def finish(
        self, module: ModuleOp, on_stage: Callable[[Stage, str | bytes], None] | None = None
    ) -> Artifact:
        """The artifact of `module` (the pipeline's output); `on_stage` sees each stage as it is made."""
        raise NotImplementedError

    def load(self, record: dict[str, Any]) -> Artifact:
        """Rebuild an artifact from `Artifact.record()` without importing xDSL."""
        raise NotImplementedError

    def emit(self, module: ModuleOp, stage: str) -> str | bytes:
        """What `khal-opt -t <stage>` prints for `module`, which may be at any point of the pipeline."""
        raise NotImplementedError


class TargetNotBuilt(NotImplementedError):
    """A target (or a stage of one) that is planned but not in this build."""


_INSTANCES: dict[str, Target] = {}


def check_target(name: str) -> None:
    """Raise TargetNotBuilt for a planned target, ValueError for an unknown one."""
    if name in TARGETS:
        return
    if name in _UNBUILT_TARGETS or name in UNBUILT_STAGES:
        raise TargetNotBuilt(f"the {name} target is not built yet; built: {', '.join(TARGETS)}")
    raise ValueError(f"unknown target {name!r}; known: {', '.join(TARGETS)}")


def get_target(name: str) -> Target:
    """The target registered as `name` (its module is imported on first use)."""
    target = _INSTANCES.get(name)
    if target is None:
        check_target(name)
        module, attr = TARGETS[name].split(":")
        target = getattr(importlib.import_module(module), attr)()
        assert isinstance(target, Target)
        _INSTANCES[name] = target
    return target


def target_names() -> list[str]:
    """Every registered target."""
    return list(TARGETS)


def emit_names() -> Iterator[str]:
    """The names `khal-opt -t` accepts besides `khal`: every stage of every target, built or not.

    Each built target's first stage, then the planned stages, then the remaining ones: the order
    `-t`'s choices had before later stages (`llvm-opt`) were added, which scripts match.
    """
    firsts = [stages[0] for stages in TARGET_STAGES.values()]
    rest = [s for stages in TARGET_STAGES.values() for s in stages[1:]]
    # Two targets may share a stage name (`llvm`): it is listed once, and `target_of_stage` picks the first.
    yield from dict.fromkeys([*firsts, *UNBUILT_STAGES, *rest])


def target_of_stage(stage: str) -> Target:
    """The target that produces `stage` (TargetNotBuilt / ValueError as `check_target`)."""
    for name, stages in TARGET_STAGES.items():
        if stage in stages:
            return get_target(name)
    check_target(stage)
    raise ValueError(f"no target produces stage {stage!r}")


__all__ = [
    "BINARY_STAGES",
    "DEFAULT_TARGET",
    "FRONTEND_STAGE",
    "INTERFACE_ATTR",
    "TARGETS",
    "TARGET_STAGES",
    "UNBUILT_STAGES",
    "Artifact",
    "Interface",
    "ParamInterface",
    "Stage",
    "Target",
    "TargetNotBuilt",
    "check_target",
    "emit_names",
    "get_target",
    "interface_from_attr",
    "target_names",
    "target_of_stage",
]
