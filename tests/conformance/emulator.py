"""A Python reference for generated kernels: the kernel's own source, run by Python under khal's rules.

The fuzzer's programs (fuzzing.py) are Python; here they execute with stand-ins for khal's names:
typed integers that wrap (`KInt`: `x // 0 == x`, `x % 0 == 0`, shifts modulo the width), floats as
numpy scalars of their width (each operation rounded once, like IEEE hardware), Python bools,
conversions that saturate (float -> int, NaN -> 0) or wrap, arrays that read and store typed values,
and `ks` with per-invocation ids, workgroup memory, barriers (one thread per invocation, a
`threading.Barrier` per workgroup) and atomics (under a lock). It is slow and small, and shares no
code with the compiler, so it catches what every backend would get wrong alike.
"""

from __future__ import annotations

import builtins
import threading
from typing import Any

import numpy as np
from tables import DTYPES, FLOAT_TYPES, INT_TYPES


class KInt:
    """An integer of a khal type: operations wrap to the type's width."""

    __slots__ = ("v", "t")

    def __init__(self, v: int, t: np.dtype[Any]):
        bits = 8 * t.itemsize
        v = int(v) & ((1 << bits) - 1)
        if t.kind == "i" and v >= 1 << (bits - 1):
            v -= 1 << bits
        self.v, self.t = v, t

    def _o(self, o: Any) -> int:
        if isinstance(o, KInt):
            assert o.t == self.t, (self.t, o.t)
            return o.v
        assert type(o) is int, o  # a bare literal takes this operand's type
        return o

    def _k(self, v: int) -> KInt:
        return KInt(v, self.t)

    def __add__(self, o: Any) -> KInt:
        return self._k(self.v + self._o(o))

    __radd__ = __add__

    def __sub__(self, o: Any) -> KInt:
        return self._k(self.v - self._o(o))

    def __rsub__(self, o: Any) -> KInt:
        return self._k(self._o(o) - self.v)

    def __mul__(self, o: Any) -> KInt:
        return self._k(self.v * self._o(o))

    __rmul__ = __mul__

    @staticmethod
    def _div(a: int, b: int) -> int:
        return a if b == 0 else a // b

    @staticmethod
    def _mod(a: int, b: int) -> int:
        return 0 if b == 0 else a % b

    def __floordiv__(self, o: Any) -> KInt:
        return self._k(self._div(self.v, self._o(o)))

    def __rfloordiv__(self, o: Any) -> KInt:
        return self._k(self._div(self._o(o), self.v))

    def __mod__(self, o: Any) -> KInt:
        return self._k(self._mod(self.v, self._o(o)))

    def __rmod__(self, o: Any) -> KInt:
        return self._k(self._mod(self._o(o), self.v))

    def __and__(self, o: Any) -> KInt:
        return self._k(self.v & self._o(o))

    __rand__ = __and__

    def __or__(self, o: Any) -> KInt:
        return self._k(self.v | self._o(o))

    __ror__ = __or__

    def __xor__(self, o: Any) -> KInt:
        return self._k(self.v ^ self._o(o))

    __rxor__ = __xor__

    def _amount(self, n: int) -> int:
        return n & (8 * self.t.itemsize - 1)  # modulo the width, as khal-expand-arith

    def __lshift__(self, o: Any) -> KInt:
        return self._k(self.v << self._amount(self._o(o)))

    def __rshift__(self, o: Any) -> KInt:
        return self._k(self.v >> self._amount(self._o(o)))

    def __rlshift__(self, o: Any) -> KInt:
        return self._k(self._o(o) << self._amount(self.v))

    def __rrshift__(self, o: Any) -> KInt:
        return self._k(self._o(o) >> self._amount(self.v))

    def __neg__(self) -> KInt:
        return self._k(-self.v)

    def __invert__(self) -> KInt:
        return self._k(~self.v)

    def __abs__(self) -> KInt:
        return self._k(abs(self.v))

    def __lt__(self, o: Any) -> bool:
        return self.v < self._o(o)

    def __le__(self, o: Any) -> bool:
        return self.v <= self._o(o)

    def __gt__(self, o: Any) -> bool:
        return self.v > self._o(o)

    def __ge__(self, o: Any) -> bool:
        return self.v >= self._o(o)

    def __eq__(self, o: Any) -> bool:  # type: ignore[override]
        return self.v == self._o(o)

    def __ne__(self, o: Any) -> bool:  # type: ignore[override]
        return self.v != self._o(o)

    def __index__(self) -> int:
        return self.v

    def __bool__(self) -> bool:
        return self.v != 0

    __hash__ = None  # type: ignore[assignment]


# Set when any float value of a run is an inf, a NaN or a subnormal (fuzzing.run_program clears it first):
# the programs a backend without IEEE floats is compared on are those that never made one.
SPECIALS = [False]


