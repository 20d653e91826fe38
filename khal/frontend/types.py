"""The language's types as the frontend sees them: `khal.types` plus their mapping to IR types.

The types themselves live in `khal.types` (the bottom of the stack, no IR); only the frontend knows
how each one is represented in the khal dialect, so the mapping lives here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from khal.types import (
    MATRICES,
    SCALARS,
    VECTORS,
    Array,
    ArrayType,
    IVec2,
    IVec3,
    IVec4,
    KhalType,
    Mat2,
    Mat3,
    Mat4,
    MatrixType,
    ScalarType,
    StructType,
    UVec2,
    UVec3,
    UVec4,
    Vec2,
    Vec3,
    Vec4,
    VectorType,
    _ArrayFactory,
    as_khal_type,
    bool_,
    f16,
    f32,
    f64,
    i8,
    i16,
    i32,
    i64,
    struct_type_of,
    u8,
    u16,
    u32,
    u64,
    vector_of,
)

if TYPE_CHECKING:
    from xdsl.ir import Attribute


def ir_type(t: KhalType) -> Attribute:
    """The xDSL type that represents a value of language type `t`.

    Integers are signless (signedness lives in the ops); vectors are builtin `vector<N x T>`, matrices
    `vector<C x R x f32>` (outer = column); a bool array element is stored as a byte, like numpy's.
    """
    from xdsl.dialects.builtin import Float16Type, Float32Type, Float64Type, IntegerType
    from xdsl.dialects.builtin import VectorType as IRVector

    if isinstance(t, ScalarType):
        if t.kind == "f":
            return {16: Float16Type(), 32: Float32Type(), 64: Float64Type()}[t.bits]
        return IntegerType(1 if t.kind == "b" else t.bits)
    if isinstance(t, VectorType):
        return IRVector(ir_type(t.element), [t.size])
    if isinstance(t, MatrixType):
        return IRVector(ir_type(t.element), [t.size, t.size])
    if isinstance(t, StructType):
        from khal.dialects.khal import StructType as IRStruct

        # A bool_ field is a byte, as in numpy's layout (and SPIR-V has no bool in memory).
        return IRStruct(t.name, [(n, ir_type(u8 if ft == bool_ else ft)) for n, ft in t.fields])
    if isinstance(t, ArrayType):
        from khal.dialects.khal import ArrayType as IRArray

        element = t.element
        if isinstance(element, ScalarType) and element.is_bool:
            element = u8
        return IRArray(ir_type(element))
    raise TypeError(f"{t!r} has no IR type")


__all__ = [
    "MATRICES",
    "SCALARS",
    "VECTORS",
    "Array",
    "ArrayType",
    "_ArrayFactory",
    "IVec2",
    "IVec3",
    "IVec4",
    "KhalType",
    "Mat2",
    "Mat3",
    "Mat4",
    "MatrixType",
    "ScalarType",
    "StructType",
    "UVec2",
    "UVec3",
    "UVec4",
    "Vec2",
    "Vec3",
    "Vec4",
    "VectorType",
    "as_khal_type",
    "bool_",
    "f16",
    "f32",
    "f64",
    "i8",
    "i16",
    "i32",
    "i64",
    "ir_type",
    "struct_type_of",
    "u8",
    "u16",
    "u32",
    "u64",
    "vector_of",
]
