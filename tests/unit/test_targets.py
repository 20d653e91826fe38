"""The target registry, the kernel interface a target's ABI pass writes, and KHAL_DUMP_IR."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from xdsl.utils.arg_spec import parse_pipeline

import khal
import khal.std as ks
from khal import Array, Mat3, UVec2, Vec3, bool_, f32, f64, i8, u32
from khal.cache import CACHE
from khal.compiler import compile_kernel, stages
from khal.passes import COMMON_PREFIX, all_passes
from khal.targets import (
    BINARY_STAGES,
    TARGET_STAGES,
    TARGETS,
    Interface,
    check_target,
    get_target,
    target_names,
    target_of_stage,
)


@khal.struct
class Body:
    pos: Vec3
    mass: f32
    tag: u32
    small: i8


@khal.kernel(workgroup_size=(8, 2))
def every_kind(
    out: Array[f32], src: Array[f32], alpha: f32, v: Vec3, body: Body, m: Mat3, flag: bool_, d: f64, uv: UVec2
):
    i = ks.global_invocation_id().x
    if i < len(out):
        x = src[i] * alpha + v.y + body.mass + body.pos.z + m[1].x + f32(d) + f32(uv.y)
        if flag:
            x += 1.0
        out[i] = x


@khal.kernel
def add_assign(a: Array[f32], b: Array[f32]):
    tid = ks.global_invocation_id().x
    if tid < len(a):
        a[tid] += b[tid]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(6)


# --------------------------------------------------------------------------- the registry


@pytest.mark.parametrize("name", target_names())
def test_every_target_pipeline_parses(name: str) -> None:
    target = get_target(name)
    specs = list(parse_pipeline(target.pipeline()))
    assert [s.name for s in specs][: len(COMMON_PREFIX)] == [
        s.name for s in parse_pipeline(",".join(COMMON_PREFIX))
    ]
    known = all_passes()
    assert all(s.name in known for s in specs), [s.name for s in specs if s.name not in known]
    assert len(target.passes()) == len(specs)
    # The registry lists the stages without importing the target; they must agree with the class.
    assert TARGET_STAGES[name] == tuple(s.name for s in target.stages)
    assert {s.name for s in target.stages if s.binary} <= BINARY_STAGES
    assert stages(name) == ["khal", *target.pass_names(), *TARGET_STAGES[name]]


def test_registry_is_lazy_and_reports_unknown_targets() -> None:
    assert all(":" in factory for factory in TARGETS.values())
    assert TARGETS["webgpu"] == "khal.targets.spirv:SpirvTarget"
    check_target("webgpu")  # built: no error
    for stage in TARGET_STAGES["webgpu"]:
        assert target_of_stage(stage).name == "webgpu"
    with pytest.raises(ValueError, match="unknown target"):
        check_target("nope")


def test_asm_per_stage() -> None:
    llvm = add_assign.asm("cpu", "llvm")
    assert isinstance(llvm, str) and 'define void @"add_assign"' in llvm
    optimised = add_assign.asm("cpu", "llvm-opt")
    assert isinstance(optimised, str) and "add_assign__entry" in optimised
    assert add_assign.llvm_ir() == optimised
    with pytest.raises(ValueError, match="no stage"):
        add_assign.asm("cpu", "khal-infer-access")
    binary = add_assign.spirv()
    assert binary[:4] == b"\x03\x02\x23\x07" and binary == add_assign.asm("webgpu", "spirv")


# --------------------------------------------------------------------------- the interface


def _numpy_block(kernel: Any) -> np.dtype:
    """numpy's aligned layout of the argument block: arrays as ptr/len u64, values by value."""
    fields: list[tuple[str, Any]] = []
    for p in kernel.params:
        if isinstance(p.type, khal.types.ArrayType):
            fields += [(f"{p.name}.ptr", np.uint64), (f"{p.name}.len", np.uint64)]
        else:
            fields.append((p.name, p.type.dtype))
    fields.append(("__num_workgroups", (np.uint32, (3,))))
    return np.dtype(fields, align=True)


