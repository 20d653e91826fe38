"""The frontend's control flow and value semantics, executed on the CPU backend against Python/numpy.

Each kernel runs one invocation per element on random inputs; the reference is the same function
body evaluated by plain Python (or numpy) on the host.
"""

from __future__ import annotations

import numpy as np
import pytest

import khal
import khal.std as ks
from khal import Array, Mat3, Vec3, Vec4, f32, i32, u32


@pytest.fixture(scope="module")
def cpu() -> khal.Backend:
    return khal.Cpu()


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    seed = int(np.random.SeedSequence().entropy) % 2**63  # type: ignore[arg-type]
    print(f"rng seed for {request.node.nodeid}: {seed}")
    return np.random.default_rng(seed)


def run(cpu: khal.Backend, kernel: khal.Kernel, n: int, *args: object) -> None:
    khal.launch(kernel, n, *args, backend=cpu)


# ---------------------------------------------------------------- loops with break / continue / return


def loop_reference(x: int, limit: int) -> int:
    acc = 0
    for k in range(x):
        if k % 3 == 0:
            continue
        if acc > limit:
            break
        acc += k
    for k in range(10, x, -3):
        acc -= k
    j = 0
    while True:
        j += 1
        if j * j > x:
            break
    return acc * 100 + j


@khal.kernel
def loops(xs: Array[i32], out: Array[i32], limit: i32):
    i = ks.global_invocation_id().x
    if i >= len(xs):
        return
    x = xs[i]
    acc = 0
    for k in range(x):
        if k % 3 == 0:
            continue
        if acc > limit:
            break
        acc += k
    for k in range(10, x, -3):
        acc -= k
    j = 0
    while True:
        j += 1
        if j * j > x:
            break
    out[i] = acc * 100 + j


def test_loops_break_continue(cpu: khal.Backend, rng: np.random.Generator) -> None:
    xs = rng.integers(-5, 40, 200).astype(np.int32)
    out = np.zeros_like(xs)
    run(cpu, loops, len(xs), xs, out, 50)
    assert out.tolist() == [loop_reference(int(x), 50) for x in xs]


@khal.func
def first_index(a: Array[f32], x: f32, start: i32, stop: i32, step: i32) -> i32:
    for k in range(start, stop, step):
        if a[k] >= x:
            return k
    return -1


@khal.kernel
def search(a: Array[f32], queries: Array[f32], out: Array[i32], down: Array[i32], n: i32):
    i = ks.global_invocation_id().x
    if i < len(queries):
        out[i] = first_index(a, queries[i], 0, n, 1)
        down[i] = first_index(a, queries[i], n - 1, -1, -1)


def test_early_return_from_loops_in_funcs(cpu: khal.Backend, rng: np.random.Generator) -> None:
    a = np.sort(rng.random(64, dtype=np.float32))
    q = rng.random(100, dtype=np.float32) * 1.1
    out, down = np.zeros(100, np.int32), np.zeros(100, np.int32)
    run(cpu, search, 100, a, q, out, down, 64)
    ref = [next((k for k in range(64) if a[k] >= x), -1) for x in q]
    ref_down = [next((k for k in range(63, -1, -1) if a[k] >= x), -1) for x in q]
    assert out.tolist() == ref
    assert down.tolist() == ref_down


@khal.kernel
def runtime_steps(starts: Array[i32], steps: Array[i32], out: Array[i32], uout: Array[u32]):
    i = ks.global_invocation_id().x
    if i >= len(starts):
        return
    total = 0
    for k in range(starts[i], 20 - starts[i], steps[i]):
        total += k
    out[i] = total
    count = u32(0)
    for u in range(u32(3), u32(starts[i] + 10)):
        count += u
    uout[i] = count


