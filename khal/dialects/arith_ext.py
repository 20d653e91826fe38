"""What xDSL 0.74's `arith` dialect lacks for khal, with MLIR's names and syntax.

MLIR's `arith.remf` (C's `fmod`: the remainder of truncating division, exact, with the sign of the
dividend; LLVM's `frem`, SPIR-V's `OpFRem`) is missing. `ArithExtended` is xDSL's `arith` with it
added: register it under the name `arith` (instead of xDSL's) to parse IR that uses it.
"""

from __future__ import annotations

from xdsl.dialects import arith
from xdsl.ir import Dialect
from xdsl.irdl import irdl_op_definition, traits_def
from xdsl.traits import Pure


@irdl_op_definition
class RemFOp(arith.FloatingPointLikeBinaryOperation):
    """`fmod(lhs, rhs)`: `lhs - n * rhs` for the integer `n` that truncates `lhs / rhs`, exactly.

    As MLIR's `arith.remf`: NaN when `lhs` is infinite or `rhs` is zero or either is NaN; `lhs`
    when `rhs` is infinite and `lhs` finite.
    """

    name = "arith.remf"

    traits = traits_def(Pure())


ArithExtended: Dialect = Dialect("arith", [*arith.Arith.operations, RemFOp], list(arith.Arith.attributes))
"""xDSL's `arith` dialect plus `arith.remf` (register it as `arith`)."""
