"""Differential fuzzing: random well-typed kernels as Python source, run on several backends, compared.

`programs()` is a hypothesis strategy of `Program`s: a kernel (and a few `@khal.func`s) whose body
mixes expressions over the chosen scalar types (every operator, casts between any two types,
literals, ternaries, calls), locals, `if/elif/else`, `for` and `while` loops with `break` and
`continue`, array reads at data-dependent indices, writes to the invocation's own output slots,
atomics on shared counters (each kind on its own slots: the final value is order-independent), and
workgroup memory exchanged through `workgroup_barrier()` in uniform control flow. Every operation is
defined for every input in khal (wrap-around, `x // 0`, shifts modulo the width, saturating
float -> int), so any difference between backends is a bug.

`run_program` compiles the source for each backend, runs it on the same random inputs (from the
program's seed), runs it in Python under khal's rules (emulator.py: the compiler's independent
reference, bit for bit) and compares every output with the reference backend's: bit for bit for integers
and bools and for floats of backends that share a compiler target; within `FLOAT_ULP` ulp for
floats across targets (NaNs equal whatever their payload). `save_regression` writes a failing
program as a permanent case under regressions/ (test_conf_regressions.py runs every one).
"""

from __future__ import annotations

import hashlib
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import emulator
import numpy as np
from hypothesis import strategies as st
from tables import DTYPES, FLOAT_TYPES, INT_TYPES, SCALAR_TYPES, float_edges, int_edges, random_values

import khal
from khal.backends import backend_spec
from khal.runtime.backend import Backend

FLOAT_ULP = 2  # across compiler targets: + - * are correctly rounded everywhere; contraction may differ
REGRESSIONS = Path(__file__).resolve().parent / "regressions"

_INT_BINOPS = ["+", "-", "*", "//", "%", "&", "|", "^", "<<", ">>"]
_FLOAT_BINOPS = ["+", "-", "*"]
_COMPARE = ["<", "<=", ">", ">=", "==", "!="]
ATOMIC_SLOTS = 4  # per kind of atomic, in each of the two counter arrays
_ATOMICS = ["atomic_add", "atomic_sub", "atomic_min", "atomic_max", "atomic_and", "atomic_or", "atomic_xor"]


@dataclass
class Program:
    """A generated kernel: its source, the types of its arrays, its launch shape and input seed."""

    source: str
    types: list[str]
    slots: dict[str, int]  # output slots per invocation, per type
    workgroup_size: int
    groups: int
    seed: int

    @property
    def invocations(self) -> int:
        return self.workgroup_size * self.groups

    def key(self) -> str:
        """A short hash naming this program and its inputs."""
        return hashlib.sha256(f"{self.source}{self.groups}{self.seed}".encode()).hexdigest()[:12]


def _short(t: str) -> str:
    return t.rstrip("_")


