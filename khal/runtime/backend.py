"""The backend-independent runtime: buffers, grids, encoders, passes, submissions, timestamps, checks.

Every backend (`Cpu`, later `Cuda` and `WebGpu`) implements `Backend`'s abstract methods; the
recording model, the argument checks and the grid rules live here once so they are the same
everywhere (DESIGN.md, "Runtime semantics"):

- `begin_encoding` records; nothing runs before `submit`; calls run in the order recorded.
- A call captures scalars by value and buffers by reference, and checks every argument *then*,
  raising a `TypeError`/`ValueError` that names the parameter before anything is enqueued.
- `submit` returns a `Submission` (`wait()`, `done()`); the work may run on after it returns, and
  everything it uses stays alive until it completes; `synchronize` waits for all of it.
- The launch path is planned once per (kernel, backend) (`Backend._plan`); a call only fills values.

What a backend provides, and where it plugs in (the checks around each hook stay here):

- `Backend`: buffers (`_new_buffer`, `_write`, `_read`), `_make_plan` -> a `LaunchPlan` whose
  `record(grid, args)` checks a call and returns the backend's command for it, holding what it uses.
- `Encoder` subclass (`Backend.encoder_type`): `_record_pass_begin`, `_record_dispatch`,
  `_record_pass_end`, `_record_copy` record into the native command buffer or stream at `call`
  time (its passes are then `RecordingPass`es, which call them); `_commit` submits and returns a
  `Submission`. The CPU defines no recording hooks: its log of commands is its native structure,
  run inside `submit`, and its submissions are complete when `submit` returns.
- `Submission` subclass: `_poll`/`_block` ask the device about completion (an event, a fence), or
  the device's callback calls `_complete()`.
- Timestamps: `_new_timestamp_set` (a query set, events; host times by default) and
  `_resolve_timestamps` (ticks to milliseconds, on the device where it can).
"""

from __future__ import annotations

import math
import struct
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntFlag
from typing import TYPE_CHECKING, Any

import numpy as np

from khal.types import (
    STRUCT_CODES,
    ArrayType,
    KhalType,
    MatrixType,
    ScalarType,
    StructType,
    VectorType,
    as_khal_type,
)

if TYPE_CHECKING:
    from types import TracebackType


class BufferUsages(IntFlag):
    """How a buffer may be used; the values are wgpu's (`wgpu.BufferUsage`)."""

    MAP_READ = 0x0001
    MAP_WRITE = 0x0002
    COPY_SRC = 0x0004
    COPY_DST = 0x0008
    INDEX = 0x0010
    VERTEX = 0x0020
    UNIFORM = 0x0040
    STORAGE = 0x0080
    INDIRECT = 0x0100
    QUERY_RESOLVE = 0x0200


DEFAULT_USAGE = BufferUsages.STORAGE | BufferUsages.COPY_SRC | BufferUsages.COPY_DST

# Linear workgroup ids are i32 in the CPU ABI and u32 counts on GPUs: keep totals below 2^31.
MAX_WORKGROUPS = 2**31 - 1


# --------------------------------------------------------------------------- buffers


def element_layout(dtype: Any) -> tuple[np.dtype[Any], tuple[int, ...]]:
    """(base dtype, row shape) of one buffer element given as a khal type or anything numpy takes.

    `khal.Vec3` -> (float32, (3,)); `khal.f32` / `np.float32` -> (float32, ()); a `@khal.struct`
    class -> (its aligned structured dtype, ()). No default: `None` is a `TypeError` (numpy would
    read it as float64), and so is a dtype a kernel cannot use (object, string, complex, datetime).
    """
    if dtype is None:
        raise TypeError("a buffer needs an element type (khal.f32, np.float32, khal.Vec3, ...), got None")
    t = as_khal_type(dtype)
    if isinstance(t, ArrayType):
        raise TypeError(f"a buffer element cannot be {t!r}; give its element type")
    if t is not None:
        d = t.dtype
    else:
        try:
            d = np.dtype(dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{dtype!r} is not a buffer element type: {e}") from None
    base = d.subdtype[0] if d.subdtype is not None else d
    if base.kind not in "biufV" or d.hasobject or (base.kind == "V" and base.names is None):
        raise TypeError(f"a buffer cannot hold elements of dtype {d}")
    if d.subdtype is not None:
        return base, tuple(d.subdtype[1])
    return d, ()


def layout_key(dtype: np.dtype[Any], row_shape: tuple[int, ...]) -> tuple[Any, ...]:
    """A hashable, cheaply compared identity of an element layout (dtype incl. struct offsets, rows)."""
    if dtype.names is None:
        return (dtype.str, row_shape)
    return (str(dtype.descr), dtype.itemsize, row_shape)


class Buffer:
    """A typed 1-D array of elements in one backend's memory.

    `len(buf)` counts elements (rows): a buffer made from an `(n, 3)` float32 array has `n`
    elements of row shape `(3,)` and is accepted wherever `Array[Vec3]` is expected.
    """

    __slots__ = ("backend", "dtype", "row_shape", "usage", "_len", "_elem_key", "_storage", "__weakref__")

    def __init__(
        self, backend: Backend, n: int, dtype: np.dtype[Any], row_shape: tuple[int, ...], usage: BufferUsages
    ):
        self.backend = backend
        self.dtype = dtype
        self.row_shape = row_shape
        self.usage = BufferUsages(usage)
        self._len = n
        # Plain-Python keys: comparing numpy dtypes costs far more than a call's budget allows.
        self._elem_key = layout_key(dtype, row_shape)
        self._storage = bool(usage & BufferUsages.STORAGE)

    def __len__(self) -> int:
        return self._len

    @property
    def shape(self) -> tuple[int, ...]:
        """The numpy shape of the buffer's contents: `(len,) + row_shape`."""
        return (self._len, *self.row_shape)

    @property
    def element_dtype(self) -> np.dtype[Any]:
        """The dtype of one element (a subarray dtype for vector rows)."""
        return np.dtype((self.dtype, self.row_shape)) if self.row_shape else self.dtype

    @property
    def nbytes(self) -> int:
        """Size in bytes."""
        return self._len * self.element_dtype.itemsize

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.backend.name} len={self._len} dtype={self.dtype}"
            f"{f' rows={self.row_shape}' if self.row_shape else ''} usage={self.usage.name}>"
        )


