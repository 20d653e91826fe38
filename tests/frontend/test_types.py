"""The type rules of the kernel language, checked through what compiles and the IR it gives.

A store into an `Array[T]` accepts exactly T (or a literal), so storing an expression into arrays of
different element types pins down the expression's type.
"""

# No `from __future__ import annotations`: the parametrized kernels annotate with local variables.

import pytest

import khal
import khal.std as ks
from khal import Array, Vec3, bool_, f32, f64, i8, i32, i64, u8, u32
from khal.frontend.types import KhalType

BIG = 7
RATE = 0.25


def ok(kernel: khal.Kernel) -> str:
    """Compile and return the IR text."""
    return kernel.ir()


def fails(kernel: khal.Kernel, *parts: str) -> None:
    with pytest.raises(khal.CompileError) as info:
        kernel.module()
    for part in parts:
        assert part in info.value.message, info.value.message


# ---------------------------------------------------------------- literals


def test_int_literal_takes_the_other_operand_type() -> None:
    @khal.kernel
    def k(a: Array[u8], x: u8):
        a[0] = x + 1

    assert "arith.addi" in ok(k)


def test_int_literal_with_float_operand_becomes_float() -> None:
    @khal.kernel
    def k(a: Array[f64], x: f64):
        a[0] = 2 * x

    ir = ok(k)
    assert "arith.constant 2.000000e+00 : f64" in ir
    assert "arith.mulf" in ir


def test_float_literal_local_is_f32() -> None:
    @khal.kernel
    def k(a: Array[f64]):
        y = 1.5
        a[0] = y

    fails(k, "expected f64", "got f32")


def test_int_literal_local_is_i32() -> None:
    @khal.kernel
    def k(a: Array[u32]):
        y = 1
        a[0] = y

    fails(k, "expected u32", "got i32")


def test_literal_stored_takes_element_type() -> None:
    @khal.kernel
    def k(a: Array[u8], b: Array[f32]):
        a[0] = 255
        b[0] = 3

    ir = ok(k)
    assert "arith.constant -1 : i8" in ir  # 255 as a signless byte
    assert "arith.constant 3.000000e+00 : f32" in ir


def test_global_constants_take_the_other_operand_type() -> None:
    @khal.kernel
    def k(a: Array[u32], b: Array[f64]):
        a[0] = a[1] * BIG
        b[0] = b[1] * RATE

    ir = ok(k)
    assert "arith.constant 7 : i32" in ir
    assert "arith.constant 2.500000e-01 : f64" in ir


def test_constant_expressions_fold() -> None:
    @khal.kernel
    def k(a: Array[i32]):
        a[0] = BIG * 2 + 1 - (BIG // 2)

    assert "arith.constant 12 : i32" in ok(k)


def test_float_literal_with_int_operand_fails() -> None:
    @khal.kernel
    def k(a: Array[i32], x: i32):
        a[0] = x * 0.5

    fails(k, "float literal 0.5 cannot be used as i32")


# ---------------------------------------------------------------- mixing


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [(f32, i32), (i32, u32), (u32, i32), (f32, f64), (i8, i32), (u8, u32)],
)
def test_mixing_types_is_an_error_that_names_the_cast(lhs: KhalType, rhs: KhalType) -> None:
    @khal.kernel
    def k(a: Array[f32], x: lhs, y: rhs):  # type: ignore[valid-type]
        z = x + y  # noqa: F841

    with pytest.raises(khal.CompileError) as info:
        k.module()
    msg = info.value.message
    assert f"type mismatch: {lhs.name} + {rhs.name}" in msg
    cast = f"{rhs.name}(x)" if rhs.is_float and not lhs.is_float else f"{lhs.name}(y)"
    assert cast in msg


def test_vector_with_scalar_of_its_element_type() -> None:
    @khal.kernel
    def k(a: Array[Vec3], s: f32):
        a[0] = a[1] * s + 1.0

    assert "vector.broadcast" in ok(k)


def test_vector_with_other_scalar_type_fails() -> None:
    @khal.kernel
    def k(a: Array[Vec3], s: i32):
        a[0] = a[1] * s

    fails(k, "type mismatch: Vec3 * i32")


# ---------------------------------------------------------------- builtins' types


def test_len_is_u32() -> None:
    @khal.kernel
    def good(a: Array[f32], n: Array[u32]):
        n[0] = len(a)

    @khal.kernel
    def bad(a: Array[f32], n: Array[i32]):
        n[0] = len(a)

    assert "khal.len" in ok(good)
    fails(bad, "expected i32", "got u32")


def test_ids_are_u32() -> None:
    @khal.kernel
    def k(n: Array[u32]):
        n[0] = ks.global_invocation_id().x + ks.local_invocation_index() + ks.subgroup_size()

    ok(k)


def test_comparisons_are_bool() -> None:
    @khal.kernel
    def k(a: Array[f32], flags: Array[bool_]):
        flags[0] = a[0] < a[1]

    ir = ok(k)
    assert "arith.extui" in ir  # bools are stored as bytes
    assert "!khal.array<i8, read_write>" in ir


