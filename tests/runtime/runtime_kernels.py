"""Kernels shared by the runtime tests (module level, so their annotations resolve)."""

from __future__ import annotations

import khal
import khal.std as ks
from khal import Array, Mat2, Vec3, bool_, f32, f64, i8, i16, i32, i64, u8, u32, u64

TILE = 8
REDUCE_WG = 256
SCAN_WG = 256
BINS = 64


@khal.kernel
def add_assign(a: Array[f32], b: Array[f32]):
    tid = ks.global_invocation_id().x
    if tid < len(a):
        a[tid] += b[tid]


@khal.kernel(workgroup_size=128)
def saxpy(y: Array[f32], x: Array[f32], alpha: f32):
    i = ks.global_invocation_id().x
    if i < len(y):
        y[i] = alpha * x[i] + y[i]


@khal.kernel(workgroup_size=REDUCE_WG)
def reduce_sum(data: Array[f32], partial: Array[f32]):
    shared = ks.workgroup_array(f32, REDUCE_WG)
    lid = ks.local_invocation_id().x
    gid = ks.global_invocation_id().x
    shared[lid] = data[gid] if gid < len(data) else 0.0
    ks.workgroup_barrier()
    stride = u32(REDUCE_WG // 2)
    while stride > 0:
        if lid < stride:
            shared[lid] += shared[lid + stride]
        ks.workgroup_barrier()
        stride = stride // 2
    if lid == 0:
        partial[ks.workgroup_id().x] = shared[0]


@khal.kernel
def histogram(data: Array[u32], bins: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(data):
        ks.atomic_add(bins, data[i] % len(bins), u32(1))


@khal.kernel(workgroup_size=64)
def histogram_local(data: Array[u32], bins: Array[u32]):
    local = ks.workgroup_array(u32, BINS)
    lid = ks.local_invocation_id().x
    local[lid] = u32(0)
    ks.workgroup_barrier()
    i = ks.global_invocation_id().x
    if i < len(data):
        ks.atomic_add(local, data[i] % BINS, u32(1))
    ks.workgroup_barrier()
    ks.atomic_add(bins, lid, local[lid])


@khal.kernel(workgroup_size=(TILE, TILE))
def matmul(a: Array[f32], b: Array[f32], c: Array[f32], m: u32, n: u32, k: u32):
    gid = ks.global_invocation_id()
    lid = ks.local_invocation_id()
    row = gid.y
    col = gid.x
    a_tile = ks.workgroup_array(f32, TILE * TILE)
    b_tile = ks.workgroup_array(f32, TILE * TILE)
    acc = 0.0
    tiles = (k + (TILE - 1)) // TILE
    for t in range(tiles):
        ka = t * TILE + lid.x
        a_tile[lid.y * TILE + lid.x] = a[row * k + ka] if row < m and ka < k else 0.0
        kb = t * TILE + lid.y
        b_tile[lid.y * TILE + lid.x] = b[kb * n + col] if kb < k and col < n else 0.0
        ks.workgroup_barrier()
        for j in range(TILE):
            acc += a_tile[lid.y * TILE + u32(j)] * b_tile[u32(j) * TILE + lid.x]
        ks.workgroup_barrier()
    if row < m and col < n:
        c[row * n + col] = acc


@khal.kernel(workgroup_size=SCAN_WG)
def scan_blocks(data: Array[u32], sums: Array[u32]):
    tmp = ks.workgroup_array(u32, SCAN_WG)
    lid = ks.local_invocation_id().x
    gid = ks.global_invocation_id().x
    tmp[lid] = data[gid] if gid < len(data) else u32(0)
    ks.workgroup_barrier()
    offset = u32(1)
    while offset < SCAN_WG:
        v = tmp[lid - offset] if lid >= offset else u32(0)
        ks.workgroup_barrier()
        tmp[lid] += v
        ks.workgroup_barrier()
        offset = offset * 2
    if gid < len(data):
        data[gid] = tmp[lid]
    if lid == SCAN_WG - 1:
        sums[ks.workgroup_id().x] = tmp[lid]


@khal.kernel(workgroup_size=SCAN_WG)
def add_block_offsets(data: Array[u32], sums: Array[u32]):
    gid = ks.global_invocation_id().x
    wg = ks.workgroup_id().x
    if wg > 0 and gid < len(data):
        data[gid] += sums[wg - 1]


@khal.kernel(workgroup_size=(16, 16))
def mandelbrot(out: Array[u32], width: u32, height: u32, max_iter: u32):
    gid = ks.global_invocation_id()
    if gid.x < width and gid.y < height:
        cx = -2.0 + 3.0 * f32(gid.x) / f32(width)
        cy = -1.5 + 3.0 * f32(gid.y) / f32(height)
        x = 0.0
        y = 0.0
        i = u32(0)
        while i < max_iter:
            if x * x + y * y > 4.0:
                break
            xt = x * x - y * y + cx
            y = 2.0 * x * y + cy
            x = xt
            i += 1
        out[gid.y * width + gid.x] = i


SOFTENING = 0.01


@khal.func
def accel(pi: Vec3, pj: Vec3, mj: f32) -> Vec3:
    d = pj - pi
    r2 = ks.dot(d, d) + SOFTENING
    inv = ks.rsqrt(r2)
    return d * (mj * inv * inv * inv)


@khal.kernel
def nbody(pos: Array[Vec3], mass: Array[f32], acc: Array[Vec3]):
    i = ks.global_invocation_id().x
    if i < len(pos):
        p = pos[i]
        a = Vec3(0.0, 0.0, 0.0)
        for j in range(len(pos)):
            a += accel(p, pos[j], mass[j])
        acc[i] = a


@khal.struct
class Particle:
    pos: Vec3
    vel: Vec3
    mass: f32
    id: u32


@khal.kernel
def step_particles(ps: Array[Particle], dt: f32, gravity: Vec3):
    i = ks.global_invocation_id().x
    if i < len(ps):
        p = ps[i]
        p.vel += gravity * dt
        p.pos += p.vel * dt
        p.mass *= 2.0
        p.id = p.id * 3 + 1
        ps[i] = p


@khal.kernel
def fill_counts(counts: Array[u32], n: u32, wg: u32):
    # Writes the workgroup counts for a following Indirect call: ceil(n / wg) along x.
    if ks.global_invocation_id().x == 0:
        counts[0] = (n + wg - 1) // wg
        counts[1] = u32(1)
        counts[2] = u32(1)


@khal.kernel
def scale_i32(a: Array[i32], s: i32):
    i = ks.global_invocation_id().x
    if i < len(a):
        a[i] = a[i] * s


@khal.kernel
def int_ops_i32(a: Array[i32], b: Array[i32], s: Array[u32], out: Array[i32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        x = a[i]
        y = b[i]
        o = i * 8
        out[o] = x // y
        out[o + 1] = x % y
        out[o + 2] = x >> i32(s[i])
        out[o + 3] = x << i32(s[i])
        out[o + 4] = x + y
        out[o + 5] = x * y
        out[o + 6] = x - y
        out[o + 7] = ks.abs(x) + ks.min(x, y) - ks.max(x, y)


@khal.kernel
def abs_of_gathered_i64(a: Array[i64], idx: Array[i32], b: Array[i64], out: Array[i64]):
    # `abs` of a gathered i64 (INT64_MIN among them), then its sign, `//` and `%`: NVIDIA's Vulkan driver
    # took abs(INT64_MIN) < 0 as false here (khal-wrapping-abs)
    i = ks.global_invocation_id().x
    if i < len(b):
        p = abs(a[u32(max(i32(100), idx[i])) % u32(len(a))])
        out[i * 3] = p // b[i]
        out[i * 3 + 1] = i64(p < i64(0))
        out[i * 3 + 2] = p % b[i]


@khal.kernel
def negations_widened(a: Array[i16], s: Array[i16], b: Array[i32], out: Array[i64]):
    # Negations of i16 values (-32768 among them) and of an i32, then widened: ptxas had sign-extended an
    # i16 before negating it in 32 bits (khal/targets/ptx.py `spell_neg`)
    i = ks.global_invocation_id().x
    if i < len(a):
        out[i * 4] = i64(i32(-a[i]))
        out[i * 4 + 1] = i64(i32((s[i] - s[i]) - (a[i] << s[i])))
        out[i * 4 + 2] = i64(-a[i])
        out[i * 4 + 3] = i64(-b[i])


@khal.kernel
def int_ops_u32(a: Array[u32], b: Array[u32], s: Array[u32], out: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        x = a[i]
        y = b[i]
        o = i * 8
        out[o] = x // y
        out[o + 1] = x % y
        out[o + 2] = x >> s[i]
        out[o + 3] = x << s[i]
        out[o + 4] = x + y
        out[o + 5] = x * y
        out[o + 6] = x - y
        out[o + 7] = (x ^ y) | (x & ~y)


@khal.kernel
def int_casts(a: Array[i32], f: Array[f32], out_u: Array[u32], out_f: Array[f32], out_i: Array[i32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        out_u[i] = u32(a[i])
        out_f[i] = f32(a[i])
        out_i[i] = i32(f[i])


UNARY = [
    "sqrt",
    "rsqrt",
    "exp",
    "exp2",
    "log",
    "log2",
    "sin",
    "cos",
    "tan",
    "tanh",
    "asin",
    "acos",
    "atan",
    "abs",
    "sign",
    "floor",
    "ceil",
    "round",
    "trunc",
    "fract",
]


@khal.kernel
def math_unary(x: Array[f32], out: Array[f32], which: u32):
    i = ks.global_invocation_id().x
    if i < len(x):
        v = x[i]
        r = 0.0
        if which == 0:
            r = ks.sqrt(v)
        elif which == 1:
            r = ks.rsqrt(v)
        elif which == 2:
            r = ks.exp(v)
        elif which == 3:
            r = ks.exp2(v)
        elif which == 4:
            r = ks.log(v)
        elif which == 5:
            r = ks.log2(v)
        elif which == 6:
            r = ks.sin(v)
        elif which == 7:
            r = ks.cos(v)
        elif which == 8:
            r = ks.tan(v)
        elif which == 9:
            r = ks.tanh(v)
        elif which == 10:
            r = ks.asin(v)
        elif which == 11:
            r = ks.acos(v)
        elif which == 12:
            r = ks.atan(v)
        elif which == 13:
            r = ks.abs(v)
        elif which == 14:
            r = ks.sign(v)
        elif which == 15:
            r = ks.floor(v)
        elif which == 16:
            r = ks.ceil(v)
        elif which == 17:
            r = ks.round(v)
        elif which == 18:
            r = ks.trunc(v)
        elif which == 19:
            r = ks.fract(v)
        out[i] = r


BINARY = ["atan2", "pow", "min", "max", "step"]


@khal.kernel
def math_binary(x: Array[f32], y: Array[f32], out: Array[f32], which: u32):
    i = ks.global_invocation_id().x
    if i < len(x):
        a = x[i]
        b = y[i]
        r = 0.0
        if which == 0:
            r = ks.atan2(a, b)
        elif which == 1:
            r = ks.pow(a, b)
        elif which == 2:
            r = ks.min(a, b)
        elif which == 3:
            r = ks.max(a, b)
        elif which == 4:
            r = ks.step(a, b)
        out[i] = r


@khal.kernel
def math_ternary(x: Array[f32], y: Array[f32], z: Array[f32], out: Array[f32]):
    i = ks.global_invocation_id().x
    if i < len(x):
        a = x[i]
        b = y[i]
        c = z[i]
        o = i * 4
        out[o] = ks.clamp(a, ks.min(b, c), ks.max(b, c))
        out[o + 1] = ks.fma(a, b, c)
        out[o + 2] = ks.mix(a, b, c)
        out[o + 3] = ks.select(a < b, b, c)


@khal.kernel
def math_classify(x: Array[f32], out: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(x):
        r = u32(0)
        if ks.isnan(x[i]):
            r = u32(1)
        if ks.isinf(x[i]):
            r += 2
        out[i] = r


@khal.kernel
def math_vectors(a: Array[Vec3], b: Array[Vec3], out_v: Array[Vec3], out_s: Array[f32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        u = a[i]
        v = b[i]
        out_v[i * 3] = ks.cross(u, v)
        out_v[i * 3 + 1] = ks.normalize(u)
        out_v[i * 3 + 2] = ks.sqrt(ks.abs(u)) + ks.exp(v * 0.1)
        out_s[i * 3] = ks.dot(u, v)
        out_s[i * 3 + 1] = ks.length(u)
        out_s[i * 3 + 2] = ks.distance(u, v)


@khal.struct
class Params:
    scale: f32
    offset: Vec3
    count: u32


@khal.kernel
def mixed_types(
    a: Array[f64],
    b: Array[i64],
    c: Array[u8],
    out: Array[f64],
    x: f64,
    y: i64,
    z: u64,
    flag: bool_,
    h: i8,
    m: Mat2,
    p: Params,
):
    i = ks.global_invocation_id().x
    if i < len(a):
        o = i * 8
        out[o] = a[i] * x
        out[o + 1] = f64(b[i] + y)
        out[o + 2] = f64(u64(c[i]) + z)
        out[o + 3] = f64(1.0) if flag else f64(0.0)
        out[o + 4] = f64(h)
        out[o + 5] = f64(m[1].x)
        out[o + 6] = f64(p.scale * p.offset.y)
        out[o + 7] = f64(p.count)


@khal.kernel
def atomics_all(data: Array[i32], acc_i: Array[i32], acc_u: Array[u32], acc_f: Array[f32], seen: Array[i32]):
    i = ks.global_invocation_id().x
    if i < len(data):
        v = data[i]
        ks.atomic_add(acc_i, 0, v)
        ks.atomic_min(acc_i, 1, v)
        ks.atomic_max(acc_i, 2, v)
        ks.atomic_sub(acc_i, 3, v)
        ks.atomic_exchange(acc_i, 5, v)
        ks.atomic_and(acc_u, 0, u32(v))
        ks.atomic_or(acc_u, 1, u32(v))
        ks.atomic_xor(acc_u, 2, u32(v))
        ks.atomic_max(acc_u, 3, u32(v))
        ks.atomic_min(acc_u, 4, u32(v))
        ks.atomic_add(acc_f, 0, 0.5)
        ks.atomic_store(seen, i, ks.atomic_load(data, i) + 1)


@khal.kernel
def cas_counter(data: Array[i32], acc: Array[i32]):
    i = ks.global_invocation_id().x
    if i < len(data):
        # A counter built from compare-exchange: retried until no other invocation got in between.
        cur = ks.atomic_load(acc, 0)
        while True:
            prev = ks.atomic_compare_exchange(acc, 0, cur, cur + 1)
            if prev == cur:
                break
            cur = prev
        ks.atomic_add(acc, 1, data[i])


@khal.kernel
def subgroups(x: Array[f32], out: Array[f32], sizes: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(x):
        v = x[i]
        out[i * 4] = ks.subgroup_add(v)
        out[i * 4 + 1] = ks.subgroup_min(v)
        out[i * 4 + 2] = ks.subgroup_max(v)
        out[i * 4 + 3] = ks.subgroup_broadcast_first(v)
        sizes[i * 2] = ks.subgroup_size()
        sizes[i * 2 + 1] = ks.subgroup_invocation_id()


@khal.kernel
def control_flow(a: Array[i32], out: Array[i32]):
    i = ks.global_invocation_id().x
    if i >= len(a):
        return
    n = a[i]
    total = 0
    for j in range(n, -1, -2):
        if j % 3 == 0:
            continue
        total += j
        if total > 100:
            break
    k = 0
    while k * k < n:
        k += 1
    # `and` short-circuits: a[i + 1] is read only where it exists.
    nxt = 1 if i + 1 < len(a) and a[i + 1] > n else 0
    out[i * 3] = total
    out[i * 3 + 1] = k
    out[i * 3 + 2] = nxt
