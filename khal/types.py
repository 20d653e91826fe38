"""The kernel language's types: scalars, vectors, matrices, arrays and structs.

These are the objects users annotate with (`a: Array[f32]`, `alpha: f32`). Each knows its host
layout (a numpy dtype). This module sits at the bottom of the stack and imports nothing of khal
(nor xDSL): the frontend maps these types to IR (`khal.frontend.types.ir_type`), while targets and
the runtime read them directly, without touching the compiler.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np


class KhalType:
    """Base of every kernel-language type."""

    name: str

    @property
    def dtype(self) -> np.dtype[Any]:
        """The numpy dtype of one value of this type, as the host lays it out."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.name


@dataclasses.dataclass(frozen=True, repr=False, eq=True)
class ScalarType(KhalType):
    """`f16 f32 f64 i8 i16 i32 i64 u8 u16 u32 u64 bool_`.

    Inside a kernel, calling one is a cast (`f32(i)`); on the host it makes a numpy scalar.
    """

    name: str
    kind: str  # "f" float, "i" signed, "u" unsigned, "b" bool
    bits: int

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(np.bool_ if self.kind == "b" else f"{self.kind}{self.bits // 8}")

    @property
    def is_float(self) -> bool:
        return self.kind == "f"

    @property
    def is_int(self) -> bool:
        """Signed or unsigned integer (not bool)."""
        return self.kind in "iu"

    @property
    def is_signed(self) -> bool:
        return self.kind == "i"

    @property
    def is_unsigned(self) -> bool:
        return self.kind == "u"

    @property
    def is_bool(self) -> bool:
        return self.kind == "b"

    @property
    def min(self) -> int | float:
        """The smallest representable value (ints), or -inf."""
        if self.kind == "f":
            return float("-inf")
        return int(np.iinfo(self.dtype).min) if self.kind != "b" else 0

    @property
    def max(self) -> int | float:
        """The largest representable value (ints), or inf."""
        if self.kind == "f":
            return float("inf")
        return int(np.iinfo(self.dtype).max) if self.kind != "b" else 1

    def __call__(self, value: Any) -> Any:
        """On the host: a numpy scalar of this type. Inside a kernel the frontend compiles it as a cast."""
        return self.dtype.type(value)

    def __repr__(self) -> str:
        return self.name


f16 = ScalarType("f16", "f", 16)
f32 = ScalarType("f32", "f", 32)
f64 = ScalarType("f64", "f", 64)
i8 = ScalarType("i8", "i", 8)
i16 = ScalarType("i16", "i", 16)
i32 = ScalarType("i32", "i", 32)
i64 = ScalarType("i64", "i", 64)
u8 = ScalarType("u8", "u", 8)
u16 = ScalarType("u16", "u", 16)
u32 = ScalarType("u32", "u", 32)
u64 = ScalarType("u64", "u", 64)
bool_ = ScalarType("bool_", "b", 1)

SCALARS: tuple[ScalarType, ...] = (f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64, bool_)


@dataclasses.dataclass(frozen=True, repr=False, eq=True)
class VectorType(KhalType):
    """`Vec2..4` (f32), `IVec2..4` (i32), `UVec2..4` (u32); host layout: `n` packed elements."""

    name: str
    element: ScalarType
    size: int

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype((self.element.dtype, (self.size,)))

    def __call__(self, *components: Any) -> Any:
        """On the host: a numpy array of the components."""
        return np.array(components, dtype=self.element.dtype)


Vec2 = VectorType("Vec2", f32, 2)
Vec3 = VectorType("Vec3", f32, 3)
Vec4 = VectorType("Vec4", f32, 4)
IVec2 = VectorType("IVec2", i32, 2)
IVec3 = VectorType("IVec3", i32, 3)
IVec4 = VectorType("IVec4", i32, 4)
UVec2 = VectorType("UVec2", u32, 2)
UVec3 = VectorType("UVec3", u32, 3)
UVec4 = VectorType("UVec4", u32, 4)

VECTORS: tuple[VectorType, ...] = (Vec2, Vec3, Vec4, IVec2, IVec3, IVec4, UVec2, UVec3, UVec4)


def vector_of(element: ScalarType, size: int) -> VectorType:
    """The vector type of `size` elements of `element` (a named one where it exists)."""
    for v in VECTORS:
        if v.element == element and v.size == size:
            return v
    return VectorType(f"Vec{size}<{element.name}>", element, size)


