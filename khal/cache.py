"""The compile cache: memory first, then disk, keyed by everything that decides the compiled code.

Key = sha256 of the kernel's `cache_key()` (its source and every `khal.func` it reaches, its types),
the target and its options (e.g. the host CPU and its features), khal's version, and a fingerprint
of the compiler's own source files (so that a changed pass never serves stale code).

On disk (`KHAL_CACHE_DIR`, default `~/.cache/khal`; `KHAL_NO_CACHE=1` turns both levels off) a
record is a pickled dict a target can rebuild its artifact from without the compiler: for the CPU,
the optimised LLVM IR and the argument layout, so a hit needs llvmlite alone and never imports xDSL.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import khal

# Bump when the record format changes.
RECORD_FORMAT = 1

_COMPILER_DIRS = ("dialects", "frontend", "passes", "targets")


def enabled() -> bool:
    """False when `KHAL_NO_CACHE=1`."""
    return os.environ.get("KHAL_NO_CACHE", "") not in ("1", "true", "yes")


def cache_dir() -> Path:
    """Where records live: `KHAL_CACHE_DIR`, else `~/.cache/khal`."""
    return Path(os.environ.get("KHAL_CACHE_DIR") or Path.home() / ".cache" / "khal")


_fingerprint: str | None = None


def compiler_fingerprint() -> str:
    """A hash of the compiler's source files (name, size, mtime): changes whenever the compiler does."""
    global _fingerprint
    if _fingerprint is None:
        root = Path(khal.__file__).parent
        h = hashlib.sha256()
        paths = [root / "compiler.py"]
        for d in _COMPILER_DIRS:
            paths.extend(sorted((root / d).rglob("*.py")))
        for p in paths:
            try:
                st = p.stat()
            except OSError:
                continue
            h.update(f"{p.relative_to(root)}:{st.st_size}:{st.st_mtime_ns};".encode())
        _fingerprint = h.hexdigest()[:16]
    return _fingerprint


def make_key(kernel_key: str, target: str, options: str) -> str:
    """The cache key of a kernel compiled for `target` with `options`."""
    text = "\0".join(
        (str(RECORD_FORMAT), kernel_key, target, options, khal.__version__, compiler_fingerprint())
    )
    return hashlib.sha256(text.encode()).hexdigest()


class CompileCache:
    """Memory dict in front of a directory of pickled records."""

    def __init__(self) -> None:
        self._memory: dict[str, Any] = {}

    def get(self, key: str) -> Any | None:
        """The in-memory compiled object, or None."""
        return self._memory.get(key) if enabled() else None

    def put(self, key: str, value: Any) -> None:
        """Remember a compiled object for this process."""
        if enabled():
            self._memory[key] = value

    def load(self, key: str) -> dict[str, Any] | None:
        """The on-disk record of `key`, or None (missing, unreadable, or of another format)."""
        if not enabled():
            return None
        import pickle

        path = cache_dir() / f"{key}.pkl"
        try:
            with open(path, "rb") as f:
                record = pickle.load(f)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
            return None
        return record

    def store(self, key: str, record: dict[str, Any]) -> None:
        """Write a record atomically (a concurrent reader sees all of it or nothing); errors are ignored."""
        if not enabled():
            return
        import pickle
        import tempfile

        directory = cache_dir()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                pickle.dump({**record, "format": RECORD_FORMAT}, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, directory / f"{key}.pkl")
        except OSError:
            # A read-only home or a full disk only costs a recompile next time.
            pass

    def clear_memory(self) -> None:
        """Forget what this process compiled (the disk is left alone)."""
        self._memory.clear()


CACHE = CompileCache()
"""The process-wide compile cache."""
