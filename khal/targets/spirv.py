"""The SPIR-V target (SPIR-V 1.3 for Vulkan 1.1 and wgpu): the SPIR-V lowering, then the binary writer.

Registered in `khal.targets.TARGETS` as `"webgpu"`; `khal.runtime.webgpu` launches its artifacts.
Stages: `spirv-asm` (the disassembly, spirv-dis's when installed) and `spirv` (the binary). The
artifact has no `native` handle: the runtime builds its pipeline from the binary and its bind group
layout from the interface (array `i` at binding `i` of set 0, read-only where `access == "read"`,
its u32 count at `fields["len"]` of the uniform block; the uniform block, always present, at binding
`len(params)`, `block_size` bytes: the logical workgroup counts at `num_workgroups` (0) when the grid
is folded, the values at their `offset` in numpy's host layout).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from khal.targets import Artifact, Interface, Stage, Target

if TYPE_CHECKING:
    from xdsl.dialects.builtin import ModuleOp

SPIRV_LOWERING: tuple[str, ...] = (
    "khal-expand-remf{fused_fma=false}",
    "khal-expand-math",
    "khal-unsigned-division",
    "khal-wrapping-abs",
    "khal-spirv-lower-abi",
    "convert-khal-to-spirv",
)
"""The SPIR-V target's passes after `COMMON_PREFIX`. Vulkan's OpFRem may be x - y * trunc(x / y):
`khal-expand-remf` gives the exact fmod. GLSL.std.450's math is approximate: `khal-expand-math` brings
khal's own f32 library, as the CPU has libm and CUDA libdevice. `khal-unsigned-division`: NVIDIA's Vulkan
driver got OpSDiv/OpSRem of negative operands wrong (expand_arith.UnsignedDivisionPass); `khal-wrapping-abs`:
GLSL's SAbs leaves |INT_MIN| undefined, khal's abs wraps."""


_VARIANT: ContextVar[str] = ContextVar("khal_spirv_variant", default="")
VARIANT_PASSES = {
    "unfolded": "convert-khal-to-spirv{fold=false}",
    "flat": "convert-khal-to-spirv{flat=true}",
    "flat-exact": "convert-khal-to-spirv{flat=true exact=true}",
}
"""The lowering's grid variants (the default one, "", handles every grid: `kernel.spirv()`)."""


@contextmanager
def compiling_variant(variant: str) -> Iterator[None]:
    """Compile grid variant `variant` (a key of VARIANT_PASSES, or "" for the default) inside this block
    (this thread or task only). The WebGPU runtime's plans use "unfolded" for grids within the device's
    limit, "flat" for folded grids of one row ("flat-exact" where the fold leaves no workgroup past it), and
    the default for other folded grids."""
    if variant and variant not in VARIANT_PASSES:
        raise ValueError(f"unknown SPIR-V grid variant {variant!r}; known: {sorted(VARIANT_PASSES)}")
    token = _VARIANT.set(variant)
    try:
        yield
    finally:
        _VARIANT.reset(token)


class SpirvTarget(Target):
    """khal -> spirv dialect -> SPIR-V 1.3 binary for Vulkan 1.1 (what wgpu's naga reads)."""

    name = "webgpu"
    lowering = ",".join(SPIRV_LOWERING)
    stages = (Stage("spirv-asm", ext="spvasm"), Stage("spirv", binary=True, ext="spv"))

    def pipeline(self) -> str:
        """The pipeline; inside `compiling_variant`, with that grid variant of the lowering."""
        spec = super().pipeline()
        variant = _VARIANT.get()
        if variant:
            spec = spec.replace("convert-khal-to-spirv", VARIANT_PASSES[variant], 1)
        return spec

    def options_key(self) -> str:
        """The SPIR-V version and environment, and the grid variant: the code never depends on the
        adapter (the features it needs, f64/f16/i64/subgroups/float atomics, are recorded in
        `Interface.requires` instead)."""
        variant = _VARIANT.get()
        return "spirv1.3-vulkan1.1" + (f"/{variant}" if variant else "")

    def finish(
        self, module: ModuleOp, on_stage: Callable[[Stage, str | bytes], None] | None = None
    ) -> Artifact:
        """Serialise the pipeline's `spirv.module`; the interface is its function's `khal.interface`."""
        from khal.dialects import spirv
        from khal.targets import INTERFACE_ATTR, interface_from_attr
        from khal.targets.spirv_writer import disassemble, find_spirv_module, serialize

        spv = find_spirv_module(module)
        fn = next(op for op in spv.body.block.ops if isinstance(op, spirv.FuncOp))
        interface = interface_from_attr(fn.attributes[INTERFACE_ATTR], fn.sym_name.data)
        binary = serialize(spv)
        asm = disassemble(binary)
        if on_stage is not None:
            on_stage(self.stages[0], asm)
            on_stage(self.stages[1], binary)
        record = {"interface": interface.to_json(), "spirv": binary, "spirv-asm": asm}
        return self._artifact(interface, record)

    def _artifact(self, interface: Interface, record: dict[str, Any]) -> Artifact:
        asm: dict[str, str | bytes] = {"spirv-asm": record["spirv-asm"], "spirv": record["spirv"]}
        return Artifact(self.name, interface.kernel, interface, asm, None, record)

    def load(self, record: dict[str, Any]) -> Artifact:
        """The artifact of a cache record (no xDSL)."""
        return self._artifact(Interface.from_json(record["interface"]), record)

    def emit(self, module: ModuleOp, stage: str) -> str | bytes:
        """`-t spirv`: the binary of `module`; `-t spirv-asm`: its disassembly.

        A module still holding a `khal.kernel` runs this target's whole pipeline first.
        """
        from khal.dialects import context
        from khal.dialects.khal import KernelOp
        from khal.targets.spirv_writer import disassemble, find_spirv_module, serialize

        self.stage(stage)
        if any(isinstance(op, KernelOp) for op in module.walk()):
            ctx = context()
            for p in self.passes():
                p.apply(ctx, module)
        binary = serialize(find_spirv_module(module))
        return binary if stage == "spirv" else disassemble(binary)
