# RUN: %python %s | filecheck %s
# ruff: noqa: E501 - CHECK lines quote whole IR lines
# Atomics on arrays and workgroup memory, workgroup barriers, subgroup ops and print.
import khal
import khal.std as ks
from khal import Array, f32, i32, u32


@khal.kernel(workgroup_size=64)
def histogram(data: Array[u32], hist: Array[u32], total: Array[f32], lo: Array[i32]):
    tile = ks.workgroup_array(u32, 64)
    lid = ks.local_invocation_id().x
    tile[lid] = 0
    ks.workgroup_barrier()
    gid = ks.global_invocation_id().x
    if gid < len(data):
        ks.atomic_add(tile, data[gid] % 64, 1)
    ks.workgroup_barrier()
    ks.atomic_add(hist, lid, tile[lid])
    ks.atomic_max(hist, 0, lid)
    ks.atomic_min(lo, 0, -1)
    old = ks.atomic_compare_exchange(hist, 1, 0, 7)
    ks.atomic_store(hist, 2, ks.atomic_load(hist, 3) + old)
    ks.atomic_exchange(hist, 4, 9)
    ks.atomic_and(hist, 5, 3)
    ks.atomic_or(hist, 5, 4)
    ks.atomic_xor(hist, 5, 1)
    ks.atomic_sub(lo, 1, 2)
    ks.atomic_add(total, 0, 1.5)
    ks.storage_barrier()
    s = ks.subgroup_add(f32(lid))
    m = ks.subgroup_max(lid)
    f = ks.subgroup_broadcast_first(s)
    print("lane", lid, "sum", s, m, f)


print(histogram.ir())

# CHECK-LABEL: khal.kernel @histogram
# CHECK:       %[[T:.*]] = khal.workgroup_alloc : !khal.workgroup_array<64 x i32>
# CHECK:       khal.workgroup_store %{{.*}}, %[[T]][%lid] : i32, !khal.workgroup_array<64 x i32>, i32
# CHECK-NEXT:  khal.workgroup_barrier
# CHECK:       scf.if
# CHECK:         arith.remui
# CHECK:         khal.atomic_rmw add %[[T]][%{{.*}}], %{{.*}} : !khal.workgroup_array<64 x i32>, i32, i32
# CHECK:       khal.workgroup_barrier
# CHECK:       khal.workgroup_load %[[T]][%lid]
# CHECK:       khal.atomic_rmw add %hist[%lid]
# u32 max is the unsigned kind; i32 min the signed one.
# CHECK:       khal.atomic_rmw umax %hist
# CHECK:       khal.atomic_rmw min %lo
# CHECK:       %old = khal.atomic_cmpxchg %hist[%{{.*}}], %{{.*}}, %{{.*}} : !khal.array<i32, read_write>, i32, i32
# CHECK:       %[[L:.*]] = khal.atomic_load %hist[%{{.*}}] : !khal.array<i32, read_write>, i32 -> i32
# CHECK:       %[[SUM:.*]] = arith.addi %[[L]], %old : i32
# CHECK:       khal.atomic_store %[[SUM]], %hist[%{{.*}}]
# CHECK:       khal.atomic_rmw xchg %hist
# CHECK:       khal.atomic_rmw and %hist
# CHECK:       khal.atomic_rmw or %hist
# CHECK:       khal.atomic_rmw xor %hist
# CHECK:       khal.atomic_rmw sub %lo
# CHECK:       khal.atomic_rmw add %total[%{{.*}}], %{{.*}} : !khal.array<f32, read_write>, i32, f32
# CHECK:       khal.storage_barrier
# CHECK:       %s = khal.subgroup_reduce add %{{.*}} : f32
# CHECK:       %m = khal.subgroup_reduce umax %lid : i32
# CHECK:       %f = khal.subgroup_broadcast_first %s : f32
# CHECK:       khal.print "lane {} sum {} {} {}"(%lid, %s, %m, %f) : i32, f32, i32, f32
