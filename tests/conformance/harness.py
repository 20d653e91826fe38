"""The conformance harness: load generated kernels, run a case on one backend, compare.

A case runs on one backend at a time (the `backend_name` fixture, one per `khal.available_backends()`).
`results` runs it there and, off the reference backend, on the `cpu` backend with the same inputs; the
tests compare every run with the numpy reference, so backends agree with each other within the same
bounds. Integers and bools compare bit for bit; floats within a stated number of units in the last
place (`ulp`), NaN equal to NaN, and `-0.0` distinct from `0.0` when `ulp == 0` (unless the row says
the zero's sign is free).

A case a target cannot express (a type its device lacks: f64 on a WebGPU adapter without
shader-f64) is a `khal.CompileError` when the kernel is planned for that backend although the
frontend accepted it: that backend's test is skipped with the error as the reason, never passed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import khal
from khal.runtime.backend import Backend
from khal.runtime.select import available_backends, make_backend

BACKENDS: list[str] = list(available_backends())
REFERENCE = "cpu"  # the backend every other one is compared with (always available)

_BACKENDS: dict[str, Backend] = {}
GENERATED = Path(tempfile.gettempdir()) / "khal-conformance"

HEADER = (
    "from __future__ import annotations\n\n"
    "import khal\nimport khal.std as ks\n"
    "from khal import (Array, Vec2, Vec3, Vec4, IVec2, IVec3, IVec4, UVec2, UVec3, UVec4, Mat2, Mat3, Mat4,\n"
    "                  bool_, f16, f32, f64, i8, i16, i32, i64, u8, u16, u32, u64)\n\n"
)


def get_backend(name: str) -> Backend:
    """One backend object per name for the whole session (plans and pools are reused)."""
    if name not in _BACKENDS:
        _BACKENDS[name] = make_backend(name)
    return _BACKENDS[name]


def load_source(source: str, stem: str = "generated") -> ModuleType:
    """Import kernel `source` (written after HEADER) from a file: kernels need one for their locations.

    The file name holds a hash of the text, so the same source is the same module (and cache entry)."""
    text = HEADER + source
    name = f"khal_conf_{stem}_{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    if name in sys.modules:
        return sys.modules[name]
    GENERATED.mkdir(parents=True, exist_ok=True)
    path = GENERATED / f"{name}.py"
    if not path.exists() or path.read_text() != text:
        path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def launch(backend_name: str, kernel: Any, grid: Any, args: Sequence[Any]) -> list[Any]:
    """Run `kernel` once on a copy of `args`; the copies (the written arrays updated) are returned.

    A `CompileError` for a kernel the frontend accepts means the target cannot express it: skip."""
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    try:
        khal.launch(kernel, grid, *copies, backend=get_backend(backend_name))
    except khal.CompileError as e:
        kernel.ir()  # a frontend error is a real failure: let it raise
        pytest.skip(f"{backend_name} cannot express {kernel.__name__}: {e}")
    return copies


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| in units in the last place of their float type (uint64); 0 when both are NaN, the
    largest distance when one is. -0.0 and 0.0 are 0 apart."""
    assert a.dtype == b.dtype and a.dtype.kind == "f", (a.dtype, b.dtype)
    bits = {2: np.int16, 4: np.int32, 8: np.int64}[a.dtype.itemsize]
    magnitude = (1 << (8 * a.dtype.itemsize - 1)) - 1

    def ordered(x: np.ndarray) -> np.ndarray:
        i = np.ascontiguousarray(x).view(bits).astype(np.int64)
        return np.where(i < 0, -(i & magnitude), i).view(np.uint64)

    with np.errstate(over="ignore"):
        d = ordered(a) - ordered(b)  # modulo 2**64: the distance either way round
        d = np.minimum(d, -d)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    return np.where(nan_a & nan_b, np.uint64(0), np.where(nan_a ^ nan_b, np.uint64(2**63), d))


def ieee_floats(backend_name: str) -> bool:
    """Whether the backend keeps IEEE special values and rounding (`Backend.ieee_floats`)."""
    return bool(getattr(get_backend(backend_name), "ieee_floats", True))


# Without IEEE floats (see `compare`): the bound of every other float row, in ulp (WGSL allows 2.5 ulp
# for `/`; NVIDIA's `/` and `sqrt` were 1 ulp off on the H200), and the rows with no stated bound at all,
# by their expression: khal's exact fma emulation, and pow and float `//`/`%` built on it and on `/`.
RELAXED_ULP = 2
RELAXED_UNBOUNDED = ("fma(", "pow(", "//", "%")