@dataclasses.dataclass(frozen=True, repr=False, eq=True)
class MatrixType(KhalType):
    """`Mat2..4`: square f32 matrices, column-major like glam.

    The IR type is `vector<N x N x f32>` whose outer dimension is the column; the host layout is
    N*N packed floats, column after column (numpy `(N, N)` where row `c` holds column `c`).
    """

    name: str
    size: int
    element: ScalarType = f32

    @property
    def column(self) -> VectorType:
        """The type of one column."""
        return vector_of(self.element, self.size)

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype((self.element.dtype, (self.size, self.size)))


Mat2 = MatrixType("Mat2", 2)
Mat3 = MatrixType("Mat3", 3)
Mat4 = MatrixType("Mat4", 4)

MATRICES: tuple[MatrixType, ...] = (Mat2, Mat3, Mat4)


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class StructType(KhalType):
    """The type of a `@khal.struct` class: named fields of scalars, vectors, matrices or structs.

    Host layout: numpy's aligned structured dtype (C layout), `MyStruct.dtype`.
    """

    name: str
    fields: tuple[tuple[str, KhalType], ...]
    py_class: type | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StructType) and (self.name, self.fields) == (other.name, other.fields)

    def __hash__(self) -> int:
        return hash((self.name, self.fields))

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype([(n, t.dtype) for n, t in self.fields], align=True)

    def field(self, name: str) -> KhalType | None:
        """The type of field `name`, or None."""
        for n, t in self.fields:
            if n == name:
                return t
        return None


@dataclasses.dataclass(frozen=True, repr=False, eq=True)
class ArrayType(KhalType):
    """`Array[T]`: a runtime-sized 1-D buffer parameter of elements of type T."""

    element: KhalType
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", f"Array[{self.element.name}]")

    @property
    def dtype(self) -> np.dtype[Any]:
        """The dtype of one element."""
        return self.element.dtype


class _ArrayFactory:
    """`Array[f32]` makes an `ArrayType`."""

    _cache: ClassVar[dict[KhalType, ArrayType]] = {}

    def __getitem__(self, element: Any) -> ArrayType:
        element = as_khal_type(element)
        if element is None or isinstance(element, ArrayType):
            raise TypeError(f"Array[...] takes a scalar, vector, matrix or struct type, not {element!r}")
        if element not in self._cache:
            self._cache[element] = ArrayType(element)
        return self._cache[element]

    def __repr__(self) -> str:
        return "Array"


Array = _ArrayFactory()


def as_khal_type(obj: Any) -> KhalType | None:
    """The khal type an annotation stands for (a khal type, a `@khal.struct` class, a numpy scalar type).

    None when it stands for none.
    """
    if isinstance(obj, KhalType):
        return obj
    struct = getattr(obj, "__khal_struct__", None)
    if isinstance(struct, StructType):
        return struct
    try:
        dtype = np.dtype(obj) if isinstance(obj, type) and issubclass(obj, np.generic) else None
    except TypeError:
        dtype = None
    if dtype is not None:
        for s in SCALARS:
            if s.dtype == dtype:
                return s
    return None


def struct_type_of(cls: type) -> StructType:
    """Build the StructType of a class from its annotations (used by `@khal.struct`)."""
    import inspect

    annotations = inspect.get_annotations(cls, eval_str=True)
    if not annotations:
        raise TypeError(f"@khal.struct {cls.__name__} declares no annotated fields")
    fields: list[tuple[str, KhalType]] = []
    for name, annotation in annotations.items():
        t = as_khal_type(annotation)
        if t is None or isinstance(t, ArrayType):
            raise TypeError(
                f"field {cls.__name__}.{name}: {annotation!r} is not a scalar, vector, matrix or struct type"
            )
        fields.append((name, t))
    return StructType(cls.__name__, tuple(fields), cls)


STRUCT_CODES: dict[tuple[str, int], str] = {
    ("f", 2): "e",
    ("f", 4): "f",
    ("f", 8): "d",
    ("i", 1): "b",
    ("i", 2): "h",
    ("i", 4): "i",
    ("i", 8): "q",
    ("u", 1): "B",
    ("u", 2): "H",
    ("u", 4): "I",
    ("u", 8): "Q",
    ("b", 1): "?",
}
"""numpy scalar (kind, itemsize) -> Python `struct` format code of its host layout."""