# --------------------------------------------------------------------------- grids


@dataclass(frozen=True, slots=True)
class Workgroups:
    """An explicit grid given as workgroup counts: `Workgroups((x, y, z))` (1 to 3 ints)."""

    counts: tuple[int, ...]

    def __init__(self, counts: int | Sequence[int]):
        if isinstance(counts, int | np.integer):
            counts = (counts,)
        elif isinstance(counts, np.ndarray) and counts.ndim == 1:
            counts = tuple(counts.tolist())
        elif not isinstance(counts, tuple | list):
            raise TypeError(f"Workgroups takes 1 to 3 int counts, got {type(counts).__name__} {counts!r}")
        object.__setattr__(self, "counts", tuple(counts))


@dataclass(frozen=True, slots=True)
class Indirect:
    """A grid whose workgroup counts are read from a buffer when the call executes.

    The buffer holds a `UVec3` (or three consecutive `u32`) at element `offset` and needs the
    `INDIRECT` usage; an earlier kernel of the same submission may have written it.
    """

    buffer: Buffer
    offset: int = 0

    def __post_init__(self) -> None:
        # Checked here, not when the call runs: by then earlier commands of the submission have run.
        if not isinstance(self.buffer, Buffer):
            raise TypeError(f"Indirect takes a buffer, got {type(self.buffer).__name__}")
        object.__setattr__(self, "offset", _as_count(self.offset, "the Indirect offset"))


def _as_count(v: Any, what: str) -> int:
    if isinstance(v, bool | np.bool_) or not isinstance(v, int | np.integer):
        raise TypeError(f"{what} must be an int, got {type(v).__name__} {v!r}")
    v = int(v)
    if v < 0:
        raise ValueError(f"{what} must be >= 0, got {v}")
    return v


def _check_total(counts: tuple[int, int, int]) -> tuple[int, int, int]:
    if counts[0] * counts[1] * counts[2] > MAX_WORKGROUPS or max(counts) > 2**32 - 1:
        raise ValueError(f"grid of {counts} workgroups is too large (at most {MAX_WORKGROUPS} in all)")
    return counts


