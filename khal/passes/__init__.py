"""The pass registry: pass name -> factory returning the pass class.

Factories import lazily so that `khal-opt --help` and `import khal` stay fast. Every khal pass is
listed here; xDSL's generic passes (canonicalize, cse, dce, licm, ...) are merged in by
`all_passes()`. One pass per file in this folder, each a frozen-dataclass `ModulePass`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xdsl.passes import ModulePass


def _infer_access() -> type[ModulePass]:
    from khal.passes.infer_access import InferAccessPass

    return InferAccessPass


def _cpu_workgroup_loops() -> type[ModulePass]:
    from khal.passes.cpu_workgroup_loops import CpuWorkgroupLoopsPass

    return CpuWorkgroupLoopsPass


def _verify_workgroup_memory() -> type[ModulePass]:
    from khal.passes.verify_workgroup_memory import VerifyWorkgroupMemoryPass

    return VerifyWorkgroupMemoryPass


def _llvm_lowering(module: str, cls: str) -> Callable[[], type[ModulePass]]:
    """A lazy factory for the pass class `cls` of `khal.passes.<module>` (not only the LLVM lowerings)."""

    def factory() -> type[ModulePass]:
        import importlib

        return getattr(importlib.import_module(f"khal.passes.{module}"), cls)

    return factory


# name -> factory. Keep one line per pass; add new passes here.
KHAL_PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "khal-inline": _llvm_lowering("inline", "InlinePass"),
    "khal-infer-access": _infer_access,
    "khal-verify-uniformity": _llvm_lowering("verify_uniformity", "VerifyUniformityPass"),
    "khal-expand-arith": _llvm_lowering("expand_arith", "ExpandArithPass"),
    "khal-expand-math": _llvm_lowering("expand_math", "ExpandMathPass"),
    "khal-expand-remf": _llvm_lowering("expand_remf", "ExpandRemFPass"),
    "khal-unsigned-division": _llvm_lowering("expand_arith", "UnsignedDivisionPass"),
    "khal-wrapping-abs": _llvm_lowering("expand_arith", "WrappingAbsPass"),
    "khal-verify-workgroup-memory": _verify_workgroup_memory,
    "khal-cpu-workgroup-loops": _cpu_workgroup_loops,
    "khal-cpu-lower-abi": _llvm_lowering("cpu_lower_abi", "CpuLowerAbiPass"),
    "khal-spirv-lower-abi": _llvm_lowering("spirv_lower_abi", "SpirvLowerAbiPass"),
    "convert-khal-to-spirv": _llvm_lowering("convert_khal_to_spirv", "ConvertKhalToSpirvPass"),
    "convert-khal-print-to-llvm": _llvm_lowering("convert_khal_print_to_llvm", "ConvertKhalPrintToLLVMPass"),
    "convert-khal-to-llvm": _llvm_lowering("convert_khal_to_llvm", "ConvertKhalToLLVMPass"),
    "convert-vector-to-llvm": _llvm_lowering("convert_vector_to_llvm", "ConvertVectorToLLVMPass"),
    "convert-math-to-llvm": _llvm_lowering("convert_math_to_llvm", "ConvertMathToLLVMPass"),
    "khal-convert-scf-to-cf": _llvm_lowering("convert_scf_to_cf", "KhalConvertScfToCfPass"),
    "convert-arith-to-llvm": _llvm_lowering("convert_arith_to_llvm", "ConvertArithToLLVMPass"),
    "convert-cf-to-llvm": _llvm_lowering("convert_cf_to_llvm", "ConvertCfToLLVMPass"),
    "convert-func-to-llvm": _llvm_lowering("convert_func_to_llvm", "ConvertFuncToLLVMPass"),
    "convert-khal-to-nvvm": _llvm_lowering("convert_khal_to_nvvm", "ConvertKhalToNVVMPass"),
    "khal-cuda-lower-abi": _llvm_lowering("cuda_lower_abi", "CudaLowerAbiPass"),
    "convert-khal-print-to-nvvm": _llvm_lowering("convert_khal_print_to_nvvm", "ConvertKhalPrintToNVVMPass"),
}


# The target-neutral prefix of every target's pipeline: language semantics that every backend must agree on.
# Device functions are inlined first, so that the passes after see whole kernels (and barriers in
# functions). `khal-verify-uniformity` gives the same CompileError on every target;
# `khal-expand-arith` makes Python's and WGSL's definitions explicit so that lowerings map 1:1.
# khal-verify-workgroup-memory goes first: the limit applies to the source, not to what the optimiser leaves.
COMMON_PREFIX: list[str] = [
    "khal-verify-workgroup-memory",
    "khal-inline",
    "canonicalize",
    "cse",
    "khal-infer-access",
    "khal-verify-uniformity",
    "khal-expand-arith",
]

# From the CPU-ABI form (after `khal-cpu-workgroup-loops`) to the llvm dialect, in order. Kept here, in the
# xDSL-free registry, so that the compiler reads pipelines without importing xDSL.
LLVM_LOWERING: list[str] = [
    "convert-khal-print-to-llvm",
    "convert-khal-to-llvm",
    "convert-vector-to-llvm",
    "convert-math-to-llvm",
    "khal-convert-scf-to-cf",
    "convert-arith-to-llvm",
    "convert-cf-to-llvm",
    "convert-func-to-llvm",
    "reconcile-unrealized-casts",
]


def all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """xDSL's registered passes plus khal's (khal's win on a name clash)."""
    from xdsl.transforms import get_all_passes

    return {**get_all_passes(), **KHAL_PASSES}


def get_pass(name: str) -> type[ModulePass]:
    """The pass class registered under `name`; KeyError if there is none."""
    if name in KHAL_PASSES:
        return KHAL_PASSES[name]()
    return all_passes()[name]()
