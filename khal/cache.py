"""The compile cache: memory first, then disk, keyed by everything that decides the compiled code.

Key = sha256 of the kernel's `cache_key()` (its source and every `khal.func` it reaches, its types),
the target and its options (e.g. the host CPU and its features), khal's version, and a fingerprint
of the compiler's own source files (so that a changed pass never serves stale code).

On disk (`KHAL_CACHE_DIR`, default `~/.cache/khal`; `KHAL_NO_CACHE=1` turns both levels off) a
record is a dict a target can rebuild its artifact from without the compiler: for the CPU, the
optimised LLVM IR, the object code and the argument layout, so a hit needs llvmlite alone and never
imports xDSL. A record holds data only (JSON values, plus `bytes` at the top level): the entry is
`MAGIC`, the format version, JSON metadata, the raw bytes, and a sha256 of all of it; it is parsed
strictly and never unpickled, so a damaged entry is detected (a warning, removed, compiled again)
instead of crashing or silently running wrong code. The checksum guards against damage, not against
an attacker: whoever can write the cache directory can write a valid entry with any machine code,
so keep it private like any directory of executables.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import stat
import struct
import tempfile
import warnings
from pathlib import Path
from typing import Any

import khal

# Bump when the record format changes.
RECORD_FORMAT = 2

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


class CacheEntryError(ValueError):
    """An on-disk entry that is not a well-formed, intact record of the key asked for."""


MAGIC = b"KHAL-CACHE\n"
"""The first bytes of every entry."""
ENTRY_SUFFIX = ".khc"
_LENGTHS = struct.Struct("<IQ")  # format version, length of the JSON metadata
_DIGEST = hashlib.sha256().digest_size
_MAX_ENTRY = 1 << 30  # an entry is LLVM IR plus an object file: a gigabyte is not one of ours


def encode_entry(key: str, record: dict[str, Any]) -> bytes:
    """An entry's bytes: magic, version, JSON metadata, the `bytes` values, then a sha256 of all that.

    `record` maps str keys to JSON values (str, int, float, bool, None, lists, dicts) or to `bytes`
    (top level only); anything else is a TypeError or ValueError.
    """
    fields: dict[str, Any] = {}
    blobs: list[tuple[str, bytes]] = []
    for name, value in record.items():
        if not isinstance(name, str):
            raise TypeError(f"cache record keys are str, not {name!r}")
        if isinstance(value, bytes | bytearray | memoryview):
            blobs.append((name, bytes(value)))
        else:
            fields[name] = value
    meta = {"key": key, "fields": fields, "blobs": [[name, len(blob)] for name, blob in blobs]}
    text = json.dumps(meta, allow_nan=False, separators=(",", ":")).encode()
    body = b"".join([MAGIC, _LENGTHS.pack(RECORD_FORMAT, len(text)), text, *(b for _, b in blobs)])
    return body + hashlib.sha256(body).digest()


def decode_entry(key: str, data: bytes) -> dict[str, Any]:
    """The record in an entry's bytes; CacheEntryError unless every check passes."""
    body, digest = data[:-_DIGEST], data[-_DIGEST:]
    if len(data) < len(MAGIC) + _LENGTHS.size + _DIGEST or not data.startswith(MAGIC):
        raise CacheEntryError("not a khal cache entry")
    if not hmac.compare_digest(hashlib.sha256(body).digest(), digest):
        raise CacheEntryError("checksum mismatch (truncated or corrupted)")
    version, meta_len = _LENGTHS.unpack_from(body, len(MAGIC))
    if version != RECORD_FORMAT:
        raise CacheEntryError(f"entry format {version}, expected {RECORD_FORMAT}")
    start = len(MAGIC) + _LENGTHS.size
    meta = _parse_meta(body[start : start + meta_len])
    if meta["key"] != key:
        raise CacheEntryError("entry of another key")
    record: dict[str, Any] = dict(meta["fields"])
    offset = start + meta_len
    for name, length in meta["blobs"]:
        record[name] = body[offset : offset + length]
        offset += length
    if offset != len(body):
        raise CacheEntryError("blob lengths disagree with the entry's size")
    return record


def _reject_constant(name: str) -> Any:
    raise CacheEntryError(f"non-JSON constant {name}")