def _special(x: np.ndarray) -> np.ndarray:
    """Per row: an inf, a NaN or a subnormal anywhere in it, or (f32/f64) a magnitude past 2**64 or
    under 2**-64, where a flushing driver's intermediates under- or overflow (False for non-floats)."""
    if x.dtype.kind != "f":
        return np.zeros(len(x), bool)
    rows = np.abs(x.reshape(len(x), -1))
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(rows) | ((rows != 0) & (rows < np.finfo(x.dtype).tiny))
        if x.dtype.itemsize >= 4:
            bad |= (rows > 2.0**64) | ((rows != 0) & (rows < 2.0**-64))
    return bad.any(axis=1)


# The backend whose test is running (set by conftest's `backend_name` fixture): a `Failures` of a test on
# a backend without IEEE floats compares in the relaxed way (see `compare`).
CURRENT = [REFERENCE]


def compare(
    got: np.ndarray,
    want: np.ndarray,
    *,
    ulp: float = 0,
    what: str = "",
    operands: Sequence[np.ndarray] = (),
    zero_sign: bool = True,
    relaxed: bool = False,
) -> None:
    """Assert `got == want`: bit for bit for integers and bools, within `ulp` for floats (with
    `ulp == 0`, -0.0 != 0.0 unless `zero_sign` is False); a failure shows the first differing rows and
    the `operands` (input arrays of the same length) there.

    `relaxed` (a backend without `ieee_floats`: WebGPU on most GPU drivers) leaves out the rows whose
    float operands or expected value hold an inf, a NaN, a subnormal or an extreme magnitude, where such
    a driver's result is indeterminate, holds the other float rows to at least `RELAXED_ULP`, and
    checks no float row of `RELAXED_UNBOUNDED` (docs/semantics.md states all three)."""
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != {want.dtype}"
    if got.dtype.names:  # a struct: field by field, each by its own type's rule
        for name in got.dtype.names:
            compare(
                got[name],
                want[name],
                ulp=ulp,
                what=f"{what}.{name}",
                operands=operands,
                zero_sign=zero_sign,
                relaxed=relaxed,
            )
        return
    if relaxed and got.dtype.kind == "f":
        if any(mark in what for mark in RELAXED_UNBOUNDED):
            return
        ulp = max(ulp, RELAXED_ULP)
    if got.dtype.kind == "f":
        d = ulp_distance(got, want)
        sign_differs = (np.signbit(got) != np.signbit(want)) & ~np.isnan(got)
        wrong = d > ulp if ulp or not zero_sign else (d > 0) | sign_differs
    else:
        wrong = got != want
    if relaxed:
        wrong = wrong.reshape(len(got), -1).any(axis=1)
        for x in (want, *operands):
            if len(x) == len(got):
                wrong &= ~_special(x)
    bad = np.nonzero(wrong.reshape(len(got), -1).any(axis=1))[0]
    if bad.size:
        first = bad[:6]
        raise AssertionError(
            f"{what}: {bad.size} of {len(got)} differ (bound {ulp} ulp) at {first.tolist()}: "
            f"got {got[first].tolist()} want {want[first].tolist()}"
            + "".join(f"; operand {k}: {o[first].tolist()}" for k, o in enumerate(operands))
        )


def results(backend_name: str, kernel: Any, grid: Any, args: Sequence[Any]) -> dict[str, list[Any]]:
    """The case's outputs on `backend_name` and, off the reference backend, on the reference backend
    (the same inputs): {label: arguments after the run}. Compare each with numpy and so with each other."""
    runs = {backend_name: launch(backend_name, kernel, grid, args)}
    if backend_name != REFERENCE:
        runs[f"{REFERENCE} (reference for {backend_name})"] = launch(REFERENCE, kernel, grid, args)
    return runs


class Failures:
    """Collects the comparisons that fail across a table's rows, so one run reports every bad row."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.relaxed = not ieee_floats(CURRENT[0])

    def compare(self, *args: Any, **kwargs: Any) -> None:
        """`compare(...)`, recording its failure instead of raising; relaxed on a backend without
        IEEE floats (the reference's rows of that test too: they are checked strictly in its own)."""
        kwargs.setdefault("relaxed", self.relaxed)
        try:
            compare(*args, **kwargs)
        except AssertionError as e:
            self.messages.append(str(e))

    def check(self) -> None:
        """Fail with every recorded message."""
        assert not self.messages, f"{len(self.messages)} rows differ:\n" + "\n".join(self.messages)
