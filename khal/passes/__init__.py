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


# name -> factory. Keep one line per pass; add new passes here.
KHAL_PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "khal-infer-access": _infer_access,
    "khal-cpu-workgroup-loops": _cpu_workgroup_loops,
}


def all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """xDSL's registered passes plus khal's (khal's win on a name clash)."""
    from xdsl.transforms import get_all_passes

    return {**get_all_passes(), **KHAL_PASSES}


def get_pass(name: str) -> type[ModulePass]:
    """The pass class registered under `name`; KeyError if there is none."""
    if name in KHAL_PASSES:
        return KHAL_PASSES[name]()
    return all_passes()[name]()