def test_runtime_and_negative_steps(cpu: khal.Backend, rng: np.random.Generator) -> None:
    starts = rng.integers(-5, 15, 100).astype(np.int32)
    steps = rng.choice([-3, -2, -1, 1, 2, 5], 100).astype(np.int32)
    out, uout = np.zeros(100, np.int32), np.zeros(100, np.uint32)
    run(cpu, runtime_steps, 100, starts, steps, out, uout)
    assert out.tolist() == [sum(range(s, 20 - s, st)) for s, st in zip(starts, steps, strict=True)]
    assert uout.tolist() == [sum(range(3, s + 10)) for s in starts]


# ---------------------------------------------------------------- short-circuit guards


@khal.kernel
def guarded(a: Array[f32], idx: Array[i32], out: Array[f32]):
    i = ks.global_invocation_id().x
    if i >= len(idx):
        return
    j = idx[i]
    # j may be out of range: each load below is only evaluated when the guard before it holds
    ok = j >= 0 and u32(j) < len(a) and a[j] > 0.5
    far = j < 0 or u32(j) >= len(a) or a[j] < 0.1
    out[i] = (a[j] if 0 <= j < i32(len(a)) else -1.0) + (10.0 if ok else 0.0) + (100.0 if far else 0.0)


def test_short_circuit_guards(cpu: khal.Backend, rng: np.random.Generator) -> None:
    a = rng.random(16, dtype=np.float32)
    idx = rng.integers(-1_000_000, 1_000_000, 300).astype(np.int32)
    idx[::2] = rng.integers(0, 16, 150)
    out = np.zeros(300, np.float32)
    run(cpu, guarded, 300, a, idx, out)
    ref = []
    for j in idx:
        inside = 0 <= j < 16
        ok = inside and a[j] > 0.5
        far = not inside or a[j] < 0.1
        ref.append((a[j] if inside else -1.0) + (10.0 if ok else 0.0) + (100.0 if far else 0.0))
    np.testing.assert_allclose(out, np.array(ref, np.float32), rtol=1e-6)


# ---------------------------------------------------------------- values: tuples, structs, vectors, matrices


@khal.struct
class Body:
    pos: Vec3
    vel: Vec3
    mass: f32
    hits: u32


@khal.func
def advance(b: Body, dt: f32) -> Body:
    b.pos += b.vel * dt
    return b


@khal.kernel
def bodies(bs: Array[Body], m: Mat3, dt: f32):
    i = ks.global_invocation_id().x
    if i >= len(bs):
        return
    b = advance(bs[i], dt)
    b.vel = m @ b.vel
    b.vel.yz = b.vel.zy
    b.pos[i % 3] += 1.0
    bs[i] = b
    bs[i].hits += i
    bs[i].mass *= 2.0


def test_structs_swizzles_matrices(cpu: khal.Backend, rng: np.random.Generator) -> None:
    n = 50
    bs = np.zeros(n, Body.dtype)
    bs["pos"] = rng.random((n, 3))
    bs["vel"] = rng.random((n, 3))
    bs["mass"] = rng.random(n)
    bs["hits"] = rng.integers(0, 100, n)
    m = rng.random((3, 3)).astype(np.float32)  # row c = column c
    ref = bs.copy()
    out = bs.copy()
    run(cpu, bodies, n, out, m, np.float32(0.5))
    ref_pos = ref["pos"] + ref["vel"] * np.float32(0.5)
    vel = ref["vel"] @ m  # column-major: (M v)_r = sum_c m[c][r] v[c]
    vel = vel[:, [0, 2, 1]]
    ref_pos[np.arange(n), np.arange(n) % 3] += 1.0
    np.testing.assert_allclose(out["pos"], ref_pos, rtol=1e-5)
    np.testing.assert_allclose(out["vel"], vel, rtol=1e-5)
    assert out["hits"].tolist() == (ref["hits"] + np.arange(n)).tolist()
    np.testing.assert_allclose(out["mass"], ref["mass"] * 2, rtol=1e-6)