@dataclass
class _Gen:
    """The state of one program's generation: hypothesis draws, the locals in scope per type."""

    draw: Any
    types: list[str]
    wg: int
    locals: dict[str, list[str]] = field(default_factory=dict)
    funcs: dict[str, list[str]] = field(default_factory=dict)  # type -> names of (T, T) -> T funcs
    slots: dict[str, int] = field(default_factory=dict)
    in_kernel: bool = True
    tile: str | None = None
    counter: int = 0

    def pick(self, seq: list[Any]) -> Any:
        return self.draw(st.sampled_from(seq))

    def chance(self, p: float) -> bool:
        return self.draw(st.integers(0, 99)) >= 100 - p * 100  # shrinks towards False

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # ------------------------------------------------------------------------------- expressions

    def literal(self, t: str, bare: bool = False) -> str:
        if t == "bool_":
            return self.pick(["True", "False"])
        dt = DTYPES[t]
        if t in FLOAT_TYPES:
            v = self.pick(["0.0", "0.5", "1.0", "2.0", "-1.0", "-2.5", "3.0", "100.0", "0.125"])
        else:
            info = np.iinfo(dt)
            cands = [0, 1, 2, 3, 5, 7, 31, 100, 127, int(min(info.max, 2**31 - 1))]
            if info.min < 0:
                cands += [-1, -2, -7, -100, int(max(info.min, -(2**31) + 1))]
            v = str(self.pick([c for c in cands if info.min <= c <= info.max]))
        if bare and not v.startswith("-"):
            return v  # a bare literal takes the type of the other operand
        return f"{t}({v})"

    def leaf(self, t: str) -> str:
        options = ["literal"]
        if self.locals.get(t):
            options += ["local"] * 3
        if self.in_kernel and t in self.types:
            options += ["read"] * 2
        kind = self.pick(options)
        if kind == "local":
            return self.pick(self.locals[t])
        if kind == "read":
            return f"in_{_short(t)}[{self.index()}]"
        return self.literal(t)

    def index(self) -> str:
        """A u32 index into an input array: data-dependent, always in bounds."""
        if self.chance(0.5):
            return f"(gid + u32({self.draw(st.integers(0, 9))})) % u32({self.wg} * NGROUPS)"
        it = self.pick([t for t in self.types if t in INT_TYPES] or ["i32"])
        return f"u32({self.expr(it, 1)}) % u32({self.wg} * NGROUPS)"

    def expr(self, t: str, depth: int) -> str:
        if depth <= 0 or self.chance(0.3):
            return self.leaf(t)
        kinds = ["binary"] * 4 + ["unary", "ternary", "cast", "minmax"]
        if t == "bool_":
            kinds = ["compare"] * 3 + ["logic"] * 2 + ["not", "ternary", "cast"]
        if self.funcs.get(t):
            kinds.append("call")
        kind = self.pick(kinds)
        sub = depth - 1
        if kind == "binary":
            op = self.pick(_INT_BINOPS if t in INT_TYPES else _FLOAT_BINOPS)
            rhs = self.literal(t, bare=True) if self.chance(0.25) else self.expr(t, sub)
            return f"({self.expr(t, sub)} {op} {rhs})"
        if kind == "unary":
            if t in INT_TYPES:
                return self.pick(
                    [f"(-{self.expr(t, sub)})", f"(~{self.expr(t, sub)})", f"abs({self.expr(t, sub)})"]
                )
            fn = self.pick(["-", "abs", "ks.floor", "ks.ceil", "ks.trunc", "ks.abs"])
            return f"(-{self.expr(t, sub)})" if fn == "-" else f"{fn}({self.expr(t, sub)})"
        if kind == "minmax":
            return f"{self.pick(['min', 'max'])}({self.expr(t, sub)}, {self.expr(t, sub)})"
        if kind == "ternary":
            return f"({self.expr(t, sub)} if {self.expr('bool_', sub)} else {self.expr(t, sub)})"
        if kind == "cast":
            other = self.pick([u for u in SCALAR_TYPES if u != t])
            return f"{t}({self.expr(other, sub)})"
        if kind == "call":
            return f"{self.pick(self.funcs[t])}({self.expr(t, sub)}, {self.expr(t, sub)})"
        if kind == "compare":
            u = self.pick(self.types + ["i32"])
            op = self.pick(["==", "!="] if u == "bool_" else _COMPARE)
            return f"({self.expr(u, sub)} {op} {self.expr(u, sub)})"
        if kind == "logic":
            return f"({self.expr('bool_', sub)} {self.pick(['and', 'or'])} {self.expr('bool_', sub)})"
        return f"(not {self.expr('bool_', sub)})"

    # -------------------------------------------------------------------------------- statements

    def assignable(self) -> list[tuple[str, str]]:
        return [(t, n) for t in self.types for n in self.locals.get(t, []) if not n.startswith("j")]

    def statement(self, depth: int, in_loop: bool, uniform: bool) -> list[str]:
        kinds = ["assign"] * 4 + ["store", "atomic"]
        if depth > 0:
            kinds += ["if", "if", "for", "while"]
        if in_loop:
            kinds += ["break"]
        if uniform and self.tile is not None:
            kinds += ["exchange"] * 2
        kind = self.pick(kinds)
        if kind == "assign":
            t, name = self.pick(self.assignable())
            e = self.expr(t, 3)
            if t != "bool_" and self.chance(0.3):
                op = self.pick(
                    ["+=", "-=", "*="] + (["^=", "|=", "//=", "%=", "<<="] if t in INT_TYPES else [])
                )
                return [f"{name} {op} {e}"]
            return [f"{name} = {e}"]
        if kind == "store":
            t = self.pick(self.types)
            slot = self.slots[t]
            self.slots[t] += 1
            return [f"out_{_short(t)}[gid * NSLOTS_{_short(t)} + {slot}] = {self.expr(t, 3)}"]
        if kind == "atomic":
            op = self.pick(_ATOMICS)
            acc, vt = self.pick([("acc_u", "u32"), ("acc_i", "i32")])
            it = self.pick([t for t in self.types if t in INT_TYPES] or ["i32"])
            # each kind of atomic has its own slots: different kinds on one slot do not commute
            slot = f"u32({_ATOMICS.index(op) * ATOMIC_SLOTS}) + u32({self.expr(it, 2)}) % u32({ATOMIC_SLOTS})"
            return [f"ks.{op}({acc}, {slot}, {vt}({self.expr(it, 2)}))"]
        if kind == "break":
            return [f"if {self.expr('bool_', 2)}:", f"    {self.pick(['break', 'continue'])}"]
        if kind == "exchange":
            return self.exchange()
        if kind == "if":
            lines = [f"if {self.expr('bool_', 2)}:", *self.block(depth - 1, in_loop, False)]
            if self.chance(0.3):
                lines += [f"elif {self.expr('bool_', 2)}:", *self.block(depth - 1, in_loop, False)]
            if self.chance(0.5):
                lines += ["else:", *self.block(depth - 1, in_loop, False)]
            return lines
        if kind == "for":
            var = self.fresh("j")
            uniform_loop = uniform and self.chance(0.5)
            bound = str(self.draw(st.integers(0, 4))) if uniform_loop else f"({self.expr('i32', 2)}) % 5"
            self.locals.setdefault("i32", []).append(var)
            # no break/continue directly governed by a uniform loop: a divergent one would skip the
            # loop's barriers for some invocations (khal rejects that, rightly)
            body = self.block(depth - 1, not uniform_loop, uniform_loop)
            self.locals["i32"].remove(var)
            return [f"for {var} in range({bound}):", *body]
        counter = self.fresh("w")
        bound = f"({self.expr('i32', 2)}) % 4"
        body = self.block(depth - 1, True, False)
        return [f"{counter} = 0", f"while {counter} < {bound}:", f"    {counter} += 1", *body[0:]]

    def block(self, depth: int, in_loop: bool, uniform: bool) -> list[str]:
        n = self.draw(st.integers(1, 3))
        lines: list[str] = []
        for _ in range(n):
            lines += self.statement(depth, in_loop, uniform)
        return ["    " + line for line in lines]

    def exchange(self) -> list[str]:
        """Values through workgroup memory: write, barrier, read a neighbour's, barrier."""
        assert self.tile is not None
        t = self.tile
        name = self.pick(self.locals[t])
        shift = self.draw(st.integers(0, self.wg))
        read = f"tile[(lid + u32({shift})) % u32({self.wg})]"
        update = f"{name} = {read}" if t == "bool_" or self.chance(0.5) else f"{name} = min({name}, {read})"
        return [f"tile[lid] = {self.expr(t, 2)}", "ks.workgroup_barrier()", update, "ks.workgroup_barrier()"]

    def func(self, t: str) -> list[str]:
        """A `(T, T) -> T` device function of its two arguments."""
        name = self.fresh("f")
        saved, self.locals, self.in_kernel = self.locals, {t: ["a", "b"]}, False
        lines = ["@khal.func", f"def {name}(a: {t}, b: {t}) -> {t}:"]
        if self.chance(0.5):
            lines += [f"    if {self.expr('bool_', 2)}:", f"        return {self.expr(t, 2)}"]
        lines += [f"    return {self.expr(t, 3)}", "", ""]
        self.locals, self.in_kernel = saved, True
        self.funcs.setdefault(t, []).append(name)
        return lines


