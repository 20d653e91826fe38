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
    """A lazy factory for one of the convert-*-to-llvm passes."""

    def factory() -> type[ModulePass]:
        import importlib

        return getattr(importlib.import_module(f"khal.passes.{module}"), cls)

    return factory


# name -> factory. Keep one line per pass; add new passes here.
KHAL_PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "khal-infer-access": _infer_access,
    "khal-verify-workgroup-memory": _verify_workgroup_memory,
    "khal-cpu-workgroup-loops": _cpu_workgroup_loops,
    "convert-khal-to-llvm": _llvm_lowering("convert_khal_to_llvm", "ConvertKhalToLLVMPass"),
    "convert-vector-to-llvm": _llvm_lowering("convert_vector_to_llvm", "ConvertVectorToLLVMPass"),
    "convert-math-to-llvm": _llvm_lowering("convert_math_to_llvm", "ConvertMathToLLVMPass"),
    "khal-convert-scf-to-cf": _llvm_lowering("convert_scf_to_cf", "KhalConvertScfToCfPass"),
    "convert-arith-to-llvm": _llvm_lowering("convert_arith_to_llvm", "ConvertArithToLLVMPass"),
    "convert-cf-to-llvm": _llvm_lowering("convert_cf_to_llvm", "ConvertCfToLLVMPass"),
    "convert-func-to-llvm": _llvm_lowering("convert_func_to_llvm", "ConvertFuncToLLVMPass"),
}


# The target-neutral prefix of every target's pipeline: language semantics that every backend must agree on.
# khal-verify-workgroup-memory goes first: the limit applies to the source, not to what the optimiser leaves.
COMMON_PREFIX: list[str] = ["khal-verify-workgroup-memory", "canonicalize", "cse", "khal-infer-access"]

# From the CPU-ABI form (after `khal-cpu-workgroup-loops`) to the llvm dialect, in order. Kept here, in the
# xDSL-free registry, so that the compiler reads pipelines without importing xDSL.
LLVM_LOWERING: list[str] = [
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