def test_interface_offsets_are_numpys() -> None:
    interface = compile_kernel(every_kind, "cpu").interface
    expected = _numpy_block(every_kind)
    offsets = expected.fields
    assert offsets is not None
    assert interface.kernel == "every_kind" and interface.workgroup_size == (8, 2, 1)
    assert [p.name for p in interface.params] == [p.name for p in every_kind.params]
    for p in interface.params:
        if p.kind == "array":
            assert p.fields == {"ptr": offsets[f"{p.name}.ptr"][1], "len": offsets[f"{p.name}.len"][1]}
        else:
            dtype, offset = offsets[p.name][:2]
            assert (p.offset, p.size) == (offset, dtype.itemsize), p.name
    assert interface.num_workgroups == offsets["__num_workgroups"][1]
    assert interface.block_size == expected.itemsize
    body = next(p for p in interface.params if p.name == "body")
    inner = Body.dtype.fields
    # Each scalar of the struct, in field order (the vector's three components first).
    assert body.leaves == (
        body.offset,
        body.offset + 4,
        body.offset + 8,
        body.offset + inner["mass"][1],
        body.offset + inner["tag"][1],
        body.offset + inner["small"][1],
    )


def test_interface_access_and_json_round_trip() -> None:
    interface = compile_kernel(every_kind, "cpu").interface
    assert [p.access for p in interface.params[:2]] == ["write", "read"]
    assert interface.written == (True, False, False, False, False, False, False, False, False)
    text = json.dumps(interface.to_json())
    assert Interface.from_json(json.loads(text)) == interface
    assert Interface.from_json(text) == interface


def test_record_holds_json_and_top_level_bytes() -> None:
    record = compile_kernel(every_kind, "cpu").artifact.record()
    assert all(isinstance(k, str) for k in record)
    plain = {k: v for k, v in record.items() if not isinstance(v, bytes)}
    assert json.loads(json.dumps(plain)) == plain
    artifact = get_target("cpu").load(json.loads(json.dumps(plain)))  # no object code: recompiled
    assert artifact.interface == compile_kernel(every_kind, "cpu").interface


def test_every_kind_runs_from_its_interface(rng: np.random.Generator) -> None:
    n = 100
    src = rng.standard_normal(n).astype(np.float32)
    out = np.zeros(n, np.float32)
    v = rng.standard_normal(3).astype(np.float32)
    body = np.array(((1.5, -2.0, 3.25), 0.5, 7, -3), dtype=Body.dtype)
    m = rng.standard_normal((3, 3)).astype(np.float32)
    alpha, d, uv = 1.75, 0.125, (4, 9)
    khal.launch(every_kind, n, out, src, alpha, v, body, m, True, d, uv, backend=khal.Cpu())
    expected = src * np.float32(alpha) + v[1] + np.float32(0.5) + np.float32(3.25) + m[1, 0]
    expected = expected + np.float32(d) + np.float32(9) + np.float32(1)
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)


# --------------------------------------------------------------------------- KHAL_DUMP_IR


def test_dump_ir_writes_every_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KHAL_NO_CACHE", "1")
    monkeypatch.setenv("KHAL_DUMP_IR", str(tmp_path))
    CACHE.clear_memory()
    compile_kernel(add_assign, "cpu")
    names = stages("cpu")
    target = get_target("cpu")
    exts = {s.name: s.ext for s in target.stages}
    expected = [f"add_assign.cpu.{i:02d}-{stage}.{exts.get(stage, 'mlir')}" for i, stage in enumerate(names)]
    assert sorted(p.name for p in tmp_path.iterdir()) == expected
    abi = tmp_path / expected[names.index("khal-cpu-lower-abi")]
    assert "khal.interface = {" in abi.read_text()
    assert "add_assign__entry" in (tmp_path / expected[-1]).read_text()
