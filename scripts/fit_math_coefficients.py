"""How the constants of khal/passes/expand_math.py were made (run it to see them again).

    python scripts/fit_math_coefficients.py

* Polynomials: least squares on 4000 Chebyshev nodes (close to minimax), weighted by what the
  error of the fitted part costs relative to the function's value, in float64, then rounded to f32.
  The printed error is that weighted error with the f32-rounded coefficients.
* Constants split into parts (pi/2, pi, ln2, 1/ln2, 2/3, atan(1/2), atan(3/2)) from exact rationals
  (pi by Machin's formula in integers), each part rounded to the given number of bits; and the
  words of 2/pi for the Payne-Hanek reduction.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

LN2 = np.log(2)


def fit(f, lo, hi, deg, var=lambda x: x, weight=None, n=4000):
    k = np.arange(n)
    x = (lo + hi) / 2 + (hi - lo) / 2 * np.cos(np.pi * (k + 0.5) / n)
    a = np.vander(var(x), deg + 1, increasing=True)
    w = np.ones_like(x) if weight is None else weight(x)
    c = np.linalg.lstsq(a * w[:, None], f(x) * w, rcond=None)[0].astype(np.float32)
    return [float(v) for v in c], float(np.max(np.abs((a @ c.astype(np.float64) - f(x)) * w)))


FITS = {
    "EXP_P": (
        lambda r: (np.expm1(r) - r) / r**2,
        -LN2 / 2 - 1e-3,
        LN2 / 2 + 1e-3,
        5,
        None,
        lambda r: r**2 / np.exp(r),
    ),
    "EXP2_Q": (lambda r: np.expm1(r * LN2) / r, -0.5, 0.5, 6, None, lambda r: r / np.exp2(r)),
    "SIN_S": (
        lambda y: (np.sin(y) - y) / y**3,
        1e-4,
        np.pi / 4 + 1e-3,
        4,
        lambda y: y * y,
        lambda y: y**3 / np.sin(y),
    ),
    "COS_C": (
        lambda y: (np.cos(y) - 1 + y * y / 2) / y**4,
        1e-4,
        np.pi / 4 + 1e-3,
        4,
        lambda y: y * y,
        lambda y: y**4 / np.cos(y),
    ),
    "TAN_T": (
        lambda y: (np.tan(y) - y) / y**3,
        1e-4,
        np.pi / 4 + 1e-3,
        8,
        lambda y: y * y,
        lambda y: y**3 / np.tan(y),
    ),
    "ATAN_A": (
        lambda t: (t - np.arctan(t)) / t**3,
        1e-4,
        7 / 16 + 1e-3,
        5,
        lambda t: t * t,
        lambda t: t**3 / np.arctan(t),
    ),
    "ASIN_P": (
        lambda s: (np.arcsin(s) - s) / s**3,
        1e-4,
        0.5 + 1e-3,
        6,
        lambda s: s * s,
        lambda s: s**3 / np.arcsin(s),
    ),
    "TANH_H": (
        lambda x: (np.tanh(x) - x) / x**3,
        1e-4,
        0.625,
        7,
        lambda x: x * x,
        lambda x: x**3 / np.tanh(x),
    ),
    "LOG_L": (
        lambda t: (2 * np.arctanh(t) - 2 * t - 2 * t**3 / 3) / t**5,
        1e-4,
        0.2 + 1e-3,
        4,
        lambda t: t * t,
        lambda t: t**5 / (2 * t),
    ),
    "EXP_E": (lambda r: (np.expm1(r) - r - r * r / 2) / r**3, -0.36, 0.36, 5, None, lambda r: r**3),
}


def _atan_inv(n: int, bits: int) -> int:
    one, s, k, sign = 1 << bits, 0, 1, 1
    x = one // n
    while x:
        s += sign * (x // k)
        x //= n * n
        k += 2
        sign = -sign
    return s


def _round_bits(x: Fraction, bits: int) -> Fraction:
    q = Fraction(2) ** (math.floor(math.log2(abs(float(x)))) - bits + 1)
    return Fraction(round(x / q)) * q


def split(x: Fraction, widths: list[int]) -> list[str]:
    out = []
    for w in widths:
        h = _round_bits(x, w)
        out.append(float.hex(float(h)))
        x -= h
    return out


def atan_series(x: Fraction, terms: int) -> Fraction:
    return sum(((-1) ** k * x ** (2 * k + 1) / (2 * k + 1) for k in range(terms)), Fraction(0))


def main() -> None:
    for name, (f, lo, hi, deg, var, weight) in FITS.items():
        coeffs, err = fit(f, lo, hi, deg, var or (lambda x: x), weight)
        print(f"{name} = {coeffs}  # weighted error {err:.2e}")
    bits = 400
    pi = Fraction(16 * _atan_inv(5, bits) - 4 * _atan_inv(239, bits), 1 << bits)
    ln2 = 2 * sum(Fraction(1, 3 ** (2 * k + 1) * (2 * k + 1)) for k in range(120))
    print("PIO2_C", split(pi / 2, [15, 15, 24, 24]))
    print("PIO2_H, PIO2_L", split(pi / 2, [24, 24]), " PI_H, PI_L", split(pi, [24, 24]))
    print("ATAN(1/2)", split(atan_series(Fraction(1, 2), 120), [24, 24]), " ATAN(1)", split(pi / 4, [24, 24]))
    print("ATAN(3/2)", split(pi / 2 - atan_series(Fraction(2, 3), 200), [24, 24]))
    print("LN2 (16, 24, 24)", split(ln2, [16, 24, 24]), " 1/LN2 (12, 24)", split(1 / ln2, [12, 24]))
    print("2/3", split(Fraction(2, 3), [24, 24]))
    two_over_pi = (2 << bits) * pi.denominator // pi.numerator  # (2/pi) 2^bits
    print("2/pi words", [hex((two_over_pi >> (bits - 32 * (i + 1))) & 0xFFFFFFFF) for i in range(8)])


if __name__ == "__main__":
    main()
