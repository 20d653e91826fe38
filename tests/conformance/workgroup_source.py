"""The workgroup-size kernel, generated for each shape (a workgroup size is a compile-time constant)."""

from __future__ import annotations


def workgroup_kernel_source(shape: tuple[int, int, int]) -> str:
    """A kernel of workgroup size `shape` that records each invocation's ids and reverses its
    workgroup's values through workgroup memory (a barrier between the write and the read)."""
    x, y, z = shape
    n = x * y * z
    return f"""
@khal.kernel(workgroup_size=({x}, {y}, {z}))
def wg_{x}_{y}_{z}(data: Array[u32], rev: Array[u32], ids: Array[UVec4]):
    tile = ks.workgroup_array(u32, {n})
    li = ks.local_invocation_index()
    w = ks.workgroup_id()
    n = ks.num_workgroups()
    group = w.x + n.x * (w.y + n.y * w.z)
    g = group * {n} + li
    tile[li] = data[g]
    ks.workgroup_barrier()
    rev[g] = tile[{n - 1} - li]
    l = ks.local_invocation_id()
    gid = ks.global_invocation_id()
    ids[g] = UVec4(l.x + {x} * (l.y + {y} * l.z), gid.x - w.x * {x}, gid.y - w.y * {y}, gid.z - w.z * {z})
"""
