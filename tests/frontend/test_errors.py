"""Every diagnostic of the frontend: located at file:line:col, with the line, a caret and a clear message."""

from __future__ import annotations

import numpy as np
from frontend_helpers import assert_error_at

import khal
import khal.std as ks
from khal import Array, Vec3, f32, i32, u32

NOT_CONSTANT = [1, 2, 3]  # a list is not a compile-time constant
TABLE = np.zeros(4)


@khal.struct
class P:
    x: f32


@khal.func
def half(x: f32) -> f32:
    return x * 0.5


@khal.func
def ping(n: i32) -> i32:
    return pong(n)


@khal.func
def pong(n: i32) -> i32:
    return ping(n - 1)


def test_unknown_name() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        a[0] = undefined_thing  # noqa: F821

    assert_error_at(k, "undefined_thing", "unknown name 'undefined_thing'")


def test_lambda_unsupported() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        f = lambda x: x  # noqa: E731, F841

    assert_error_at(k, "lambda x", "lambda is not supported")


def test_comprehension_unsupported() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        xs = [a[i] for i in range(3)]  # noqa: F841

    assert_error_at(k, "[a[i] for", "list comprehension is not supported")


def test_class_unsupported() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        class Local:
            pass

    assert_error_at(k, "class Local", "class definition is not supported")


def test_try_unsupported() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        try:
            a[0] = 1.0
        except Exception:
            pass

    assert_error_at(k, "try:", "try/except is not supported")


def test_with_unsupported() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        with open("x"):
            pass

    assert_error_at(k, "with open", "with statement is not supported")


def test_yield_unsupported() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        yield a[0]

    assert_error_at(k, "yield a[0]", "yield is not supported")


def test_recursion() -> None:
    @khal.kernel
    def k(a: Array[i32]):
        a[0] = ping(3)

    # reported at the call that closes the cycle, in pong's body
    assert_error_at(k, "ping(n - 1)", "recursion is not supported", "ping -> pong -> ping")


def test_star_args_parameter() -> None:
    @khal.kernel
    def k(a: Array[f32], *rest):
        pass

    assert_error_at(k, "rest", "*args is not supported")


def test_star_args_call() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        a[0] = ks.max(*(1.0, 2.0))

    assert_error_at(k, "*(1.0", "*args unpacking is not supported")


def test_type_mismatch_names_the_cast() -> None:
    @khal.kernel
    def k(a: Array[f32], n: i32):
        a[0] = a[1] + n

    assert_error_at(k, "a[1] + n", "type mismatch: f32 + i32", "f32(n)")


def test_std_wrong_arity() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        a[0] = ks.sqrt(a[0], a[1])

    assert_error_at(k, "ks.sqrt(a[0], a[1])", "ks.sqrt() takes 1 argument, got 2")


def test_std_wrong_type() -> None:
    @khal.kernel
    def k(a: Array[f32], n: i32):
        a[0] = ks.sqrt(n)

    assert_error_at(k, "n)", "ks.sqrt() takes a float", "got i32", "f32(n)")


def test_func_wrong_arity() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        a[0] = half(a[0], a[1])

    assert_error_at(k, "half(a[0], a[1])", "half() takes 1 arguments, got 2")


def test_func_wrong_type() -> None:
    @khal.kernel
    def k(a: Array[f32], n: i32):
        a[0] = half(n)

    assert_error_at(k, "n)", "argument 1 of half() must be a f32", "i32")


def test_reassign_with_other_type() -> None:
    @khal.kernel
    def k(a: Array[f32], n: i32):
        x = 1.0
        x = n  # noqa: F841

    assert_error_at(k, "x = n", "'x' is f32 but is assigned i32")


def test_integer_true_division() -> None:
    @khal.kernel
    def k(a: Array[i32], n: i32):
        a[0] = n / 2

    assert_error_at(k, "n / 2", "'/' on integers is not allowed", "'//'")


def test_missing_annotation() -> None:
    @khal.kernel
    def k(a: Array[f32], n):
        pass

    assert_error_at(k, "n)", "parameter 'n' needs a type annotation")


def test_missing_annotation_reported_by_params() -> None:
    @khal.kernel
    def k(a: Array[f32], n):
        pass

    try:
        _ = k.params
    except khal.CompileError as e:
        assert "parameter 'n' needs a type annotation" in e.message
    else:
        raise AssertionError("params accepted a missing annotation")


def test_store_into_kernel_parameter() -> None:
    @khal.kernel
    def k(a: Array[f32], alpha: f32):
        alpha = 2.0  # noqa: F841

    assert_error_at(k, "alpha = 2.0", "cannot assign to kernel parameter 'alpha'", "read-only")


def test_augmented_store_into_kernel_parameter() -> None:
    @khal.kernel
    def k(a: Array[f32], alpha: f32):
        alpha += 1.0

    assert_error_at(k, "alpha += 1.0", "cannot assign to kernel parameter 'alpha'")