@khal.kernel
def tuples_and_ops(a: Array[i32], b: Array[i32], out: Array[i32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        x, y = a[i], b[i]
        x, y = y, x
        out[i] = (x // 3) * 1000 + (y % 7) * 10 + (-x % 4) + max(x, y, 0) - min(abs(x), 5)


def test_tuple_swap_and_python_integer_semantics(cpu: khal.Backend, rng: np.random.Generator) -> None:
    a = rng.integers(-1000, 1000, 200).astype(np.int32)
    b = rng.integers(-1000, 1000, 200).astype(np.int32)
    out = np.zeros_like(a)
    run(cpu, tuples_and_ops, 200, a, b, out)
    ref = [
        (y // 3) * 1000 + (x % 7) * 10 + (-y % 4) + max(y, x, 0) - min(abs(y), 5)
        for x, y in zip(a.tolist(), b.tolist(), strict=True)
    ]
    assert out.tolist() == ref


@khal.func
def classify(x: i32) -> i32:
    if x < 0:
        return -1
    elif x < 10:
        y = x * 2
    else:
        if x > 100:
            return 1000
        y = x + 1
    return y


@khal.kernel
def classify_all(xs: Array[i32], out: Array[i32]):
    i = ks.global_invocation_id().x
    if i < len(xs):
        out[i] = classify(xs[i])


def test_locals_defined_where_the_other_branch_returns(cpu: khal.Backend, rng: np.random.Generator) -> None:
    xs = rng.integers(-50, 200, 300).astype(np.int32)
    out = np.zeros_like(xs)
    run(cpu, classify_all, 300, xs, out)

    def ref(x: int) -> int:
        if x < 0:
            return -1
        if x < 10:
            return x * 2
        return 1000 if x > 100 else x + 1

    assert out.tolist() == [ref(x) for x in xs.tolist()]


@khal.func
def nested(x: i32) -> i32:
    total = 0
    for i in range(x):
        if i % 4 == 1:
            continue
        j = 0
        while j < i:
            if j * i > 3 * x:
                break
            if total > 6 * x:
                return -total
            total += j
            j += 2
        total += 1
    return total


@khal.kernel
def nested_all(xs: Array[i32], out: Array[i32]):
    i = ks.global_invocation_id().x
    if i < len(xs):
        out[i] = nested(xs[i])


def test_nested_loops_with_exits(cpu: khal.Backend, rng: np.random.Generator) -> None:
    def ref(x: int) -> int:
        total = 0
        for i in range(x):
            if i % 4 == 1:
                continue
            j = 0
            while j < i:
                if j * i > 3 * x:
                    break
                if total > 6 * x:
                    return -total
                total += j
                j += 2
            total += 1
        return total

    xs = rng.integers(-3, 60, 200).astype(np.int32)
    out = np.zeros_like(xs)
    run(cpu, nested_all, 200, xs, out)
    assert out.tolist() == [ref(x) for x in xs.tolist()]


@khal.kernel
def last_index(ns: Array[i32], out: Array[i32]):
    i = ks.global_invocation_id().x
    if i < len(ns):
        k = -1
        for k in range(ns[i]):  # noqa: B007 - k is read after the loop
            pass
        j = 100
        for j in range(ns[i], 0, -1):
            if j == 3:
                break
        out[i] = k * 1000 + j


def test_loop_variable_keeps_its_last_value(cpu: khal.Backend, rng: np.random.Generator) -> None:
    ns = rng.integers(-2, 10, 100).astype(np.int32)
    out = np.zeros_like(ns)
    run(cpu, last_index, 100, ns, out)

    def ref(n: int) -> int:
        k = -1
        for k in range(n):  # noqa: B007 - k is read after the loop
            pass
        j = 100
        for j in range(n, 0, -1):
            if j == 3:
                break
        return k * 1000 + j

    assert out.tolist() == [ref(n) for n in ns.tolist()]


@khal.kernel
def float_divmod(a: Array[f32], b: Array[f32], q: Array[f32], r: Array[f32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        q[i] = a[i] // b[i]
        r[i] = a[i] % b[i]


@khal.kernel
def vec_divmod(a: Array[Vec4], b: Array[Vec4], q: Array[Vec4], r: Array[Vec4]):
    i = ks.global_invocation_id().x
    if i < len(a):
        q[i] = a[i] // b[i]
        r[i] = a[i] % b[i]


def test_float_floor_division_and_modulo(cpu: khal.Backend, rng: np.random.Generator) -> None:
    b = rng.uniform(0.5, 4.0, 500).astype(np.float32) * rng.choice([-1, 1], 500).astype(np.float32)
    # a / b near integers and exact multiples too, where floor(a / b) alone would be off by one
    a = ((rng.integers(-20, 20, 500) + rng.choice([0.0, 1e-7, 0.5, 1 - 1e-7], 500)) * b).astype(np.float32)
    q, r = np.zeros_like(a), np.zeros_like(a)
    run(cpu, float_divmod, 500, a, b, q, r)
    np.testing.assert_array_equal(q, np.floor_divide(a, b))
    np.testing.assert_array_equal(r, np.remainder(a, b))
    assert (np.signbit(r) == np.signbit(b)).all()  # Python: the sign of the divisor, zeros too


def test_float_vector_floor_division_and_modulo(cpu: khal.Backend, rng: np.random.Generator) -> None:
    a = (rng.standard_normal((300, 4)) * 10.0 ** rng.integers(-3, 8, (300, 4))).astype(np.float32)
    b = (rng.standard_normal((300, 4)) * 10.0 ** rng.integers(-3, 3, (300, 4))).astype(np.float32)
    b[0] = [0.0, -0.0, np.inf, -np.inf]
    q, r = np.zeros_like(a), np.zeros_like(a)
    run(cpu, vec_divmod, 300, a, b, q, r)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(q, np.floor_divide(a, b))
        np.testing.assert_array_equal(r, np.remainder(a, b))


@khal.kernel
def matrix_ops(ms: Array[Mat3], vs: Array[Vec3], out_m: Array[Mat3], out_v: Array[Vec3], s: f32):
    i = ks.global_invocation_id().x
    if i >= len(ms):
        return
    m = ms[i]
    v = vs[i]
    p = m @ m * s + m - Mat3(1.0)
    w = v @ m + (m @ v).zyx
    w.xy = w.yx
    w[i % 3] += ks.dot(v, v)
    k = Mat3(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0)
    out_m[i] = p + k / 2.0
    out_v[i] = w + ks.cross(v, k[1])


def test_matrix_and_vector_ops(cpu: khal.Backend, rng: np.random.Generator) -> None:
    n = 40
    ms = rng.uniform(-1, 1, (n, 3, 3)).astype(np.float32)  # ms[i][c] is column c
    vs = rng.uniform(-1, 1, (n, 3)).astype(np.float32)
    out_m, out_v = np.zeros_like(ms), np.zeros_like(vs)
    s = np.float32(0.5)
    run(cpu, matrix_ops, n, ms, vs, out_m, out_v, s)
    mats = ms.transpose(0, 2, 1)  # row-major M with M[r][c] = ms[i][c][r]
    k = np.arange(1, 10, dtype=np.float32).reshape(3, 3).T  # columns (1,2,3), (4,5,6), (7,8,9)
    p = (mats @ mats) * s + mats - np.eye(3, dtype=np.float32)
    ref_m = (p + k / 2).transpose(0, 2, 1)
    mv = np.einsum("nrc,nc->nr", mats, vs)
    w = np.einsum("nr,nrc->nc", vs, mats) + mv[:, ::-1]
    w[:, [0, 1]] = w[:, [1, 0]]
    w[np.arange(n), np.arange(n) % 3] += (vs * vs).sum(1)
    ref_v = w + np.cross(vs, k[:, 1])
    np.testing.assert_allclose(out_m, ref_m, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out_v, ref_v, rtol=1e-5, atol=1e-5)
