"""`SpirvTarget` (not registered yet): finish, the cache record round trip, and `emit`."""

from __future__ import annotations

import numpy as np
import pytest

import khal
import khal.std as ks
from khal import Array, f32
from khal.dialects import context
from khal.targets import TARGETS, Interface
from khal.targets.spirv import SpirvTarget
from khal.targets.spirv_writer import spirv_tool, validate


@khal.kernel(workgroup_size=128)
def scale(y: Array[f32], x: Array[f32], alpha: f32):
    i = ks.global_invocation_id().x
    if i < len(y):
        y[i] = alpha * x[i]


def _artifact():
    target = SpirvTarget()
    module = scale.module().clone()
    ctx = context()
    for p in target.passes():
        p.apply(ctx, module)
    seen: list[str] = []
    artifact = target.finish(module, lambda stage, out: seen.append(stage.name))
    return target, artifact, seen


def test_finish() -> None:
    target, artifact, seen = _artifact()
    assert seen == ["spirv-asm", "spirv"]
    binary = artifact.asm["spirv"]
    assert isinstance(binary, bytes) and int.from_bytes(binary[:4], "little") == 0x07230203
    assert "OpEntryPoint GLCompute" in str(artifact.asm["spirv-asm"])
    assert artifact.interface.workgroup_size == (128, 1, 1)
    assert artifact.interface.written == (True, False, False)
    assert TARGETS["webgpu"] == "khal.targets.spirv:SpirvTarget"
    if spirv_tool("spirv-val") is not None:
        assert validate(binary) is None


def test_record_round_trip() -> None:
    target, artifact, _ = _artifact()
    loaded = target.load(artifact.record())
    assert loaded.asm == artifact.asm
    assert loaded.interface == artifact.interface
    assert Interface.from_json(artifact.record()["interface"]) == artifact.interface


def test_emit_from_khal() -> None:
    target, artifact, _ = _artifact()
    assert target.emit(scale.module().clone(), "spirv") == artifact.asm["spirv"]
    assert target.emit(scale.module().clone(), "spirv-asm") == artifact.asm["spirv-asm"]


@pytest.mark.webgpu
def test_artifact_runs() -> None:
    """The artifact's binary and interface are enough to launch it (as the WebGPU runtime will)."""
    wgpu = pytest.importorskip("wgpu")
    try:
        adapter = wgpu.gpu.request_adapter_sync(power_preference="high-performance")
    except Exception as e:
        pytest.skip(f"no WebGPU adapter: {e}")
    if adapter is None:
        pytest.skip("no WebGPU adapter")
    device = adapter.request_device_sync()
    _, artifact, _ = _artifact()
    iface = artifact.interface
    rng = np.random.default_rng(21)
    n = 1000
    x = rng.standard_normal(n, dtype=np.float32)
    alpha = np.float32(1.5)
    usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC
    buffers = {
        0: device.create_buffer(size=4 * n, usage=usage),
        1: device.create_buffer_with_data(data=x, usage=usage),
    }
    block = bytearray(iface.block_size)  # counts 0 (not folded), the arrays' lengths, alpha
    for p in iface.params[:2]:
        block[p.fields["len"] : p.fields["len"] + 4] = np.uint32(n).tobytes()
    block[iface.params[2].offset : iface.params[2].offset + 4] = alpha.tobytes()
    buffers[len(iface.params)] = device.create_buffer_with_data(
        data=bytes(block), usage=wgpu.BufferUsage.UNIFORM
    )
    shader = device.create_shader_module(code=artifact.asm["spirv"])
    pipeline = device.create_compute_pipeline(
        layout="auto", compute={"module": shader, "entry_point": iface.kernel}
    )
    entries = [
        {"binding": b, "resource": {"buffer": buf, "offset": 0, "size": buf.size}}
        for b, buf in buffers.items()
    ]
    group = device.create_bind_group(layout=pipeline.get_bind_group_layout(0), entries=entries)
    encoder = device.create_command_encoder()
    compute = encoder.begin_compute_pass()
    compute.set_pipeline(pipeline)
    compute.set_bind_group(0, group)
    compute.dispatch_workgroups((n + 127) // 128)
    compute.end()
    device.queue.submit([encoder.finish()])
    out = np.frombuffer(device.queue.read_buffer(buffers[0]), np.float32)
    np.testing.assert_allclose(out, alpha * x, rtol=1e-6)