@st.composite
def programs(draw: Any, types: list[str] | None = None) -> Program:
    """A random well-typed kernel over 1-3 scalar types (from `types`, default all)."""
    pool = types or SCALAR_TYPES
    chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
    chosen = sorted(set(chosen) | {"i32"}, key=SCALAR_TYPES.index) if "i32" in pool else chosen
    wg = draw(st.sampled_from([1, 2, 4, 8, 32, 64]))
    g = _Gen(draw, chosen, wg)
    lines: list[str] = []
    for t in chosen:
        if draw(st.integers(0, 3)) == 3:  # shrinks towards no function
            lines += g.func(t)
    params = ", ".join(f"in_{_short(t)}: Array[{t}], out_{_short(t)}: Array[{t}]" for t in chosen)
    body = ["gid = ks.global_invocation_id().x", "lid = ks.local_invocation_id().x"]
    if draw(st.booleans()):
        g.tile = draw(st.sampled_from(chosen))
        body.append(f"tile = ks.workgroup_array({g.tile}, {wg})")
    for t in chosen:
        g.locals[t] = []
        for _ in range(draw(st.integers(1, 2))):
            name = g.fresh("x")
            body.append(f"{name} = {g.expr(t, 2)}")
            g.locals[t].append(name)
    for t in chosen:
        g.slots[t] = len(g.locals[t])
    for _ in range(draw(st.integers(1, 10))):
        body += g.statement(3, False, True)
    for t in chosen:
        body += [f"out_{_short(t)}[gid * NSLOTS_{_short(t)} + {k}] = {n}" for k, n in enumerate(g.locals[t])]
    groups = draw(st.integers(1, 4))
    consts = [f"NGROUPS = {groups}"] + [f"NSLOTS_{_short(t)} = {g.slots[t]}" for t in chosen]
    kernel = [
        *consts,
        "",
        "",
        *lines,
        f"@khal.kernel(workgroup_size={wg})",
        f"def fuzz({params}, acc_u: Array[u32], acc_i: Array[i32]):",
        *("    " + line for line in body),
    ]
    seed = draw(st.integers(0, 2**32 - 1))
    return Program("\n".join(kernel) + "\n", chosen, dict(g.slots), wg, groups, seed)