class KFloat:
    """A float of a khal type: a numpy scalar of that width, each operation rounded once."""

    __slots__ = ("v",)

    def __init__(self, v: Any):
        self.v = v
        if not SPECIALS[0]:
            with np.errstate(invalid="ignore"):
                a = abs(float(v))
            if not a < np.inf or (a != 0 and a < np.finfo(v.dtype).tiny):
                SPECIALS[0] = True

    def _o(self, o: Any) -> Any:
        if isinstance(o, KFloat):
            assert o.v.dtype == self.v.dtype
            return o.v
        assert type(o) in (int, float), o  # a bare literal takes this operand's type
        return self.v.dtype.type(o)

    def _op(self, f: Any, *args: Any) -> KFloat:
        with np.errstate(all="ignore"):
            return KFloat(self.v.dtype.type(f(*args)))

    def __add__(self, o: Any) -> KFloat:
        return self._op(np.add, self.v, self._o(o))

    __radd__ = __add__

    def __sub__(self, o: Any) -> KFloat:
        return self._op(np.subtract, self.v, self._o(o))

    def __rsub__(self, o: Any) -> KFloat:
        return self._op(np.subtract, self._o(o), self.v)

    def __mul__(self, o: Any) -> KFloat:
        return self._op(np.multiply, self.v, self._o(o))

    __rmul__ = __mul__

    def __neg__(self) -> KFloat:
        return KFloat(-self.v)

    def __abs__(self) -> KFloat:
        return KFloat(np.abs(self.v))

    def __lt__(self, o: Any) -> bool:
        return bool(self.v < self._o(o))

    def __le__(self, o: Any) -> bool:
        return bool(self.v <= self._o(o))

    def __gt__(self, o: Any) -> bool:
        return bool(self.v > self._o(o))

    def __ge__(self, o: Any) -> bool:
        return bool(self.v >= self._o(o))

    def __eq__(self, o: Any) -> bool:  # type: ignore[override]
        return bool(self.v == self._o(o))

    def __ne__(self, o: Any) -> bool:  # type: ignore[override]
        return bool(self.v != self._o(o))

    def __bool__(self) -> bool:
        return bool(self.v != 0)  # NaN is true

    __hash__ = None  # type: ignore[assignment]


def convert(x: Any, t: str) -> Any:
    """`t(x)` under khal's rules."""
    dt = DTYPES[t]
    if t == "bool_":
        return bool(x)
    if isinstance(x, bool):
        x = int(x)
    if t in INT_TYPES:
        if isinstance(x, KFloat) or type(x) is float:
            v = float(x.v if isinstance(x, KFloat) else x)
            if v != v:
                return KInt(0, dt)
            info = np.iinfo(dt)
            v = max(min(v, float(info.max)), float(info.min))  # saturate
            return KInt(max(min(int(v), int(info.max)), int(info.min)), dt)
        return KInt(int(x.v if isinstance(x, KInt) else x), dt)
    with np.errstate(all="ignore"):
        if isinstance(x, KInt):
            return KFloat(np.array([x.v], x.t).astype(dt)[0])
        if isinstance(x, KFloat):
            return KFloat(np.array([x.v]).astype(dt)[0])
        return KFloat(np.array([x]).astype(dt)[0])


def typed(value: Any, dt: np.dtype[Any]) -> Any:
    """A stored element as a kernel value."""
    if dt.kind == "b":
        return bool(value)
    if dt.kind == "f":
        return KFloat(dt.type(value))
    return KInt(int(value), dt)


class KArray:
    """An `Array[T]` parameter or workgroup array over a numpy array."""

    def __init__(self, data: np.ndarray):
        self.data = data

    def __getitem__(self, i: Any) -> Any:
        return typed(self.data[int(i)], self.data.dtype)

    def __setitem__(self, i: Any, v: Any) -> None:
        dt = self.data.dtype
        if dt.kind == "b":
            assert isinstance(v, bool), v
            self.data[int(i)] = v
        elif dt.kind == "f":
            self.data[int(i)] = v.v if isinstance(v, KFloat) else dt.type(v)
        else:
            self.data[int(i)] = v.v if isinstance(v, KInt) else v


class _Ids:
    __slots__ = ("x", "y", "z")

    def __init__(self, x: int, u32: np.dtype[Any]):
        self.x, self.y, self.z = KInt(x, u32), KInt(0, u32), KInt(0, u32)


