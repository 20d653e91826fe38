"""Helpers for the LLVM lowering tests: parse IR, run `LOWERING`, translate, JIT, call.

`LOWERING` is `khal-expand-arith` (khal's definitions of division by zero, shifts, float-to-int,
from the common prefix) followed by `LLVM_LOWERING`: what arith IR goes through in a kernel.

Functions are called through ctypes with numpy arrays expanded to (pointer, int64 length), the
ABI `convert-khal-to-llvm` gives `!khal.array` parameters.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from typing import Any

import llvmlite.binding as llvm
import numpy as np
from xdsl.context import Context
from xdsl.dialects import get_all_dialects
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser

from khal.dialects.khal import Khal
from khal.dialects.llvm_ext import LLVMExtended
from khal.passes import get_pass
from khal.targets.llvm import LLVM_LOWERING, translate_module

LOWERING: tuple[str, ...] = ("khal-expand-arith", *LLVM_LOWERING)

_initialised = False


def context() -> Context:
    """A context with every xDSL dialect, `llvm` extended with khal's ops, and khal."""
    ctx = Context()
    for name, factory in get_all_dialects().items():
        if name != "llvm":
            ctx.register_dialect(name, factory)
    ctx.register_dialect("llvm", lambda: LLVMExtended)
    ctx.load_dialect(Khal)
    return ctx


def parse(text: str) -> ModuleOp:
    """Parse and verify a module."""
    module = Parser(context(), text).parse_module()
    module.verify()
    return module


def lower(text: str | ModuleOp, passes: Sequence[str] = LOWERING) -> ModuleOp:
    """Run `passes` (verifying after each) on IR text or a module."""
    module = parse(text) if isinstance(text, str) else text
    ctx = context()
    for name in passes:
        get_pass(name)().apply(ctx, module)
        module.verify()
    return module


def llvm_ir(text: str | ModuleOp, passes: Sequence[str] = LOWERING) -> str:
    """The LLVM IR text of lowered IR (checked by LLVM's parser and verifier)."""
    ir_text = str(translate_module(lower(text, passes)))
    mod = llvm.parse_assembly(ir_text)
    mod.verify()
    return ir_text


class Jit:
    """An MCJIT engine for one module; `fn(name, restype, argtypes)` gives a ctypes function."""

    def __init__(self, ir_text: str, optimize: bool = False):
        global _initialised
        if not _initialised:
            llvm.initialize_native_target()
            llvm.initialize_native_asmprinter()
            _initialised = True
        mod = llvm.parse_assembly(ir_text)
        mod.verify()
        target = llvm.Target.from_default_triple()
        tm = target.create_target_machine(
            cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(), opt=3
        )
        if optimize:
            pto = llvm.create_pipeline_tuning_options(speed_level=3)
            pto.loop_vectorization = True
            pto.slp_vectorization = True
            pb = llvm.create_pass_builder(tm, pto)
            pb.getModulePassManager().run(mod, pb)
        self.ir = str(mod)
        self.engine = llvm.create_mcjit_compiler(mod, tm)
        self.engine.finalize_object()
        self.engine.run_static_constructors()

    def fn(self, name: str, restype: Any, argtypes: Sequence[Any]) -> Any:
        """The JIT'd function `name` as a ctypes function."""
        addr = self.engine.get_function_address(name)
        assert addr, f"no function {name}"
        return ctypes.CFUNCTYPE(restype, *argtypes)(addr)


def jit(text: str | ModuleOp, optimize: bool = False, passes: Sequence[str] = LOWERING) -> Jit:
    """Lower, translate and JIT-compile."""
    return Jit(llvm_ir(text, passes), optimize)


_CTYPES = {
    np.dtype(np.float32): ctypes.c_float,
    np.dtype(np.float64): ctypes.c_double,
    np.dtype(np.int8): ctypes.c_int8,
    np.dtype(np.int16): ctypes.c_int16,
    np.dtype(np.int32): ctypes.c_int32,
    np.dtype(np.int64): ctypes.c_int64,
    np.dtype(np.uint8): ctypes.c_uint8,
    np.dtype(np.uint16): ctypes.c_uint16,
    np.dtype(np.uint32): ctypes.c_uint32,
    np.dtype(np.uint64): ctypes.c_uint64,
}


def call(engine: Jit, name: str, *args: Any, restype: Any = None) -> Any:
    """Call `name` with numpy arrays (as pointer + length), numpy scalars and Python ints (i32)."""
    argtypes: list[Any] = []
    values: list[Any] = []
    for a in args:
        if isinstance(a, np.ndarray):
            assert a.flags.c_contiguous
            argtypes += [ctypes.c_void_p, ctypes.c_int64]
            values += [a.ctypes.data, len(a)]
        elif isinstance(a, np.generic):
            argtypes.append(_CTYPES[a.dtype])
            values.append(a.item())
        elif isinstance(a, float):
            argtypes.append(ctypes.c_float)
            values.append(a)
        else:
            argtypes.append(ctypes.c_int32)
            values.append(int(a))
    return engine.fn(name, restype, argtypes)(*values)


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance in units in the last place between two float32 arrays (NaN == NaN, inf == inf)."""
    a = np.asarray(a, np.float32)
    b = np.asarray(b, np.float32)
    ia = a.view(np.int32).astype(np.int64)
    ib = b.view(np.int32).astype(np.int64)
    # Map the sign-magnitude encoding onto a monotonic integer line.
    ia = np.where(ia < 0, -(ia & 0x7FFFFFFF), ia)
    ib = np.where(ib < 0, -(ib & 0x7FFFFFFF), ib)
    d = np.abs(ia - ib)
    both_nan = np.isnan(a) & np.isnan(b)
    one_nan = np.isnan(a) ^ np.isnan(b)
    d = np.where(both_nan, 0, d)
    return np.where(one_nan, np.iinfo(np.int64).max, d)
