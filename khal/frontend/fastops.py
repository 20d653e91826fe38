"""Fast constructors for the ops the frontend emits most.

`Op.create` skips IRDL's per-argument processing in `Op.__init__` (about 3x faster); the frontend
verifies the whole module once at the end, so nothing is lost. Signatures match the xDSL constructors
they stand for, so `fast.AddfOp(a, b)` reads like `arith.AddfOp(a, b)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from xdsl.dialects import arith, scf, vector
from xdsl.dialects.builtin import DenseArrayBase, i64
from xdsl.ir import Attribute, Operation, SSAValue

_POSITIONS: dict[tuple[int, ...], DenseArrayBase] = {}


def _binary(cls: type[Operation]) -> Callable[[SSAValue, SSAValue], Operation]:
    def make(lhs: SSAValue, rhs: SSAValue) -> Operation:
        return cls.create(operands=[lhs, rhs], result_types=[lhs.type])

    make.__name__ = make.__qualname__ = cls.__name__
    make.__doc__ = f"`{cls.name}` with the type of its first operand."  # type: ignore[attr-defined]
    return make


AddfOp = _binary(arith.AddfOp)
SubfOp = _binary(arith.SubfOp)
MulfOp = _binary(arith.MulfOp)
DivfOp = _binary(arith.DivfOp)
AddiOp = _binary(arith.AddiOp)
SubiOp = _binary(arith.SubiOp)
MuliOp = _binary(arith.MuliOp)
DivSIOp = _binary(arith.DivSIOp)
DivUIOp = _binary(arith.DivUIOp)
RemSIOp = _binary(arith.RemSIOp)
RemUIOp = _binary(arith.RemUIOp)
AndIOp = _binary(arith.AndIOp)
OrIOp = _binary(arith.OrIOp)
XOrIOp = _binary(arith.XOrIOp)
ShLIOp = _binary(arith.ShLIOp)
ShRSIOp = _binary(arith.ShRSIOp)
ShRUIOp = _binary(arith.ShRUIOp)


def _positions(positions: Sequence[int]) -> DenseArrayBase:
    key = tuple(positions)
    attr = _POSITIONS.get(key)
    if attr is None:
        attr = DenseArrayBase.from_list(i64, list(key))
        _POSITIONS[key] = attr
    return attr


def ConstantOp(value: Attribute, value_type: Attribute) -> Operation:  # noqa: N802 - mirrors arith.ConstantOp
    """`arith.constant`."""
    return arith.ConstantOp.create(result_types=[value_type], properties={"value": value})


def ExtractOp(source: SSAValue, positions: Sequence[Any], result_type: Attribute) -> Operation:  # noqa: N802
    """`vector.extract` (static positions take the fast path)."""
    if all(isinstance(p, int) for p in positions):
        return vector.ExtractOp.create(
            operands=[source],
            result_types=[result_type],
            properties={"static_position": _positions(positions)},
        )
    return vector.ExtractOp(source, positions, result_type)


def InsertOp(source: SSAValue, dest: SSAValue, positions: Sequence[Any]) -> Operation:  # noqa: N802
    """`vector.insert` (static positions take the fast path)."""
    if all(isinstance(p, int) for p in positions):
        return vector.InsertOp.create(
            operands=[source, dest],
            result_types=[dest.type],
            properties={"static_position": _positions(positions)},
        )
    return vector.InsertOp(source, dest, positions)


def BroadcastOp(source: SSAValue, result_type: Attribute) -> Operation:  # noqa: N802
    """`vector.broadcast`."""
    return vector.BroadcastOp.create(operands=[source], result_types=[result_type])


def YieldOp(*values: SSAValue) -> Operation:  # noqa: N802
    """`scf.yield`."""
    return scf.YieldOp.create(operands=list(values))
