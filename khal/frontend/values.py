"""What an expression evaluates to while the frontend walks a kernel.

A kernel expression is either an SSA value with its khal type (`Typed`), a compile-time Python
value (`Const`: literals, globals, tuples), a vector whose components are built on demand
(`LazyVector`: invocation ids, so `global_invocation_id().x` emits one op), an array or workgroup
array (`Memory`), or a compile-time object such as a type, a struct class or a function (`PyObj`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from khal.frontend.types import KhalType, ScalarType, VectorType

if TYPE_CHECKING:
    from xdsl.ir import SSAValue


class Value:
    """Base of everything an expression can evaluate to."""


@dataclass(eq=False)
class Typed(Value):
    """An SSA value and its language type (u32 and i32 share the IR type i32; the khal type differs)."""

    ssa: SSAValue
    type: KhalType


@dataclass(eq=False)
class Const(Value):
    """A compile-time Python value: int, float, bool, str or a tuple of them.

    `type` is None for a literal (it takes the other operand's type) and set for a typed constant
    such as a numpy scalar global.
    """

    value: Any
    type: ScalarType | None = None


@dataclass(eq=False)
class LazyVector(Value):
    """A vector whose components are emitted one at a time, on demand."""

    type: VectorType
    component: Callable[[int], Typed]


@dataclass(eq=False)
class Memory(Value):
    """An array parameter (`workgroup=False`) or workgroup memory of `size` elements."""

    ssa: SSAValue
    element: KhalType
    workgroup: bool = False
    size: int | None = None
    name: str = ""


@dataclass(eq=False)
class PyObj(Value):
    """A compile-time object: a khal type, struct class, khal.func, khal.std function, builtin or module."""

    obj: Any
    name: str = ""


@dataclass(eq=False)
class Void(Value):
    """The result of a call that returns nothing."""

    what: str = "this call"


@dataclass(eq=False)
class LoopContext:
    """The hidden flags of the loop being compiled: set by `break` / `continue`."""

    break_flag: str | None
    continue_flag: str | None
    assigned: set[str] = field(default_factory=set)
