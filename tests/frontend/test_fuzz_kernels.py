"""Fuzzing the frontend: mutated valid kernels compile, or fail with a located CompileError.

Each example takes a valid kernel's source, applies a few token-level mutations (delete, duplicate or
swap tokens; change a literal, a name or an operator), imports the result from a file and compiles
it in-process through the CPU pipeline's passes (no JIT: nothing runs). The outcome must be one of:
- success;
- `khal.CompileError` whose text starts with `file:line:col:`;
- at import, before khal compiles anything: Python's own errors for the mutated module (syntax, a
  name or attribute that no longer exists) or the decorator's documented TypeError/ValueError.
Anything else (an internal error of khal or of xDSL) fails the test. Bounded for CI: a fixed number
of examples (300), derandomised: about 10 s.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
import sys
import tokenize
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import khal

HEADER = (
    "from __future__ import annotations\n"
    "import khal\nimport khal.std as ks\n"
    "from khal import Array, Vec3, bool_, f16, f32, f64, i32, u32\n\n"
)

SEEDS = [
    """
@khal.kernel
def k(a: Array[f32], b: Array[f32], n: u32):
    i = ks.global_invocation_id().x
    if i < n and i < len(a):
        x = a[i] * 2.0 + b[i] - 1.5
        if x > 0.0:
            a[i] = ks.sqrt(x)
        elif x < -3.0:
            a[i] = -x
        else:
            a[i] = 0.0
""",
    """
@khal.func
def sq(x: f32) -> f32:
    return x * x

@khal.kernel(workgroup_size=16)
def k(a: Array[f32], out: Array[f32]):
    i = ks.local_invocation_id().x
    g = ks.global_invocation_id().x
    tile = ks.workgroup_array(f32, 16)
    tile[i] = sq(a[g])
    ks.workgroup_barrier()
    acc = 0.0
    for j in range(16):
        acc += tile[j]
    out[g] = acc
""",
    """
@khal.kernel
def k(a: Array[i32], m: i32):
    i = ks.global_invocation_id().x
    s = 0
    j = 0
    while j < m:
        j += 1
        if a[j % 7] == 3:
            continue
        if j > 100:
            break
        s += a[j % 7] // 2 - (j << 1) % 5
    if 0 < s < 1000 and i == 0:
        a[0] = s
""",
    """
@khal.struct
class P:
    pos: Vec3
    mass: f32
    alive: bool_

@khal.kernel
def k(ps: Array[P], dt: f32):
    i = ks.global_invocation_id().x
    if i >= len(ps):
        return
    p = ps[i]
    v = Vec3(1.0, 2.0, 3.0) * dt
    p.pos = p.pos + v if p.alive else p.pos
    p.mass = ks.max(p.mass - dt, 0.0)
    ps[i] = p
""",
    """
@khal.kernel
def k(a: Array[f64], h: Array[f16], c: Array[u32]):
    i = ks.global_invocation_id().x
    if i < len(a):
        h[i] = f16(a[i] * 0.5)
        ks.atomic_add(c, 0, u32(1))
        t = i32(a[i]) if a[i] > 1.0 else -1
        c[1] = u32(t & 255) ^ c[2]
