"""Fuzzing khal-opt (issue 11, item 18): mutated valid IR files give success, or a diagnostic located at a
line and column of the input with exit status 1 - never a traceback, a crash or a hang.

The seeds are the filecheck inputs, run with their RUN line's options (passes and targets included).
Mutations: byte and span edits, inserted IR fragments (unterminated strings, deep brackets, bad bytes),
and line moves and SSA-name swaps, which make IR that parses but uses values before their definitions.
khal-opt runs in this process through its `main` (a subprocess per example would cost 10x), under a
SIGALRM time limit; the number of examples bounds the test to well under a minute.
"""

from __future__ import annotations

import functools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ir_fuzz import TOKENS, Seed, is_located, run_khal_opt, seeds


@functools.cache
def all_seeds() -> list[Seed]:
    return seeds()


def mutate(data: bytes, edits: list[tuple[int, int, int, int]]) -> bytes:
    """Apply `edits` (kind, a, b, pick), positions taken modulo the current size."""
    for kind, a, b, pick in edits:
        if kind < 5:
            i = a % (len(data) + 1)
            j = min(len(data), i + 1 + b % 40)
            if kind == 0:
                data = data[:i] + data[j:]
            elif kind == 1:
                data = data[:i] + TOKENS[pick % len(TOKENS)].encode("utf-8", "surrogateescape") + data[i:]
            elif kind == 2:
                data = data[:i] + data[i:j] * 2 + data[j:]
            elif kind == 3:
                data = data[:i] + bytes([pick % 256]) + data[i + 1 :]
            else:
                data = data[:i]
            continue
        lines = data.split(b"\n")
        x, y = a % len(lines), b % len(lines)
        if kind == 5:
            lines[x], lines[y] = lines[y], lines[x]
        elif kind == 6:
            del lines[x]
        elif kind == 7:
            lines.insert(y, lines[x])
        else:
            names = re.findall(rb"%[A-Za-z0-9_]+", data)
            if names:
                lines[x] = lines[x].replace(names[pick % len(names)], names[(pick // 7) % len(names)])
        data = b"\n".join(lines)
    return data


EDIT = st.tuples(st.integers(0, 8), st.integers(0, 1 << 16), st.integers(0, 1 << 16), st.integers(0, 1 << 16))


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 1 << 16), st.lists(EDIT, min_size=1, max_size=3), st.booleans())
def test_mutated_ir_gives_success_or_a_located_diagnostic(pick: int, edits: list, with_options: bool) -> None:
    seed = all_seeds()[pick % len(all_seeds())]
    data = mutate(seed.text.encode(), edits)
    args = seed.args if with_options else ()
    status, stderr = run_khal_opt(data, args)  # a traceback or a hang raises here
    if status == 0:
        return
    assert status == 1, stderr
    assert is_located(stderr), f"{seed.path.name} {args}: {stderr}"


def test_seeds_are_valid() -> None:
    """The unmutated files succeed or fail with a located diagnostic (some test errors on purpose)."""
    assert len(all_seeds()) >= 20
    for seed in all_seeds():
        status, stderr = run_khal_opt(seed.text.encode(), seed.args)
        assert status == 0 or is_located(stderr), (seed.path, stderr)


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
