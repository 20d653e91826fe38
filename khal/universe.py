"""khal's plug-in for xDSL: makes plain `xdsl-opt` see the khal dialect and khal's passes.

Found through the `xdsl.universe` entry point in pyproject.toml. xDSL refuses a universe whose
names clash with its own, so only khal's own dialect and passes go in (khal's registry also lists
xDSL's generic passes, and `khal-opt` adds khal's targets, whose names xDSL partly uses too).
Everything stays lazy: loading this module imports no dialect and no pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from xdsl.transforms import get_all_passes
from xdsl.universe import Universe

from khal.passes import KHAL_PASSES

if TYPE_CHECKING:
    from xdsl.ir import Dialect
    from xdsl.passes import ModulePass


def _khal_dialect() -> Dialect:
    from khal.dialects.khal import Khal

    return Khal


def _spirv_dialect() -> Dialect:
    from khal.dialects.spirv import SPIRV

    return SPIRV


def _own_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """khal's passes whose names xDSL does not already use (a clash would break every xdsl-opt run)."""
    xdsl_names = get_all_passes().keys()
    return {name: factory for name, factory in KHAL_PASSES.items() if name not in xdsl_names}


KHAL_UNIVERSE = Universe(
    all_dialects={"khal": _khal_dialect, "spirv": _spirv_dialect}, all_passes=_own_passes()
)
"""The dialects and passes khal adds to every xDSL tool."""