""",
]

NAMES = ["i", "x", "a", "b", "n", "s", "j", "tile", "acc", "sq", "len", "range", "f32", "u32", "i32",
         "ks", "khal", "Vec3", "P", "α", "变量", "print", "min", "abs"]  # fmt: skip
NAMES += ["True", "None", "k", "zz", "ps", "p", "dt", "m", "h", "c", "t", "g"]
NUMBERS = ["0", "1", "-1", "2", "16", "1.5", "0.0", "1e39", "-1e39", "70000.0", "2**31", "4294967296",
           "10**400", "1e308", "3", "True", "65504.0", "1024", "1025", "0x7fffffff"]  # fmt: skip
# An operator is replaced by one of its own group most of the time, so the text stays Python.
BINARY = ["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "@",
          "<", ">", "<=", ">=", "==", "!=", " and ", " or ", " is ", " in "]  # fmt: skip
AUGMENTED = ["+=", "-=", "*=", "/=", "//=", "%=", "**=", "<<=", ">>=", "&=", "|=", "^=", "="]
OTHERS = ["(", ")", "[", "]", ",", ":", ".", "-", "~", " not ", "="]


def tokens_of(source: str) -> list[tuple[int, int, int, str]]:
    """(type, start, end, text) of each token, as offsets into `source`."""
    starts = [0, *itertools.accumulate(len(line) for line in source.splitlines(keepends=True))]
    out = []
    skip = (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type not in skip:
                start = starts[tok.start[0] - 1] + tok.start[1]
                end = starts[tok.end[0] - 1] + tok.end[1]
                out.append((tok.type, start, end, tok.string))
    except (tokenize.TokenError, SyntaxError):
        pass  # an earlier mutation broke the text: mutate the tokens read so far
    return out


@st.composite
def mutated_kernels(draw: st.DrawFn) -> str:
    """A seed kernel with one or two token mutations."""
    source = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 2))):
        # Body lines only: a broken `def` or decorator line is Python's business, not khal's.
        toks = [t for t in tokens_of(source) if source[source.rfind("\n", 0, t[1]) + 1] == " "]
        if not toks:
            break
        ttype, start, end, text = toks[draw(st.integers(0, len(toks) - 1))]
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", *["replace"] * 7]))
        if kind == "delete":
            source = source[:start] + source[end:]
        elif kind == "duplicate":
            source = source[:end] + " " + text + source[end:]
        elif kind == "swap":
            nxt = next((t for t in toks if t[1] >= end), None)
            if nxt is not None and source.count("\n", start, nxt[2]) == 0:
                source = source[:start] + nxt[3] + source[end : nxt[1]] + text + source[nxt[2] :]
        else:
            source = source[:start] + draw(st.sampled_from(_pool(ttype, text))) + source[end:]
    return source


def _pool(ttype: int, text: str) -> list[str]:
    """What a token may become: a number another number, a name another name, an operator one of its kind."""
    if ttype == tokenize.NUMBER:
        return NUMBERS
    if ttype == tokenize.NAME:
        return [" and ", " or "] if text in ("and", "or") else NAMES
    if text in AUGMENTED:
        return AUGMENTED
    if text.strip() in (o.strip() for o in BINARY):
        return BINARY
    return OTHERS


_counter = itertools.count()


def import_kernel(tmp_dir: Path, source: str) -> Any:
    """The kernel `k` of `source`, or None when the mutated module is not valid Python."""
    path = tmp_dir / f"fuzz_{next(_counter)}.py"
    path.write_text(HEADER + source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module  # @khal.struct evaluates string annotations in its module
    try:
        spec.loader.exec_module(module)
    except (SyntaxError, NameError, AttributeError, TypeError, ValueError):
        return None  # Python's verdict on the module (or the decorator's documented check)
    finally:
        del sys.modules[path.stem]
    k = getattr(module, "k", None)
    return k if isinstance(k, khal.Kernel) else None


def check_outcome(k: Any) -> None:
    """Compile `k` through the CPU passes; only success or a located CompileError may come out."""
    try:
        k.ir(target="cpu")
    except khal.CompileError as e:
        text = str(e)
        assert text.startswith(f"{e.filename}:{e.line}:{e.col}: "), text
        assert e.filename.endswith(".py") and e.line >= 1 and e.col >= 1, text


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every generated file."""
    return tmp_path_factory.mktemp("fuzz")


def test_seeds_compile(fuzz_dir: Path) -> None:
    for source in SEEDS:
        k = import_kernel(fuzz_dir, source)
        assert k is not None
        k.ir(target="cpu")


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(source=mutated_kernels())
def test_mutated_kernels(fuzz_dir: Path, source: str) -> None:
    k = import_kernel(fuzz_dir, source)
    if k is not None:
        check_outcome(k)