# ------------------------------------------------------------------------------------------ running


def _is_normal(x: np.ndarray) -> np.ndarray:
    """Which floats of `x` are finite and zero or normal."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(x) & ((x == 0) | (np.abs(x) >= np.finfo(x.dtype).tiny))


def inputs(program: Program, ieee: bool = True) -> list[np.ndarray]:
    """The kernel's arguments, in order: in/out arrays per type, then the two atomic counters. Without
    `ieee`, floats are finite and never subnormal (for a backend without `ieee_floats`)."""
    rng = np.random.default_rng(program.seed)
    n = program.invocations
    args: list[np.ndarray] = []
    for t in program.types:
        dt = DTYPES[t]
        edges = np.array([0, 1], bool)
        if dt.kind != "b":
            edges = float_edges(dt) if dt.kind == "f" else int_edges(dt)
        values = random_values(rng, dt, n)
        if dt.kind == "f" and not ieee:
            edges = edges[_is_normal(edges)]
            values = np.where(_is_normal(values), values, dt.type(1.5))
        pick = rng.random(n) < 0.3
        values[pick] = rng.choice(edges, int(pick.sum()))
        args += [values, np.zeros(n * max(program.slots[t], 1), dt)]
    size = ATOMIC_SLOTS * len(_ATOMICS)
    return args + [np.zeros(size, np.uint32), np.zeros(size, np.int32)]


@dataclass
class Outcome:
    """What one program did: the backends it ran on, those that could not express it, the differences."""

    ran: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)


def run_program(
    program: Program, backends: dict[str, Backend], module: Any = None, python: bool = True
) -> Outcome:
    """Run `program` on every backend of `backends` (the first is the reference) and compare; with
    `python`, compare the reference backend with the program run by Python too (emulator.py): bit for
    bit, floats included (both round each operation once)."""
    from harness import compare, load_source

    kernel = (module or load_source(program.source, "fuzz")).fuzz
    args = inputs(program)
    outcome = Outcome()
    results: dict[str, list[np.ndarray]] = {}
    strict = {n: b for n, b in backends.items() if _keeps_specials(n, b)}
    for name, backend in strict.items():
        copies = [a.copy() for a in args]
        try:
            khal.launch(kernel, program.invocations, *copies, backend=backend)
        except khal.CompileError as e:
            if not results:  # the reference must take every generated program
                raise
            outcome.skipped[name] = str(e).splitlines()[0]
            continue
        results[name] = copies
        outcome.ran.append(name)
    ref_name = next(iter(results))
    ref = results[ref_name]
    if python:
        emulated = emulator.run(program.source, program.workgroup_size, program.groups, args)
        for i, (a, b) in enumerate(zip(ref, emulated, strict=True)):
            try:
                compare(a, b, what=f"argument {i} ({a.dtype}) {ref_name} vs Python")
            except AssertionError as e:
                outcome.differences.append(str(e))
    _compare_runs(results, ref_name, outcome)
    relaxed = {n: b for n, b in backends.items() if n not in strict}
    if relaxed:
        _run_relaxed(program, kernel, strict[ref_name], ref_name, relaxed, outcome)
    return outcome


# Targets where inf and NaN through plain float arithmetic are left undefined on every device: Vulkan
# without the float-controls modes naga drops. Even lavapipe, whose tabled ops keep them
# (`ieee_floats`), folds `x * 0.0` to 0.0 for an infinite x, and random programs find such folds.
SPECIALS_UNDEFINED_TARGETS = frozenset({"webgpu"})


def _keeps_specials(name: str, backend: Backend) -> bool:
    """Is `backend` compared on every program (else only on programs without inf/NaN/subnormals)?"""
    target = getattr(backend, "target", "")
    return getattr(backend, "ieee_floats", True) and target not in SPECIALS_UNDEFINED_TARGETS


def _compare_runs(results: dict[str, list[np.ndarray]], ref_name: str, outcome: Outcome) -> None:
    """Every run of `results` against the reference's, argument by argument."""
    from harness import compare

    ref = results[ref_name]
    for name, got in results.items():
        if name == ref_name:
            continue
        same_target = backend_spec(name).target == backend_spec(ref_name).target
        for i, (a, b) in enumerate(zip(got, ref, strict=True)):
            try:
                ulp = 0 if same_target or a.dtype.kind != "f" else FLOAT_ULP
                compare(a, b, ulp=ulp, what=f"argument {i} ({a.dtype}) {name} vs {ref_name}")
            except AssertionError as e:
                outcome.differences.append(str(e))


