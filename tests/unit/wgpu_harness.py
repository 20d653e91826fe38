"""Run a kernel's SPIR-V through wgpu (lavapipe in CI) from its `khal.interface`, without the runtime.

`compile_spirv` lowers a kernel (common prefix + the SPIR-V lowering), serialises it and checks it with
`spirv-val --target-env vulkan1.1`; `run` binds numpy arrays as storage buffers (padded to whole 4-byte
words, as wgpu wants) and the uniform block (values, and array lengths where the interface has `len`
fields; grid counts left 0: not folded) at binding len(params), dispatches, and reads the arrays back.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp

import khal
from khal.dialects import context, spirv
from khal.targets import INTERFACE_ATTR, Interface, interface_from_attr
from khal.targets.spirv import SpirvTarget
from khal.targets.spirv_writer import find_spirv_module, serialize, spirv_tool, validate


def lower(kernel: khal.Kernel) -> ModuleOp:
    """The kernel's module after the common prefix and the SPIR-V lowering."""
    module = kernel.module().clone()
    ctx = context()
    for p in SpirvTarget().passes():  # the target's pipeline, options applied
        p.apply(ctx, module)
    module.verify()
    return module


def compile_spirv(kernel: khal.Kernel) -> tuple[bytes, Interface]:
    """The SPIR-V binary (checked by spirv-val where installed) and the interface of `kernel`."""
    module = find_spirv_module(lower(kernel))
    fn = next(op for op in module.body.block.ops if isinstance(op, spirv.FuncOp))
    binary = serialize(module)
    if spirv_tool("spirv-val") is not None:
        error = validate(binary)
        assert error is None, error
    return binary, interface_from_attr(fn.attributes[INTERFACE_ATTR], fn.sym_name.data)


def featured_device(features: list[str]):
    """A wgpu device with `features`, or None (with the reason) when there is none here."""
    import wgpu

    try:
        adapter = wgpu.gpu.request_adapter_sync(power_preference="high-performance")
    except Exception as e:  # no Vulkan driver: wgpu raises rather than returning None
        return None, f"no WebGPU adapter: {e}"
    if adapter is None:
        return None, "no WebGPU adapter"
    missing = sorted(set(features) - set(adapter.features))
    if missing:
        return None, f"adapter lacks {missing}"
    return adapter.request_device_sync(required_features=features), ""


def run(device, kernel: khal.Kernel, args: list[object], workgroups: int) -> list[np.ndarray]:
    """Launch `kernel` on `args` (numpy arrays and 32-bit scalars); returns the arrays afterwards."""
    import wgpu

    binary, iface = compile_spirv(kernel)
    for feature, message in iface.requires:
        assert feature in device.features, message
    shader = device.create_shader_module(code=binary)
    layout_entries, entries, arrays = [], [], []
    usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC
    for p, a in zip(iface.params, args, strict=True):
        if p.kind != "array":
            continue
        assert isinstance(a, np.ndarray)
        raw = a.tobytes() + b"\0" * (-a.nbytes % 4 or (4 if a.nbytes == 0 else 0))
        buf = device.create_buffer_with_data(data=raw, usage=usage)
        arrays.append((buf, a.dtype, len(a)))
        kind = "read-only-storage" if p.access == "read" else "storage"
        binding = p.fields["binding"]
        layout_entries.append(
            {"binding": binding, "visibility": wgpu.ShaderStage.COMPUTE, "buffer": {"type": kind}}
        )
        entries.append({"binding": binding, "resource": {"buffer": buf, "offset": 0, "size": buf.size}})
    if iface.block_size:  # the uniform block at binding len(params): values, array lengths (if read)
        block = bytearray(iface.block_size)
        for p, a in zip(iface.params, args, strict=True):
            if p.kind == "value":
                block[p.offset : p.offset + p.size] = np.asarray(a).tobytes()
            elif "len" in p.fields:
                assert isinstance(a, np.ndarray)
                block[p.fields["len"] : p.fields["len"] + 4] = np.uint32(len(a)).tobytes()
        buf = device.create_buffer_with_data(data=bytes(block), usage=wgpu.BufferUsage.UNIFORM)
        binding = len(iface.params)
        layout_entries.append(
            {"binding": binding, "visibility": wgpu.ShaderStage.COMPUTE, "buffer": {"type": "uniform"}}
        )
        entries.append({"binding": binding, "resource": {"buffer": buf, "offset": 0, "size": buf.size}})
    group_layout = device.create_bind_group_layout(entries=layout_entries)
    pipeline = device.create_compute_pipeline(
        layout=device.create_pipeline_layout(bind_group_layouts=[group_layout]),
        compute={"module": shader, "entry_point": iface.kernel},
    )
    encoder = device.create_command_encoder()
    compute = encoder.begin_compute_pass()
    compute.set_pipeline(pipeline)
    compute.set_bind_group(0, device.create_bind_group(layout=group_layout, entries=entries))
    compute.dispatch_workgroups(workgroups)
    compute.end()
    device.queue.submit([encoder.finish()])
    out = []
    for buf, dtype, n in arrays:
        data = np.frombuffer(device.queue.read_buffer(buf), dtype=np.uint8)
        out.append(data[: n * dtype.itemsize].view(dtype).copy())
    return out