def test_indexing_accepts_any_integer_type() -> None:
    @khal.kernel
    def k(a: Array[f32], i: u8, j: i64, m: u32, n: i32):
        a[i] = a[j] + a[m] + a[n]

    ir = ok(k)
    assert "arith.extui" in ir  # u8 index widened to i32 without sign extension


def test_float_index_fails() -> None:
    @khal.kernel
    def k(a: Array[f32], x: f32):
        a[x] = 1.0

    fails(k, "an index must be an integer, not f32")


# ---------------------------------------------------------------- range


def test_range_of_constants_is_i32() -> None:
    @khal.kernel
    def good(a: Array[i32]):
        for i in range(4):
            a[i] = i

    @khal.kernel
    def bad(a: Array[u32]):
        for i in range(4):
            a[i] = i

    assert "scf.for" in ok(good)
    fails(bad, "expected u32", "got i32")


def test_range_takes_the_type_of_its_arguments() -> None:
    @khal.kernel
    def k(a: Array[u32], n: u32):
        for i in range(1, n):
            a[i] = i

    ir = ok(k)
    assert "arith.cmpi ult" in ir  # unsigned ranges count with scf.while and an unsigned compare


def test_range_i64() -> None:
    @khal.kernel
    def k(a: Array[i64], n: i64):
        for i in range(0, n, 2):
            a[i] = i

    assert "scf.for" in ok(k)


def test_range_mixing_types_fails() -> None:
    @khal.kernel
    def k(a: Array[u32], n: u32, m: i32):
        for _i in range(m, n):
            a[0] = 1

    fails(k, "range() arguments mix i32 and u32")


def test_range_zero_step_fails() -> None:
    @khal.kernel
    def k(a: Array[i32]):
        for i in range(0, 4, 0):
            a[i] = i

    fails(k, "step must not be zero")


# ---------------------------------------------------------------- casts


@pytest.mark.parametrize(
    ("src", "dst", "op"),
    [
        (i32, f32, "arith.sitofp"),
        (u32, f32, "arith.uitofp"),
        (f32, i32, "arith.fptosi"),
        (f32, u32, "arith.fptoui"),
        (f32, f64, "arith.extf"),
        (f64, f32, "arith.truncf"),
        (i8, i32, "arith.extsi"),
        (u8, i32, "arith.extui"),
        (i64, i32, "arith.trunci"),
        (i32, bool_, "arith.cmpi ne"),
        (f32, bool_, "arith.cmpf une"),
        (bool_, f32, "arith.uitofp"),
    ],
)
def test_casts(src: KhalType, dst: KhalType, op: str) -> None:
    @khal.kernel
    def k(out: Array[u32], x: src):  # type: ignore[valid-type]
        y = dst(x)  # noqa: F841

    assert op in ok(k)


def test_same_width_int_cast_is_free() -> None:
    @khal.kernel
    def k(out: Array[i32], x: u32):
        out[0] = i32(x)

    ir = ok(k)
    assert "khal.store %x, %out" in ir


def test_cast_of_constant_folds() -> None:
    @khal.kernel
    def k(out: Array[u32], f: Array[f32]):
        out[0] = u32(3.9)
        f[0] = f32(BIG)

    ir = ok(k)
    assert "arith.constant 3 : i32" in ir
    assert "arith.constant 7.000000e+00 : f32" in ir


def test_python_int_float_casts() -> None:
    @khal.kernel
    def k(out: Array[i32], f: Array[f32], x: f32, n: i32):
        out[0] = int(x)
        f[0] = float(n)

    ir = ok(k)
    assert "arith.fptosi" in ir and "arith.sitofp" in ir


def test_vector_cast_is_elementwise() -> None:
    @khal.kernel
    def k(out: Array[Vec3]):
        out[0] = Vec3(ks.global_invocation_id())

    ir = ok(k)
    assert ir.count("arith.uitofp") == 3  # one per component: arith casts are scalar in xDSL
    assert ir.count("vector.insert") >= 2


# ---------------------------------------------------------------- integer division


def test_floor_division_signed_and_unsigned() -> None:
    @khal.kernel
    def k(a: Array[i32], b: Array[u32]):
        a[0] = a[1] // a[2] + a[3] % a[4]
        b[0] = b[1] // b[2] + b[3] % b[4]

    ir = ok(k)
    assert "arith.divsi" in ir and "arith.remsi" in ir and "arith.select" in ir
    assert "arith.divui" in ir and "arith.remui" in ir


def test_true_division_of_floats() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        a[0] = a[1] / a[2]

    assert "arith.divf" in ok(k)


def test_local_keeps_its_first_type_through_literals() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        acc = 0.0
        acc = 1  # a literal takes the local's type
        a[0] = acc

    assert "arith.constant 1.000000e+00 : f32" in ok(k)


TAPS = (0.25, 0.5, 0.25)


def test_loop_over_constant_tuple_is_unrolled() -> None:
    @khal.kernel
    def k(a: Array[f32], out: Array[f32]):
        acc = 0.0
        j = 0
        for w in TAPS:
            acc += a[j] * w
            j += 1
        out[0] = acc

    ir = ok(k)
    assert ir.count("khal.load %a") == 3
    assert "scf." not in ir
    assert "arith.constant 2.500000e-01 : f32" in ir