def workgroup_counts(grid: Any, workgroup_size: tuple[int, int, int]) -> tuple[int, int, int] | Indirect:
    """Workgroup counts of a grid: invocation counts (int or tuple) rounded up, `Workgroups`, `Indirect`."""
    if type(grid) is int and 0 <= grid <= MAX_WORKGROUPS:  # the common case, kept fast
        return (-(-grid // workgroup_size[0]), 1, 1)
    if isinstance(grid, Indirect):
        return grid
    if isinstance(grid, Workgroups):
        raw = grid.counts
        if not 1 <= len(raw) <= 3:
            raise ValueError(f"grid: Workgroups takes 1 to 3 counts, got {raw}")
        counts = [_as_count(c, "grid: a workgroup count") for c in raw] + [1] * (3 - len(raw))
        return _check_total((counts[0], counts[1], counts[2]))
    dims = (grid,) if isinstance(grid, int | np.integer) else grid
    if not isinstance(dims, tuple | list) or not 1 <= len(dims) <= 3:
        raise TypeError(
            "grid must be an invocation count (int or 1-3 tuple), khal.Workgroups or khal.Indirect, "
            f"got {grid!r}"
        )
    n = [_as_count(c, "grid: an invocation count") for c in dims] + [1] * (3 - len(dims))
    return _check_total(tuple(-(-n[i] // workgroup_size[i]) for i in range(3)))  # type: ignore[return-value]


def indirect_counts(grid: Indirect, backend: Backend) -> None:
    """Check an `Indirect` grid's buffer at call time (its contents are read at execution)."""
    buf = grid.buffer
    if not isinstance(buf, Buffer):
        raise TypeError(f"Indirect takes a buffer, got {type(buf).__name__}")
    if buf.backend is not backend:
        raise ValueError(f"the Indirect buffer belongs to backend {buf.backend.name!r}, not {backend.name!r}")
    if not buf.usage & BufferUsages.INDIRECT:
        raise ValueError("the Indirect buffer needs the BufferUsages.INDIRECT usage")
    if buf.dtype != np.uint32 or buf.row_shape not in ((), (3,)):
        raise TypeError(
            f"the Indirect buffer must hold UVec3 or u32 elements, not {buf.dtype}{buf.row_shape}"
        )
    words = 3 if buf.row_shape else 1
    if grid.offset < 0 or (grid.offset * words + 3) > len(buf) * words:
        raise ValueError(
            f"Indirect offset {grid.offset} leaves fewer than 3 counts in a buffer of {len(buf)}"
        )


# --------------------------------------------------------------------------- argument checks

# A checker validates one argument of a call and returns what the backend packs: the Buffer for an
# array parameter, a Python number for a scalar, raw bytes (host layout) for a vector/matrix/struct.
Checker = Callable[[Any], Any]


def _type_name(v: Any) -> str:
    return (
        type(v).__module__.replace("builtins", "").replace("numpy", "np")
        + ("." if type(v).__module__ not in ("builtins",) else "")
        + type(v).__name__
    )


def array_checker(kernel: str, name: str, t: ArrayType, backend: Backend) -> Checker:
    """Check a buffer argument: a Buffer of this backend, with STORAGE usage and the element layout."""
    layout = element_layout(t.element)
    key = layout_key(*layout)
    elem = t.element.name

    def check(v: Any) -> Any:
        if isinstance(v, Buffer):
            if v.backend is not backend:
                raise ValueError(
                    f"{kernel}(): parameter {name!r} gets a buffer of backend "
                    f"{v.backend.name!r}, but the call runs on {backend.name!r}"
                )
            if v._elem_key != key:
                got = f"{v.dtype}" + (f" rows of {v.row_shape}" if v.row_shape else "")
                raise TypeError(
                    f"{kernel}(): parameter {name!r} is Array[{elem}] ({_layout_text(layout)}), "
                    f"got a buffer of {got}"
                )
            if not v._storage:
                raise ValueError(f"{kernel}(): parameter {name!r}: the buffer lacks the STORAGE usage")
            return v
        if isinstance(v, np.ndarray):
            raise TypeError(
                f"{kernel}(): parameter {name!r} is Array[{elem}]: pass a buffer "
                "(backend.init_buffer(array)), or use khal.launch for numpy arrays"
            )
        raise TypeError(f"{kernel}(): parameter {name!r} is Array[{elem}], got {type(v).__name__}")

    return check


def _layout_text(key: tuple[np.dtype[Any], tuple[int, ...]]) -> str:
    base, shape = key
    return f"numpy {base}" + (f" rows of shape {shape}" if shape else "")


_F32_MAX = float(np.finfo(np.float32).max)
_F16_MAX = float(np.finfo(np.float16).max)


def _float_limit(t: ScalarType) -> float:
    """The largest finite magnitude of a float type (inf for f64: every Python float fits)."""
    return {16: _F16_MAX, 32: _F32_MAX}.get(t.bits, math.inf)


def scalar_checker(kernel: str, name: str, t: ScalarType) -> Checker:
    """Check a scalar argument: the kind (no float for an int) and the range (no -1 for a u32)."""
    return _scalar_check(f"{kernel}(): parameter {name!r} ({t.name})", t)


def _scalar_check(where: str, t: ScalarType) -> Checker:
    """A checker of one scalar of type `t`; its errors start with `where`. Returns a Python number."""
    if t.is_bool:

        def check_bool(v: Any) -> Any:
            if isinstance(v, bool | np.bool_):
                return bool(v)
            raise TypeError(f"{where} takes a bool, got {type(v).__name__} {v!r}")

        return check_bool
    if t.is_int:
        lo, hi = int(t.min), int(t.max)

        def check_int(v: Any) -> Any:
            if type(v) is not int:
                if isinstance(v, bool | np.bool_) or not isinstance(v, int | np.integer):
                    raise TypeError(f"{where} takes an int, got {type(v).__name__} {v!r}")
                v = int(v)
            if lo <= v <= hi:
                return v
            got = v if abs(v) < 2**128 else f"an int of {v.bit_length()} bits"
            raise ValueError(f"{where} must be in [{lo}, {hi}], got {got}")

        return check_int
    limit = _float_limit(t)

    def check_float(v: Any) -> Any:
        if type(v) is not float:
            if isinstance(v, bool | np.bool_) or not isinstance(v, int | float | np.integer | np.floating):
                raise TypeError(f"{where} takes a float, got {type(v).__name__} {v!r}")
            try:
                f = float(v)
            except OverflowError:  # an int past 1.8e308
                raise ValueError(f"{where}: {v!r} is out of range (|x| <= {limit:g})") from None
            if math.isinf(f) and not np.isinf(v):  # a longdouble past 1.8e308
                raise ValueError(f"{where}: {v!r} is out of range (|x| <= {limit:g})")
            v = f
        if abs(v) > limit and not math.isinf(v):
            # Rounding would silently make it inf: ask for an explicit inf instead.
            raise ValueError(f"{where}: {v!r} is out of range (|x| <= {limit:g})")
        return v

    return check_float


def _pack_format(dtype: np.dtype[Any]) -> str:
    """The `struct` format (after "<") of `dtype`'s bytes: fields in offset order, padding as `x`."""
    if dtype.names is None:
        base, shape = dtype.subdtype if dtype.subdtype is not None else (dtype, ())
        code = STRUCT_CODES[(base.kind, base.itemsize)]
        return f"{math.prod(shape)}{code}" if shape else code
    fmt, pos = "", 0
    for offset, fdt in sorted((f[1], f[0]) for f in dtype.fields.values()):  # type: ignore[union-attr]
        fmt += "x" * (offset - pos) + _pack_format(fdt)
        pos = offset + fdt.itemsize
    return fmt + "x" * (dtype.itemsize - pos)


def _components_check(where: str, t: VectorType | MatrixType) -> Checker:
    """A checker of a vector or matrix value: a numpy array, or a list/tuple (of rows, for a matrix).

    A list's components follow the rules of a scalar parameter of the element type (no bool, no float
    for an integer, no value out of range) one by one, whatever numpy would make of the list; an
    array's dtype must be numeric (no bool; no float for an integer element) and its values in range.
    Returns the components in numpy's order: a flat tuple of Python numbers, or a flat array of the
    element dtype (for an array argument).
    """
    n = t.size
    shape = (n,) if isinstance(t, VectorType) else (n, n)
    flat = len(shape) == 1
    elem: ScalarType = t.element
    component = _scalar_check(f"{where}: a component", elem)
    # The fast path: Python numbers of `kinds` in [lo, hi] (NaN and infinities take the slow path).
    kinds = (int,) if elem.is_int else (int, float)
    lo, hi = (elem.min, elem.max) if elem.is_int else (-_float_limit(elem), _float_limit(elem))
    fits: dict[np.dtype[Any], bool] = {}  # per array dtype: does its whole range fit the element's?

    def fast(row: Any) -> bool:
        if (type(row) is not tuple and type(row) is not list) or len(row) != n:
            return False
        for c in row:  # a loop, not all(<generator>): this is the per-call hot path
            if type(c) not in kinds or not lo <= c <= hi:
                return False
        return True

    def check(v: Any) -> tuple[Any, ...]:
        if flat and fast(v):
            return tuple(v)
        if not flat and (type(v) is list or type(v) is tuple) and len(v) == n and all(map(fast, v)):
            return tuple(c for r in v for c in r)
        if isinstance(v, list | tuple):
            rows = [v] if flat else v
            if len(rows) != (1 if flat else n) or not all(_is_row(r, n) for r in rows):
                raise ValueError(f"{where} needs shape {shape}, got {v!r}")
            return tuple(component(c) for r in rows for c in r)
        try:
            a = np.asarray(v)
        except Exception as e:  # an array-like that numpy cannot read
            raise TypeError(f"{where}: cannot read {v!r} as {shape} values: {e}") from None
        if a.shape != shape:
            raise ValueError(f"{where} needs shape {shape}, got {a.shape}")
        if a.dtype.kind not in "iuf" or (elem.is_int and a.dtype.kind == "f"):
            raise TypeError(f"{where} takes {elem.name} components, got {a.dtype}")
        if a.dtype not in fits:
            fits[a.dtype] = _range_fits(a.dtype, elem)
        if not fits[a.dtype]:
            _check_range(where, a, elem)
        out = np.ascontiguousarray(a, dtype=elem.dtype)
        return out if flat else out.ravel()

    return check


def _range_fits(src: np.dtype[Any], elem: ScalarType) -> bool:
    """Does every value of dtype `src` fit the range of `elem`?"""
    if src.kind == "f":
        return elem.is_float and src.itemsize <= elem.dtype.itemsize
    info = np.iinfo(src)
    if elem.is_int:
        return elem.min <= info.min and info.max <= elem.max
    return max(-int(info.min), int(info.max)) <= _float_limit(elem)


def _check_range(where: str, a: np.ndarray, elem: ScalarType) -> None:
    """Raise unless every value of `a` is in `elem`'s range (floats: or infinite, or NaN)."""
    if elem.is_int:
        if a.min() < elem.min or a.max() > elem.max:
            raise ValueError(f"{where}: components must be in [{elem.min}, {elem.max}], got {a.tolist()}")
        return
    limit = _float_limit(elem)
    wide = a if a.dtype.kind == "f" else a.astype(np.float64)  # abs() of a minimal int wraps
    if (np.isfinite(wide) & (np.abs(wide) > limit)).any():
        raise ValueError(f"{where}: components must be in [-{limit:g}, {limit:g}] (or inf), got {a.tolist()}")


def _is_row(r: Any, n: int) -> bool:
    """Is `r` a list, tuple or 1-D array of `n` values?"""
    if isinstance(r, np.ndarray):
        return r.shape == (n,)
    return isinstance(r, list | tuple) and len(r) == n


def _struct_check(where: str, t: StructType) -> Checker:
    """A checker of a struct value: a record of `t.dtype`, a dict, a tuple or an object with the fields.

    Each field is checked like a parameter of its type (an error names the field); returns the flat
    tuple of Python numbers that `_pack_format(t.dtype)` packs.
    """
    names = [n for n, _ in t.fields]
    names_set = set(names)
    dtype = t.dtype
    unpack = struct.Struct("<" + _pack_format(dtype)).unpack
    fields = [
        (_value_check(f"{where} field {n!r} ({ft.name})", ft), isinstance(ft, ScalarType))
        for n, ft in t.fields
    ]

    def check(v: Any) -> tuple[Any, ...]:
        if type(v) is tuple:
            values = v if len(v) == len(names) else None
        elif isinstance(v, np.void | np.ndarray) and v.dtype.names is not None:
            if v.dtype != dtype or (isinstance(v, np.ndarray) and v.shape != ()):
                raise TypeError(f"{where} needs one record of dtype {dtype}, got {v.dtype}{v.shape}")
            return unpack(v.tobytes())
        elif isinstance(v, dict):
            values = tuple(v[n] for n in names) if v.keys() == names_set else None
        elif isinstance(v, tuple):
            values = v if len(v) == len(names) else None
        else:
            values = tuple(getattr(v, n) for n in names) if all(hasattr(v, n) for n in names) else None
        if values is None:
            raise TypeError(f"{where} takes a {t.name} (fields {', '.join(names)}), got {v!r}")
        out: list[Any] = []
        for (field, scalar), x in zip(fields, values, strict=True):
            if scalar:
                out.append(field(x))
            else:  # extend, not +=: a vector's checker may return an array, and list += array adds
                out.extend(field(x))
        return tuple(out)

    return check


def _value_check(where: str, t: KhalType) -> Checker:
    """The checker of one value of any non-array type (see `_scalar_check` and the others)."""
    if isinstance(t, ScalarType):
        return _scalar_check(where, t)
    if isinstance(t, VectorType | MatrixType):
        return _components_check(where, t)
    if isinstance(t, StructType):
        return _struct_check(where, t)
    raise TypeError(f"{where}: unsupported parameter type")


def value_checker(kernel: str, name: str, t: KhalType) -> Checker:
    """Check a vector, matrix or struct argument; returns its bytes in host layout."""
    check = _value_check(f"{kernel}(): parameter {name!r} ({t.name})", t)
    pack = struct.Struct("<" + _pack_format(t.dtype)).pack

    def check_value(v: Any) -> bytes:
        values = check(v)
        return pack(*values) if type(values) is tuple else values.tobytes()

    return check_value


def make_checkers(kernel: Any, backend: Backend) -> list[Checker]:
    """One checker per kernel parameter, in order."""
    checkers: list[Checker] = []
    for p in kernel.params:
        t = p.type
        if isinstance(t, ArrayType):
            checkers.append(array_checker(kernel.name, p.name, t, backend))
        elif isinstance(t, ScalarType):
            checkers.append(scalar_checker(kernel.name, p.name, t))
        else:
            checkers.append(value_checker(kernel.name, p.name, t))
    return checkers


def arity_error(kernel: Any, got: int) -> TypeError:
    """The error for a call with the wrong number of arguments."""
    names = ", ".join(p.name for p in kernel.params)
    return TypeError(f"{kernel.name}() takes {len(kernel.params)} arguments ({names}), got {got}")


# --------------------------------------------------------------------------- plans and commands


class LaunchPlan(ABC):
    """How one kernel launches on one backend, prepared once: a `call` only fills values in."""

    kernel: Any
    backend: Backend

    @abstractmethod
    def record(self, grid: Any, args: Sequence[Any]) -> Any:
        """Check `args` and the grid; return the backend's command for this call (nothing runs).

        The command holds every resource the call uses (its buffers, its argument block, an `Indirect`
        buffer): the encoder logs it, and the submission keeps the log alive until the work completes.
        """

    def written_params(self) -> tuple[bool, ...]:
        """Per parameter: does the kernel write it (arrays only)? Used by `khal.launch`."""
        return tuple(isinstance(p.type, ArrayType) for p in self.kernel.params)


@dataclass(slots=True)
class PassMarker:
    """Where a timed pass begins (even `slot`) or ends (odd `slot`) in an encoder's log.

    `native` is the timestamp set the slot belongs to (`Timestamps._native` when the pass began), so
    a `reset()` before the work runs cannot mix the old writes into the new set.
    """

    timestamps: Timestamps
    native: Any
    slot: int


@dataclass(slots=True)
class CopyCommand:
    """A recorded `copy_buffer_to_buffer`, in elements."""

    src: Buffer
    src_offset: int
    dst: Buffer
    dst_offset: int
    count: int


# --------------------------------------------------------------------------- timestamps


class Timestamps:
    """Begin/end times of the passes begun with it: `encoder.begin_pass("x", ts)`; `ts.read()`.

    `capacity` counts timestamps, as a wgpu query set does: each timed pass uses two, its pair k
    taking slots 2k (begin) and 2k+1 (end). The backend owns the slots (`_native`, made by
    `Backend._new_timestamp_set`: host times on the CPU, a query set or events on a GPU), writes them
    as the work runs, and turns them into milliseconds in `read()` (`Backend._resolve_timestamps`).
    """

    def __init__(self, backend: Backend, capacity: int = 16):
        if not isinstance(backend, Backend):
            raise TypeError(f"Timestamps takes a khal backend, got {type(backend).__name__} {backend!r}")
        if _as_count(capacity, "Timestamps capacity") < 2:
            raise ValueError("Timestamps capacity must be at least 2 (one pass takes two timestamps)")
        self.backend = backend
        self.capacity = capacity
        self._labels: list[str] = []  # pair k's pass label, k in the order the passes were begun
        self._submitted: list[int] = []  # the pairs whose encoder was submitted, in submission order
        self._native: Any = backend._new_timestamp_set(capacity)

    def _reserve(self, label: str) -> int:
        """Reserve the next pair of slots for pass `label`; returns the pair's index."""
        if 2 * len(self._labels) + 2 > self.capacity:
            raise ValueError(
                f"Timestamps full: capacity {self.capacity} holds {self.capacity // 2} passes; "
                f"cannot time pass {label!r} (call reset() after read())"
            )
        self._labels.append(label)
        return len(self._labels) - 1

    def read(self) -> list[tuple[str, float]]:
        """Wait for the submitted work; the (label, milliseconds) of every timed pass, in execution order."""
        self.backend.synchronize()
        pairs = list(self._submitted)
        ms = self.backend._resolve_timestamps(self, pairs)
        return [(self._labels[k], t) for k, t in zip(pairs, ms, strict=True)]

    def reset(self) -> None:
        """Forget the results and make the whole capacity available again."""
        self.backend.synchronize()
        self._labels = []
        self._submitted = []
        self._native = self.backend._new_timestamp_set(self.capacity)


# --------------------------------------------------------------------------- recording


class ComputePass:
    """A compute pass of an encoder: kernels `call`ed on it run in order. Use `end()` or `with`.

    `_native` is free for the backend's own pass object (a wgpu compute pass encoder, say).
    """

    __slots__ = ("encoder", "label", "timestamps", "_open", "_begin_marker", "_native")

    def __init__(
        self, encoder: Encoder, label: str, timestamps: Timestamps | None, marker: PassMarker | None
    ):
        self.encoder = encoder
        self.label = label
        self.timestamps = timestamps
        self._open = True
        self._begin_marker = marker
        # `_native` stays unset until the backend's `_record_pass_begin` sets it (if it has a pass object).

    def dispatch(self, kernel: Any, grid: Any, args: Sequence[Any], plan: LaunchPlan | None = None) -> None:
        """Record one call of `kernel` (what `kernel.call(pass, grid, *args)` does)."""
        if not self._open:
            raise RuntimeError(f"pass {self.label!r} has ended; begin a new pass to record more calls")
        encoder = self.encoder
        if plan is None:
            plan = encoder.backend._plan(kernel)
        encoder._commands.append(plan.record(grid, args))  # `record` checks every argument first

    def end(self) -> None:
        """Close the pass; the encoder can record a copy or another pass after this."""
        if not self._open:
            return
        self._open = False
        encoder = self.encoder
        encoder._open_pass = None
        begin = self._begin_marker
        if begin is not None:
            encoder._commands.append(PassMarker(begin.timestamps, begin.native, begin.slot + 1))

    def __enter__(self) -> ComputePass:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.end()


class RecordingPass(ComputePass):
    """The pass of an encoder that records natively: each step, once checked, goes to its hooks.

    `Encoder` subclasses that define the `_record_*` hooks get it as their `pass_type`; the CPU,
    which has none, keeps the plain `ComputePass` and pays nothing for them.
    """

    __slots__ = ()

    def __init__(
        self, encoder: Encoder, label: str, timestamps: Timestamps | None, marker: PassMarker | None
    ):
        super().__init__(encoder, label, timestamps, marker)
        encoder._record_pass_begin(self)  # type: ignore[misc]

    def dispatch(self, kernel: Any, grid: Any, args: Sequence[Any], plan: LaunchPlan | None = None) -> None:
        """Record one call of `kernel`, checked and logged, then natively."""
        super().dispatch(kernel, grid, args, plan)
        encoder = self.encoder
        encoder._record_dispatch(self, encoder._commands[-1])  # type: ignore[misc]

    def end(self) -> None:
        """Close the pass, then natively."""
        if self._open:
            super().end()
            self.encoder._record_pass_end(self)  # type: ignore[misc]


class Encoder:
    """Records passes and copies; `backend.submit(encoder)` runs them, in order.

    As a context manager (`with backend.begin_encoding() as enc:`) it submits on normal exit.

    Each backend subclasses it (`Backend.encoder_type`) and records into its own native structure
    (a wgpu command encoder, a CUDA stream) in the `_record_*` hooks, which run once a command has
    passed the checks made here (the same on every backend). Every command is also appended to
    `_commands`, the encoder's log: the submission keeps the log alive until the work completes, so
    nothing a command uses is freed early; a backend without a device queue (the CPU) runs the log.
    """

    def __init__(self, backend: Backend):
        # Every attribute is set here: one added later would unshare the instance dict (slower).
        self.backend = backend
        self._commands: list[Any] = []
        self._open_pass: ComputePass | None = None
        self._submitted = False
        self._timed: tuple[PassMarker, ...] = ()  # the begin markers of its timed passes

    # -- hooks: what a backend records natively, each called once the checks passed. A backend that
    # defines them gets `RecordingPass` passes, which call them; one without a native structure (the
    # CPU: the log is its program) leaves them None and its passes never look for them.

    _record_pass_begin: Callable[[ComputePass], None] | None = None
    """Begin pass `p` (`p._begin_marker`: its timestamp slots, if timed); may set `p._native`."""

    _record_dispatch: Callable[[ComputePass, Any], None] | None = None
    """Record one call into pass `p`: `command` is what the kernel's `LaunchPlan.record` returned."""

    _record_pass_end: Callable[[ComputePass], None] | None = None
    """End pass `p`."""

    _record_copy: Callable[[CopyCommand], None] | None = None
    """Record a (checked) copy."""

    pass_type: type[ComputePass] = ComputePass  # what `begin_pass` makes (set by __init_subclass__)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        hooks = (cls._record_pass_begin, cls._record_dispatch, cls._record_pass_end)
        if any(hook is not None for hook in hooks):
            if any(hook is None for hook in hooks):
                raise TypeError(f"{cls.__name__} must define all of _record_pass_begin/_dispatch/_pass_end")
            cls.pass_type = RecordingPass

    def _commit(self) -> Submission:
        """Submit what was recorded; the `Submission` of it, holding `self._commands` until it completes.

        Build the submission before handing the work to the device, so that no completion is missed.
        """
        raise NotImplementedError(f"{type(self).__name__} defines no _commit()")

    # -- recording

    def _check_recording(self, what: str) -> None:
        if self._submitted:
            raise RuntimeError(f"cannot {what}: this encoder was already submitted; begin a new one")
        if self._open_pass is not None:
            raise RuntimeError(f"cannot {what} while pass {self._open_pass.label!r} is open; end it first")

    def begin_pass(self, label: str = "", timestamps: Timestamps | None = None) -> ComputePass:
        """Begin a compute pass; with `timestamps`, its begin and end times are recorded."""
        if self._submitted or self._open_pass is not None:
            self._check_recording("begin a pass")
        marker = None
        if timestamps is not None:
            if not isinstance(timestamps, Timestamps):
                raise TypeError(
                    f"begin_pass takes a khal.Timestamps or None, got {type(timestamps).__name__}"
                )
            if timestamps.backend is not self.backend:
                raise ValueError("these Timestamps belong to another backend")
            marker = PassMarker(timestamps, timestamps._native, 2 * timestamps._reserve(label))
            self._timed = (*self._timed, marker)
            self._commands.append(marker)
        p = self.pass_type(self, label, timestamps, marker)  # a RecordingPass begins natively
        self._open_pass = p
        return p

    def copy_buffer_to_buffer(
        self, src: Buffer, src_offset: int, dst: Buffer, dst_offset: int, n: int
    ) -> None:
        """Record a copy of `n` elements from `src[src_offset:]` to `dst[dst_offset:]`."""
        self._check_recording("record a copy")
        for what, b in (("src", src), ("dst", dst)):
            if not isinstance(b, Buffer):
                raise TypeError(f"copy_buffer_to_buffer: {what} must be a buffer, got {type(b).__name__}")
            if b.backend is not self.backend:
                raise ValueError(f"copy_buffer_to_buffer: {what} belongs to backend {b.backend.name!r}")
        if src is dst:
            raise ValueError("copy_buffer_to_buffer: source and destination must be different buffers")
        if src.element_dtype.itemsize != dst.element_dtype.itemsize:
            raise TypeError(
                f"copy_buffer_to_buffer: element sizes differ ({src.element_dtype} -> {dst.element_dtype})"
            )
        if not src.usage & BufferUsages.COPY_SRC:
            raise ValueError("copy_buffer_to_buffer: src lacks the COPY_SRC usage")
        if not dst.usage & BufferUsages.COPY_DST:
            raise ValueError("copy_buffer_to_buffer: dst lacks the COPY_DST usage")
        src_offset = _as_count(src_offset, "src_offset")
        dst_offset = _as_count(dst_offset, "dst_offset")
        n = _as_count(n, "the element count")
        if src_offset + n > len(src) or dst_offset + n > len(dst):
            raise ValueError(
                f"copy_buffer_to_buffer: {n} elements from {src_offset} (of {len(src)}) to "
                f"{dst_offset} (of {len(dst)}) is out of bounds"
            )
        copy = CopyCommand(src, src_offset, dst, dst_offset, n)
        self._commands.append(copy)
        if self._record_copy is not None:
            self._record_copy(copy)

    def __enter__(self) -> Encoder:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None and not self._submitted:
            if self._open_pass is not None:
                self._open_pass.end()
            self.backend.submit(self)


# --------------------------------------------------------------------------- submissions


class Submission:
    """The work of one `backend.submit(encoder)`: `wait()` until it has run, or ask `done()`.

    It holds every resource its commands use (the encoder's log: buffers, argument blocks, Indirect
    buffers, timestamp sets) until the work completes, whatever the caller drops.

    A backend learns of completion its own way, through a subclass (its encoder's `_commit` builds
    it) that overrides two hooks:
    - `_poll()`: has the device finished? without blocking (CUDA: `cuEventQuery` of an event
      recorded after the work; WebGPU: poll the device, then read the flag that
      `queue.on_submitted_work_done` set);
    - `_block()`: return once it has (CUDA: `cuEventSynchronize`; WebGPU: poll with wait).
    Or a device thread or callback calls `_complete()` as soon as the work is done (any thread).
    A backend that runs the work inside `submit` (the CPU) completes it before returning it.
    """

    __slots__ = ("backend", "_keep", "_done")

    def __init__(self, backend: Backend, keep: list[Any] | None):
        self.backend = backend
        self._keep = keep
        self._done = False

    def done(self) -> bool:
        """Has the work completed? Never blocks."""
        if not self._done and self._poll():
            self._complete()
        return self._done

    def wait(self) -> None:
        """Return once the work has completed (its writes are then visible to `slow_read_vec`)."""
        if not self._done:
            self._block()
            self._complete()

    def _complete(self) -> None:
        """Mark the work done and let go of its resources. Any thread may call it, more than once."""
        self._done = True
        self._keep = None

    def _poll(self) -> bool:
        """Backend hook: True once the device has finished the work (must not block)."""
        return False

    def _block(self) -> None:
        """Backend hook: block until the device has finished the work."""
        raise NotImplementedError(f"{type(self).__name__} cannot wait: its backend defines no _block()")

    def __repr__(self) -> str:
        return f"<khal Submission on {self.backend.name}: {'done' if self._done else 'running'}>"


# --------------------------------------------------------------------------- the backend interface


class Backend(ABC):
    """A device that runs kernels: buffers, encoders, submission. One instance per device/queue."""

    name: str
    target: str  # the compiler target of its kernels ("cpu", "cuda", "spirv")
    encoder_type: type[Encoder]  # what `begin_encoding` makes: the backend's recording hooks
    # Whether float arithmetic keeps IEEE 754's special values and rounding on this device: subnormals
    # (no flush to zero), inf and NaN through every operation, and correctly rounded `/` and `sqrt`.
    # True on the CPU and CUDA backends; on WebGPU it depends on the driver (docs/semantics.md).
    ieee_floats: bool = True

    def __init__(self) -> None:
        self._plans: dict[Any, LaunchPlan] = {}
        self._plan_keys: dict[Any, str] = {}  # the kernel's cache key each plan was made for
        # Submitted work not yet seen complete, oldest first: it holds the resources the work uses.
        self._in_flight: deque[Submission] = deque()
        self._in_flight_lock = threading.Lock()
        # The handle of every submission whose work ran inside `submit` (the CPU's): complete already.
        self._ran = Submission(self, None)
        self._ran._complete()

    # -- buffers

    @abstractmethod
    def _new_buffer(
        self,
        n: int,
        dtype: np.dtype[Any],
        row_shape: tuple[int, ...],
        usage: BufferUsages,
        data: np.ndarray | None,
    ) -> Buffer:
        """A buffer of `n` elements, filled from `data` (already of the right dtype/shape) or zeros."""

    @abstractmethod
    def _write(self, buf: Buffer, offset: int, data: np.ndarray) -> None:
        """Write rows `data` at element `offset` (checked), ordered after what was submitted."""

    @abstractmethod
    def _read(self, buf: Buffer) -> np.ndarray:
        """A fresh numpy copy of the buffer, after everything submitted is done."""

    def _read_into(self, buf: Buffer, out: np.ndarray) -> None:
        """Copy the buffer into `out` (same shape), after everything submitted is done."""
        out[...] = self._read(buf)

    def init_buffer(self, data: Any, usage: BufferUsages = DEFAULT_USAGE) -> Buffer:
        """A buffer holding a copy of `data`; its rows are the elements (`(n, 3)` float32 -> n Vec3)."""
        a = np.asarray(data)
        if a.ndim == 0:
            raise ValueError("init_buffer needs an array of at least one dimension, got a scalar")
        if a.dtype.kind not in "biufV" or a.dtype.hasobject:
            raise TypeError(f"init_buffer: numpy dtype {a.dtype} cannot live in a buffer")
        return self._new_buffer(a.shape[0], a.dtype, a.shape[1:], _as_usage(usage), np.ascontiguousarray(a))

    def uninit_buffer(self, n: int, dtype: Any, usage: BufferUsages = DEFAULT_USAGE) -> Buffer:
        """A zero-filled buffer of `n` elements; `dtype` may be a khal type (`Vec3` -> (n, 3) float32)."""
        n = _as_count(n, "uninit_buffer: the element count")
        base, shape = element_layout(dtype)
        return self._new_buffer(n, base, shape, _as_usage(usage), None)

    def write_buffer(self, buf: Buffer, offset: int, data: Any) -> None:
        """Write `data` (rows) into `buf` from element `offset`, after the work submitted so far."""
        self._own(buf, "write_buffer")
        if not buf.usage & BufferUsages.COPY_DST:
            raise ValueError("write_buffer: the buffer lacks the COPY_DST usage")
        offset = _as_count(offset, "write_buffer: offset")
        a = np.asarray(data)
        if a.ndim == len(buf.row_shape):  # one element
            a = a[None]
        if a.shape[1:] != buf.row_shape:
            raise ValueError(
                f"write_buffer: rows of shape {a.shape[1:]} do not fit a buffer of rows {buf.row_shape}"
            )
        if a.dtype != buf.dtype:
            _check_conversion(a, buf.dtype)
        if offset + a.shape[0] > len(buf):
            raise ValueError(
                f"write_buffer: {a.shape[0]} elements at {offset} overflow a buffer of {len(buf)}"
            )
        self._write(buf, offset, np.ascontiguousarray(a, dtype=buf.dtype))

    def from_dlpack(self, x: Any, usage: BufferUsages = DEFAULT_USAGE) -> Buffer:
        """Wrap an array of this backend's device (DLPack: torch, cupy, numpy, ...) without a copy."""
        raise NotImplementedError(f"the {self.name} backend cannot wrap DLPack arrays")

    def slow_read_vec(self, buf: Buffer) -> np.ndarray:
        """Wait for the submitted work, then return a numpy copy of `buf` (shape `(len,) + rows`)."""
        self._own(buf, "slow_read_vec")
        if not buf.usage & (BufferUsages.COPY_SRC | BufferUsages.MAP_READ):
            raise ValueError("slow_read_vec: the buffer needs the COPY_SRC or MAP_READ usage")
        self.synchronize()
        return self._read(buf)

    def _own(self, buf: Any, what: str) -> None:
        if not isinstance(buf, Buffer):
            raise TypeError(f"{what} takes a buffer, got {type(buf).__name__}")
        if buf.backend is not self:
            raise ValueError(
                f"{what}: the buffer belongs to backend {buf.backend.name!r}, not this {self.name!r}"
            )

    # -- recording and submission

    def begin_encoding(self) -> Encoder:
        """A new encoder; nothing it records runs before `submit`."""
        return self.encoder_type(self)

    def submit(self, encoder: Encoder) -> Submission:
        """Hand what `encoder` recorded to the device, to run in order; returns its `Submission`.

        The work may still be running when this returns: `wait()` on the submission, or
        `synchronize()` for everything submitted.
        """
        try:  # the checks of `_refuse`, in the fewest steps (an object that is no encoder fails them)
            refused = encoder.backend is not self or encoder._submitted or encoder._open_pass is not None
        except AttributeError:
            refused = True
        if refused:
            self._refuse(encoder)
        encoder._submitted = True
        if encoder._timed:
            _mark_submitted(encoder._timed)
        sub = encoder._commit()
        encoder._commands = []  # the submission holds the log now
        if not sub._done:
            self._track(sub)
        return sub

    def _refuse(self, encoder: Any) -> None:
        """Raise why `encoder` cannot be submitted."""
        if not isinstance(encoder, Encoder) or encoder.backend is not self:
            raise ValueError("submit takes an encoder begun on this backend")
        if encoder._submitted:
            raise RuntimeError("this encoder was already submitted")
        assert encoder._open_pass is not None
        raise RuntimeError(f"pass {encoder._open_pass.label!r} is still open; end() it before submit")

    def _track(self, sub: Submission) -> None:
        """Hold `sub` until it is seen complete; forget the oldest ones that are (queues run in order)."""
        with self._in_flight_lock:
            in_flight = self._in_flight
            while in_flight and in_flight[0].done():
                in_flight.popleft()
            in_flight.append(sub)

    def synchronize(self) -> None:
        """Wait for everything submitted so far."""
        if not self._in_flight:
            return
        with self._in_flight_lock:
            pending = list(self._in_flight)
        for sub in pending:
            sub.wait()
        with self._in_flight_lock:
            in_flight = self._in_flight
            while in_flight and in_flight[0]._done:
                in_flight.popleft()

    # -- timestamps (host times by default; a GPU backend overrides both with its query sets or events)

    def _new_timestamp_set(self, capacity: int) -> Any:
        """Storage for `capacity` timestamps (`Timestamps._native`): here host times, NaN until written."""
        return [math.nan] * capacity

    def _resolve_timestamps(self, ts: Timestamps, pairs: list[int]) -> list[float]:
        """Milliseconds between slots 2k and 2k+1 of `ts`, for each pair k (the work has completed)."""
        t = ts._native
        return [(t[2 * k + 1] - t[2 * k]) * 1e3 for k in pairs]

    # -- kernels

    def _plan(self, kernel: Any) -> LaunchPlan:
        """The launch plan of `kernel` on this backend, compiled and prepared on first use.

        A plan is made again when the kernel's cache key changed since (a constant it reads now has
        another value, a func it calls was redefined): the next call runs the code for the values of
        now, as `ir()` and the cache do. `cache_key()` notices a change with one lookup per name.
        """
        key = kernel.cache_key()
        plan = self._plans.get(kernel)
        # A plan put in `_plans` by hand (tests do) has no key recorded and serves as it is.
        if plan is None or self._plan_keys.get(kernel, key) != key:
            plan = self._plans[kernel] = self._make_plan(kernel)
            self._plan_keys[kernel] = key
        return plan

    @abstractmethod
    def _make_plan(self, kernel: Any) -> LaunchPlan:
        """Compile `kernel` for this backend (through the cache) and prepare its launch."""

    def __repr__(self) -> str:
        return f"<khal backend {self.name}>"


_ALL_USAGES = int(BufferUsages.QUERY_RESOLVE) * 2 - 1


def _as_usage(usage: Any) -> BufferUsages:
    """`usage` as BufferUsages: a non-empty combination of the defined flags, else a TypeError/ValueError."""
    if isinstance(usage, bool | np.bool_) or not isinstance(usage, int | np.integer):
        raise TypeError(f"usage must be khal.BufferUsages flags, got {type(usage).__name__} {usage!r}")
    value = int(usage)
    if value <= 0 or value & ~_ALL_USAGES:
        raise ValueError(
            f"usage must be a non-empty combination of khal.BufferUsages flags (bits of {_ALL_USAGES:#x}), "
            f"got {value:#x}"
            if value >= 0
            else f"usage must be khal.BufferUsages flags, got {value}"
        )
    return BufferUsages(value)


def _check_conversion(a: np.ndarray, dtype: np.dtype[Any]) -> None:
    """Raise unless every value of `a` converts to `dtype` exactly or by float rounding (no wrap, no inf)."""
    src = a.dtype
    same_ints = src.kind in "iu" and dtype.kind in "iu"
    if not same_ints and not np.can_cast(src, dtype, "same_kind"):
        raise TypeError(f"write_buffer: cannot write {src} data into a {dtype} buffer")
    if a.size == 0 or np.can_cast(src, dtype, "safe"):
        return
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if a.min() < info.min or a.max() > info.max:
            raise ValueError(
                f"write_buffer: {src} data holds values beyond a {dtype} buffer's [{info.min}, {info.max}]"
            )
    elif dtype.kind == "f":
        limit = float(np.finfo(dtype).max)
        wide = a.astype(np.float64)
        if (np.isfinite(wide) & (np.abs(wide) > limit)).any():
            raise ValueError(
                f"write_buffer: {src} data holds values beyond a {dtype} buffer's range (|x| <= {limit:g}); "
                "write inf explicitly if that is meant"
            )


def _mark_submitted(timed: tuple[PassMarker, ...]) -> None:
    """Tell each timed pass's Timestamps that its pair will be written (unless reset since)."""
    for marker in timed:
        ts = marker.timestamps
        if ts._native is marker.native:
            ts._submitted.append(marker.slot // 2)


def now() -> float:
    """The clock timestamps use (seconds)."""
    return time.perf_counter()