def _parse_meta(text: bytes) -> dict[str, Any]:
    """The metadata object, checked to have exactly the shape `encode_entry` writes."""
    try:
        meta = json.loads(text.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise CacheEntryError(f"bad metadata: {e}") from None
    if not (isinstance(meta, dict) and set(meta) == {"key", "fields", "blobs"}):  # pyright: ignore[reportUnknownArgumentType]
        raise CacheEntryError("bad metadata: wrong keys")
    fields, blobs = meta["fields"], meta["blobs"]  # pyright: ignore[reportUnknownVariableType]
    if not isinstance(meta["key"], str) or not isinstance(fields, dict) or not isinstance(blobs, list):
        raise CacheEntryError("bad metadata: wrong types")
    for blob in blobs:  # pyright: ignore[reportUnknownVariableType]
        ok = isinstance(blob, list) and len(blob) == 2  # pyright: ignore[reportUnknownArgumentType]
        if not (ok and isinstance(blob[0], str) and type(blob[1]) is int and blob[1] >= 0):
            raise CacheEntryError("bad metadata: malformed blob list")
        if blob[0] in fields:
            raise CacheEntryError(f"bad metadata: {blob[0]!r} is both a field and a blob")
    return meta  # pyright: ignore[reportUnknownVariableType]


def _read_regular_file(path: Path) -> bytes:
    """The bytes of `path` if it is a regular file; a FIFO or device is never opened for reading in full.

    O_NONBLOCK keeps `open` from waiting for a FIFO's writer; the type is then checked on the open file.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise CacheEntryError("not a regular file")
        if st.st_size > _MAX_ENTRY:
            raise CacheEntryError(f"{st.st_size} bytes: too large for an entry")
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read(_MAX_ENTRY + 1)
    finally:
        os.close(fd)


class CompileCache:
    """Memory dict in front of a directory of entries (see `encode_entry`): data only, no pickle."""

    def __init__(self) -> None:
        self._memory: dict[str, Any] = {}

    def get(self, key: str) -> Any | None:
        """The in-memory compiled object, or None."""
        return self._memory.get(key) if enabled() else None

    def put(self, key: str, value: Any) -> None:
        """Remember a compiled object for this process."""
        if enabled():
            self._memory[key] = value

    @staticmethod
    def path(key: str) -> Path:
        """Where the entry of `key` lives."""
        return cache_dir() / f"{key}{ENTRY_SUFFIX}"

    def load(self, key: str) -> dict[str, Any] | None:
        """The on-disk record of `key`, or None when there is none.

        An entry that fails any check (see `decode_entry`; also a FIFO, a directory, an unreadable
        file) is reported with a warning and removed: the caller compiles again and stores afresh.
        """
        if not enabled():
            return None
        path = self.path(key)
        try:
            return decode_entry(key, _read_regular_file(path))
        except FileNotFoundError:
            return None
        except (OSError, CacheEntryError) as e:
            self.discard(key, str(e))
            return None

    def discard(self, key: str, reason: str) -> None:
        """Warn that the entry of `key` cannot be used (`reason`) and remove it."""
        path = self.path(key)
        warnings.warn(
            f"khal: ignoring the compile-cache entry {path}: {reason}; compiling again",
            CacheWarning,
            stacklevel=3,
        )
        try:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()  # only an empty one: a directory of someone's files is left alone
            else:
                path.unlink()
        except OSError:
            pass

    def store(self, key: str, record: dict[str, Any]) -> None:
        """Write a record atomically (a concurrent reader sees all of it or nothing).

        OS errors are ignored (a read-only or full disk only costs a recompile next time) and leave no
        temporary file behind; a record outside the contract (see `encode_entry`) is a TypeError/ValueError.
        """
        if not enabled():
            return
        data = encode_entry(key, record)
        directory = cache_dir()
        tmp: str | None = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, self.path(key))
            tmp = None
        except OSError:
            pass
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def clear_memory(self) -> None:
        """Forget what this process compiled (the disk is left alone)."""
        self._memory.clear()


class CacheWarning(UserWarning):
    """A compile-cache entry could not be used (it is removed and the kernel compiled again)."""


CACHE = CompileCache()
"""The process-wide compile cache."""