class _Ks:
    """`khal.std` for one run: ids from the calling thread, memory and barriers per workgroup."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.lock = threading.Lock()
        self.u32 = DTYPES["u32"]

    def global_invocation_id(self) -> _Ids:
        return _Ids(self.local.gid, self.u32)

    def local_invocation_id(self) -> _Ids:
        return _Ids(self.local.lid, self.u32)

    def workgroup_array(self, t: Any, n: int) -> KArray:
        group = self.local.group
        k = self.local.arrays_made
        self.local.arrays_made += 1
        with self.lock:
            while len(group["arrays"]) <= k:
                group["arrays"].append(KArray(np.zeros(n, DTYPES[t.name])))
        return group["arrays"][k]

    def workgroup_barrier(self) -> None:
        self.local.group["barrier"].wait(timeout=60)

    def _atomic(self, arr: KArray, i: Any, v: Any, f: Any) -> Any:
        with self.lock:
            old = arr[i]
            arr[i] = f(old, v)
            return old

    def atomic_add(self, a: KArray, i: Any, v: Any) -> Any:
        return self._atomic(a, i, v, lambda o, v: o + v)

    def atomic_sub(self, a: KArray, i: Any, v: Any) -> Any:
        return self._atomic(a, i, v, lambda o, v: o - v)

    def atomic_min(self, a: KArray, i: Any, v: Any) -> Any:
        return self._atomic(a, i, v, lambda o, v: v if v < o else o)

    def atomic_max(self, a: KArray, i: Any, v: Any) -> Any:
        return self._atomic(a, i, v, lambda o, v: v if v > o else o)

    def atomic_and(self, a: KArray, i: Any, v: Any) -> Any:
        return self._atomic(a, i, v, lambda o, v: o & v)

    def atomic_or(self, a: KArray, i: Any, v: Any) -> Any:
        return self._atomic(a, i, v, lambda o, v: o | v)

    def atomic_xor(self, a: KArray, i: Any, v: Any) -> Any:
        return self._atomic(a, i, v, lambda o, v: o ^ v)

    @staticmethod
    def _unary(f: Any, x: KFloat) -> KFloat:
        with np.errstate(all="ignore"):
            return KFloat(x.v.dtype.type(f(x.v)))

    def floor(self, x: KFloat) -> KFloat:
        return self._unary(np.floor, x)

    def ceil(self, x: KFloat) -> KFloat:
        return self._unary(np.ceil, x)

    def trunc(self, x: KFloat) -> KFloat:
        return self._unary(np.trunc, x)

    def abs(self, x: Any) -> Any:
        return abs(x)


def _minmax(is_min: bool) -> Any:
    def f(a: Any, b: Any) -> Any:
        if isinstance(a, KFloat):
            if np.isnan(a.v) or np.isnan(b.v):
                return KFloat(a.v.dtype.type(np.nan))
            if a.v == 0 and b.v == 0:  # -0.0 and 0.0: IEEE 754-2019 minimum/maximum order them
                sa, sb = bool(np.signbit(a.v)), bool(np.signbit(b.v))
                negative = (sa or sb) if is_min else (sa and sb)
                return KFloat(a.v.dtype.type(-0.0 if negative else 0.0))
        take_b = (b < a) if is_min else (b > a)
        return b if take_b else a

    return f


def _range(*args: Any) -> Any:
    t = next((a.t for a in args if isinstance(a, KInt)), DTYPES["i32"])
    return (KInt(i, t) for i in builtins.range(*(int(a) for a in args)))


class _Type:
    """A khal type's name in the emulated source: calling it converts."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, x: Any) -> Any:
        return convert(x, self.name)


class _Khal:
    """`khal` for the emulated source: the decorators give back the plain function."""

    @staticmethod
    def kernel(*args: Any, **kwargs: Any) -> Any:
        return args[0] if args and callable(args[0]) else (lambda f: f)

    @staticmethod
    def func(f: Any) -> Any:
        return f


def run(source: str, workgroup_size: int, groups: int, args: list[np.ndarray]) -> list[np.ndarray]:
    """Run the program's `fuzz` kernel on copies of `args`, one thread per invocation; the copies."""
    ks = _Ks()
    names: dict[str, Any] = {t: _Type(t) for t in [*INT_TYPES, *FLOAT_TYPES, "bool_"]}
    names |= {"khal": _Khal, "ks": ks, "Array": None, "min": _minmax(True), "max": _minmax(False)}
    names |= {"range": _range, "len": lambda a: KInt(len(a.data), DTYPES["u32"])}
    exec(compile(source, "<fuzz program>", "exec"), names)  # noqa: S102 - our own generated program
    copies = [a.copy() for a in args]
    arrays = [KArray(c) for c in copies]
    errors: list[BaseException] = []
    for g in builtins.range(groups):
        group: dict[str, Any] = {"arrays": [], "barrier": threading.Barrier(workgroup_size)}

        def invocation(lid: int, group: dict[str, Any] = group, g: int = g) -> None:
            ks.local.gid, ks.local.lid = g * workgroup_size + lid, lid
            ks.local.group, ks.local.arrays_made = group, 0
            try:
                names["fuzz"](*arrays)
            except BaseException as e:  # noqa: BLE001 - reported after the workgroup
                errors.append(e)
                group["barrier"].abort()

        threads = [threading.Thread(target=invocation, args=(lid,)) for lid in builtins.range(workgroup_size)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
    return copies
