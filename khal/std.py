"""`khal.std` (imported as `ks`): the GPU standard library, usable only inside kernels.

Every function here is a stub: the frontend recognises it by identity and compiles the call.
Calling one from ordinary Python raises a RuntimeError that says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_DOCS: dict[str, str] = {
    # ids
    "global_invocation_id": (
        "The invocation's global id: `workgroup_id * workgroup_size + local_invocation_id` (UVec3)."
    ),
    "local_invocation_id": "The invocation's id inside its workgroup (UVec3).",
    "workgroup_id": "The workgroup's id in the grid (UVec3).",
    "num_workgroups": "The number of workgroups of the dispatch (UVec3).",
    "local_invocation_index": "The linearised local id (u32).",
    "subgroup_size": "The number of invocations in a subgroup (u32; 1 on the CPU).",
    "subgroup_invocation_id": "The invocation's lane inside its subgroup (u32).",
    # memory
    "workgroup_array": "`workgroup_array(dtype, n)`: workgroup (shared) memory of n elements, not zeroed.",
    "workgroup_barrier": "Waits for every invocation of the workgroup; orders workgroup-memory accesses.",
    "storage_barrier": "Waits for every invocation of the workgroup; orders array accesses.",
    # atomics
    "atomic_add": (
        "`atomic_add(arr, i, v)`: atomically adds v to arr[i]; returns the old value (u32, i32, f32)."
    ),
    "atomic_sub": "`atomic_sub(arr, i, v)`: atomically subtracts v from arr[i]; returns the old value.",
    "atomic_min": "`atomic_min(arr, i, v)`: atomically stores min(arr[i], v); returns the old value.",
    "atomic_max": "`atomic_max(arr, i, v)`: atomically stores max(arr[i], v); returns the old value.",
    "atomic_and": "`atomic_and(arr, i, v)`: atomically stores arr[i] & v; returns the old value.",
    "atomic_or": "`atomic_or(arr, i, v)`: atomically stores arr[i] | v; returns the old value.",
    "atomic_xor": "`atomic_xor(arr, i, v)`: atomically stores arr[i] ^ v; returns the old value.",
    "atomic_exchange": "`atomic_exchange(arr, i, v)`: atomically stores v; returns the old value.",
    "atomic_compare_exchange": (
        "`atomic_compare_exchange(arr, i, expected, new)`: stores new if arr[i] == expected; "
        "returns the old value."
    ),
    "atomic_load": "`atomic_load(arr, i)`: atomically reads arr[i].",
    "atomic_store": "`atomic_store(arr, i, v)`: atomically writes v to arr[i].",
    # subgroups
    "subgroup_add": "The sum of `x` over the subgroup's active invocations.",
    "subgroup_min": "The minimum of `x` over the subgroup's active invocations.",
    "subgroup_max": "The maximum of `x` over the subgroup's active invocations.",
    "subgroup_broadcast_first": "The value of `x` in the subgroup's first active invocation.",
    # math, elementwise on scalars and vectors
    "sqrt": "Square root.",
    "rsqrt": "Reciprocal square root, `1 / sqrt(x)`.",
    "exp": "e raised to `x`.",
    "exp2": "2 raised to `x`.",
    "log": "Natural logarithm.",
    "log2": "Base-2 logarithm.",
    "sin": "Sine (radians).",
    "cos": "Cosine (radians).",
    "tan": "Tangent (radians).",
    "tanh": "Hyperbolic tangent.",
    "asin": "Arc sine.",
    "acos": "Arc cosine.",
    "atan": "Arc tangent.",
    "atan2": "`atan2(y, x)`: the angle of the point (x, y).",
    "pow": "`pow(x, y)`: x raised to y (floats).",
    "abs": "Absolute value (floats and signed integers).",
    "sign": "-1, 0 or 1 with the sign of `x` (NaN stays NaN).",
    "min": "`min(a, b)`: the smaller value (NaN-propagating for floats, like numpy.minimum).",
    "max": "`max(a, b)`: the larger value (NaN-propagating for floats, like numpy.maximum).",
    "clamp": "`clamp(x, lo, hi)`: `min(max(x, lo), hi)`.",
    "floor": "Round down.",
    "ceil": "Round up.",
    "round": "Round to nearest, ties to even (like numpy.round and WGSL).",
    "trunc": "Round toward zero.",
    "fract": "`x - floor(x)`.",
    "fma": "`fma(a, b, c)`: `a * b + c`, fused.",
    "mix": "`mix(a, b, t)`: `a + (b - a) * t`.",
    "step": "`step(edge, x)`: 0 where `x < edge`, else 1.",
    "select": "`select(cond, a, b)`: `a` where cond holds, else `b` (both sides are evaluated).",
    "dot": "`dot(a, b)`: the dot product of two vectors.",
    "cross": "`cross(a, b)`: the cross product of two 3-vectors.",
    "length": "The Euclidean length of a vector.",
    "distance": "`distance(a, b)`: `length(a - b)`.",
    "normalize": "`v / length(v)`.",
    "isnan": "True where `x` is NaN.",
    "isinf": "True where `x` is +-infinity.",
}


def _stub(name: str, doc: str) -> Callable[..., Any]:
    def stub(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            f"khal.std.{name}() can only be used inside a @khal.kernel or @khal.func; "
            "kernels are compiled, never run as Python"
        )

    stub.__name__ = stub.__qualname__ = name
    stub.__doc__ = doc
    stub.__module__ = __name__
    stub.__khal_std__ = name  # type: ignore[attr-defined]  # how the frontend recognises it
    return stub


# Explicit assignments (rather than a loop over globals()) so that linters and IDEs see the names.
global_invocation_id = _stub("global_invocation_id", _DOCS["global_invocation_id"])
local_invocation_id = _stub("local_invocation_id", _DOCS["local_invocation_id"])
workgroup_id = _stub("workgroup_id", _DOCS["workgroup_id"])
num_workgroups = _stub("num_workgroups", _DOCS["num_workgroups"])
local_invocation_index = _stub("local_invocation_index", _DOCS["local_invocation_index"])
subgroup_size = _stub("subgroup_size", _DOCS["subgroup_size"])
subgroup_invocation_id = _stub("subgroup_invocation_id", _DOCS["subgroup_invocation_id"])
workgroup_array = _stub("workgroup_array", _DOCS["workgroup_array"])
workgroup_barrier = _stub("workgroup_barrier", _DOCS["workgroup_barrier"])
storage_barrier = _stub("storage_barrier", _DOCS["storage_barrier"])
atomic_add = _stub("atomic_add", _DOCS["atomic_add"])
atomic_sub = _stub("atomic_sub", _DOCS["atomic_sub"])
atomic_min = _stub("atomic_min", _DOCS["atomic_min"])
atomic_max = _stub("atomic_max", _DOCS["atomic_max"])
atomic_and = _stub("atomic_and", _DOCS["atomic_and"])
atomic_or = _stub("atomic_or", _DOCS["atomic_or"])
atomic_xor = _stub("atomic_xor", _DOCS["atomic_xor"])
atomic_exchange = _stub("atomic_exchange", _DOCS["atomic_exchange"])
atomic_compare_exchange = _stub("atomic_compare_exchange", _DOCS["atomic_compare_exchange"])
atomic_load = _stub("atomic_load", _DOCS["atomic_load"])
atomic_store = _stub("atomic_store", _DOCS["atomic_store"])
subgroup_add = _stub("subgroup_add", _DOCS["subgroup_add"])
subgroup_min = _stub("subgroup_min", _DOCS["subgroup_min"])
subgroup_max = _stub("subgroup_max", _DOCS["subgroup_max"])
subgroup_broadcast_first = _stub("subgroup_broadcast_first", _DOCS["subgroup_broadcast_first"])
sqrt = _stub("sqrt", _DOCS["sqrt"])
rsqrt = _stub("rsqrt", _DOCS["rsqrt"])
exp = _stub("exp", _DOCS["exp"])
exp2 = _stub("exp2", _DOCS["exp2"])
log = _stub("log", _DOCS["log"])
log2 = _stub("log2", _DOCS["log2"])
sin = _stub("sin", _DOCS["sin"])
cos = _stub("cos", _DOCS["cos"])
tan = _stub("tan", _DOCS["tan"])
tanh = _stub("tanh", _DOCS["tanh"])
asin = _stub("asin", _DOCS["asin"])
acos = _stub("acos", _DOCS["acos"])
atan = _stub("atan", _DOCS["atan"])
atan2 = _stub("atan2", _DOCS["atan2"])
pow = _stub("pow", _DOCS["pow"])  # noqa: A001 - the GPU library's name
abs = _stub("abs", _DOCS["abs"])  # noqa: A001
sign = _stub("sign", _DOCS["sign"])
min = _stub("min", _DOCS["min"])  # noqa: A001
max = _stub("max", _DOCS["max"])  # noqa: A001
clamp = _stub("clamp", _DOCS["clamp"])
floor = _stub("floor", _DOCS["floor"])
ceil = _stub("ceil", _DOCS["ceil"])
round = _stub("round", _DOCS["round"])  # noqa: A001
trunc = _stub("trunc", _DOCS["trunc"])
fract = _stub("fract", _DOCS["fract"])
fma = _stub("fma", _DOCS["fma"])
mix = _stub("mix", _DOCS["mix"])
step = _stub("step", _DOCS["step"])
select = _stub("select", _DOCS["select"])
dot = _stub("dot", _DOCS["dot"])
cross = _stub("cross", _DOCS["cross"])
length = _stub("length", _DOCS["length"])
distance = _stub("distance", _DOCS["distance"])
normalize = _stub("normalize", _DOCS["normalize"])
isnan = _stub("isnan", _DOCS["isnan"])
isinf = _stub("isinf", _DOCS["isinf"])

__all__ = list(_DOCS)
