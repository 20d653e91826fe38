"""The xDSL context that khal IR lives in: the khal dialect plus the standard ones the frontend emits."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xdsl.context import Context
    from xdsl.dialects.builtin import ModuleOp


def make_context() -> Context:
    """A context with builtin, arith, math, scf, func, vector and khal loaded."""
    from xdsl.context import Context
    from xdsl.dialects.arith import Arith
    from xdsl.dialects.builtin import Builtin
    from xdsl.dialects.func import Func
    from xdsl.dialects.math import Math
    from xdsl.dialects.scf import Scf
    from xdsl.dialects.vector import Vector

    from khal.dialects.khal import Khal

    ctx = Context()
    for dialect in (Builtin, Arith, Math, Scf, Func, Vector, Khal):
        ctx.load_dialect(dialect)
    return ctx


def parse_module(text: str) -> ModuleOp:
    """Parse khal IR text into a verified module."""
    from xdsl.parser import Parser

    module = Parser(make_context(), text).parse_module()
    module.verify()
    return module