def test_store_into_array_name() -> None:
    @khal.kernel
    def k(a: Array[f32], b: Array[f32]):
        a = b  # noqa: F841

    assert_error_at(k, "a = b", "cannot assign to array 'a'")


def test_store_into_call_result() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        ks.global_invocation_id().x = 1

    assert_error_at(k, "ks.global_invocation_id()", "read-only")


def test_non_constant_global() -> None:
    @khal.kernel
    def k(a: Array[i32]):
        a[0] = NOT_CONSTANT[0]

    assert_error_at(k, "NOT_CONSTANT", "'NOT_CONSTANT' is a list, not a compile-time constant")


def test_numpy_array_global_is_not_constant() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        a[0] = TABLE[0]

    assert_error_at(k, "TABLE", "'TABLE' is a ndarray, not a compile-time constant")


def test_return_value_from_kernel() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        return a[0]

    assert_error_at(k, "a[0]", "a kernel cannot return a value")


def test_u32_i32_mixing_names_the_cast() -> None:
    @khal.kernel
    def k(a: Array[f32], n: i32):
        if ks.global_invocation_id().x < n:
            a[0] = 1.0

    assert_error_at(k, "ks.global_invocation_id().x < n", "type mismatch: u32 < i32", "u32(n)")


def test_kernel_called_from_kernel() -> None:
    @khal.kernel
    def inner(a: Array[f32]):
        pass

    @khal.kernel
    def k(a: Array[f32]):
        inner(a)

    assert_error_at(k, "inner(a)", "'inner' is a kernel")


def test_float_literal_with_int() -> None:
    @khal.kernel
    def k(a: Array[i32]):
        a[0] = a[1] + 1.5

    assert_error_at(k, "a[1] + 1.5", "float literal 1.5 cannot be used as i32")


def test_literal_out_of_range() -> None:
    @khal.kernel
    def k(a: Array[u32]):
        a[0] = a[1] + (-1)

    assert_error_at(k, "a[1] + (-1)", "-1 does not fit in u32")


def test_variable_defined_on_one_path() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        if a[0] > 0.0:
            y = 1.0
        a[1] = y

    assert_error_at(k, "y\n", "'y' is not assigned on every path")


def test_loop_over_non_range() -> None:
    @khal.kernel
    def k(values: Array[f32]):
        for _x in values:
            pass

    assert_error_at(k, "values:\n", "a kernel loops only over range(...) or a compile-time tuple")


def test_wrong_store_type() -> None:
    @khal.kernel
    def k(a: Array[f32], n: u32):
        a[0] = n

    assert_error_at(k, "a[0] = n", "expected f32 for an element of 'a', got u32", "f32(...)")


def test_unknown_struct_field() -> None:
    @khal.kernel
    def k(ps: Array[P]):
        ps[0].y = 1.0

    assert_error_at(k, "ps[0].y", "struct P has no field 'y'")


def test_atomic_on_float_min() -> None:
    @khal.kernel
    def k(a: Array[f32]):
        ks.atomic_min(a, 0, 1.0)

    assert_error_at(k, "a, 0", "ks.atomic_min() needs an array of u32 or i32")


def test_loop_local_used_after_loop() -> None:
    @khal.kernel
    def k(a: Array[f32], n: i32):
        for i in range(n):
            last = a[i]
        a[0] = last

    assert_error_at(k, "last\n", "'last' is not assigned on every path", "assign it before")


def test_array_reassigned_in_branch() -> None:
    @khal.kernel
    def k(a: Array[f32], b: Array[f32]):
        c = a
        if a[0] > 0.0:
            c = b
        c[0] = 1.0

    assert_error_at(k, "if a[0] > 0.0:", "'c' holds an array, which cannot be reassigned inside control flow")


def test_vector_comparison_as_condition() -> None:
    @khal.kernel
    def k(a: Array[Vec3]):
        if a[0] < a[1]:
            a[2] = a[0]

    assert_error_at(k, "a[0] < a[1]", "cannot be used as a condition")


def test_func_without_return_annotation_returning_value() -> None:
    @khal.func
    def noann(x: f32):
        return x

    @khal.kernel
    def k(a: Array[f32]):
        noann(a[0])

    assert_error_at(k, "x\n", "returns a value but has no return annotation")


def test_func_can_end_without_returning() -> None:
    @khal.func
    def maybe(x: f32) -> f32:
        if x > 0.0:
            return x

    @khal.kernel
    def k(a: Array[f32]):
        a[0] = maybe(a[1])

    assert_error_at(k, "def maybe", "can reach its end without returning a f32")


def test_default_parameter_value() -> None:
    @khal.kernel
    def k(a: Array[f32], n: u32 = 4):
        pass

    assert_error_at(k, "4)", "default parameter values are not supported in a kernel")