def _run_relaxed(
    program: Program,
    kernel: Any,
    reference: Backend,
    ref_name: str,
    backends: dict[str, Backend],
    outcome: Outcome,
) -> None:
    """Backends without `ieee_floats` (WebGPU on most GPU drivers), and every backend of a target in
    `SPECIALS_UNDEFINED_TARGETS`: where an inf, a NaN or a subnormal arises, their result is
    indeterminate (docs/semantics.md). So they get inputs without those, and are
    compared with the reference only when the program, run by Python on those inputs, made none of them
    either (emulator.SPECIALS); otherwise the case is counted as skipped for them, with the reason."""
    args = inputs(program, ieee=False)
    emulator.SPECIALS[0] = False
    emulator.run(program.source, program.workgroup_size, program.groups, args)
    if emulator.SPECIALS[0]:
        for name in backends:
            outcome.skipped[name] = "an inf, NaN or subnormal float arose: indeterminate on this backend"
        return
    results: dict[str, list[np.ndarray]] = {}
    for name, backend in {ref_name: reference, **backends}.items():
        copies = [a.copy() for a in args]
        try:
            khal.launch(kernel, program.invocations, *copies, backend=backend)
        except khal.CompileError as e:
            if name == ref_name:
                raise
            outcome.skipped[name] = str(e).splitlines()[0]
            continue
        results[name] = copies
        outcome.ran.append(name)
    _compare_runs(results, ref_name, outcome)


def save_regression(
    program: Program, outcome: Outcome, directory: Path = REGRESSIONS, title: str = ""
) -> Path:
    """Write `program` as a permanent case: a module holding the kernel and how to run it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"case_{program.key()}.py"
    why = "\n".join(textwrap.shorten(d, 300) for d in outcome.differences) or "(see the test's failure)"
    title = title or "A differential-fuzzing case (tests/conformance/fuzzing.py), shrunk by hypothesis."
    meta = {
        "TYPES": program.types,
        "SLOTS": program.slots,
        "WORKGROUP_SIZE": program.workgroup_size,
        "GROUPS": program.groups,
        "SEED": program.seed,
    }
    from harness import HEADER

    text = (
        "# ruff: noqa\n# fmt: off\n"  # generated source, kept exactly as it ran
        f'"""{title}\n\n'
        f'Found with backends {", ".join(outcome.ran)}:\n{textwrap.indent(why, "    ")}\n"""\n\n'
        + HEADER
        + "".join(f"{k} = {v!r}\n" for k, v in meta.items())
        + "\n"
        + program.source
    )
    path.write_text(text)
    return path


def load_regression(path: Path) -> tuple[Program, Any]:
    """A saved case: its Program and its module (the kernel imported from the saved file)."""
    import importlib.util
    import sys

    name = f"khal_regression_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    text = path.read_text()
    source = text[text.index("\nNGROUPS = ") + 1 :]  # the generated program, after the saved metadata
    program = Program(source, module.TYPES, module.SLOTS, module.WORKGROUP_SIZE, module.GROUPS, module.SEED)
    return program, module
