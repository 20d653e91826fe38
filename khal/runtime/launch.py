"""`khal.launch`: run one kernel once on numpy arrays, the way a script wants to."""

from __future__ import annotations

from typing import Any

import numpy as np

from khal.kernel import Func, Kernel  # loaded by `import khal` already
from khal.runtime.backend import Backend, Buffer, arity_error
from khal.types import ArrayType


def launch(kernel: Any, grid: Any, *args: Any, backend: Backend | None = None) -> None:
    """Run `kernel` over `grid` on `backend` (default: `khal.default_backend()`) and wait.

    Numpy arrays passed for array parameters are copied to buffers; the ones the kernel writes are
    copied back into the same arrays, in place. Buffers and scalars are passed as they are. Every
    argument is checked before anything runs: a `TypeError`/`ValueError` names the parameter.
    """
    _check_kernel(kernel)
    if backend is None:
        from khal.runtime.select import default_backend

        backend = default_backend()
    elif not isinstance(backend, Backend):
        raise TypeError(
            f"launch(): backend must be a khal backend (khal.Cpu(), khal.default_backend(), ...) or None, "
            f"got {type(backend).__name__} {backend!r}"
        )
    params = kernel.params
    if len(args) != len(params):
        raise arity_error(kernel, len(args))
    plan = backend._plan(kernel)
    written = plan.written_params()
    call_args: list[Any] = []
    copies: list[tuple[np.ndarray, Buffer]] = []
    for i, (p, a) in enumerate(zip(params, args, strict=True)):
        if isinstance(p.type, ArrayType) and isinstance(a, np.ndarray):
            buf = _upload(kernel, p.name, a, written[i], backend)
            if written[i]:
                copies.append((a, buf))
            a = buf
        call_args.append(a)
    encoder = backend.begin_encoding()
    p_ = encoder.begin_pass(kernel.name)
    p_.dispatch(kernel, grid, call_args, plan)
    p_.end()
    backend.submit(encoder)
    backend.synchronize()
    for array, buf in copies:
        backend._read_into(buf, array)


def _check_kernel(kernel: Any) -> None:
    if isinstance(kernel, Kernel):
        return
    if isinstance(kernel, Func):
        raise TypeError(
            f"launch() takes a @khal.kernel; {kernel.name} is a @khal.func, callable only from kernels"
        )
    raise TypeError(f"launch() takes a @khal.kernel, got {type(kernel).__name__} {kernel!r}")


def _upload(kernel: Any, name: str, a: np.ndarray, written: bool, backend: Backend) -> Buffer:
    """A buffer holding a copy of the numpy array argument `name`; its checks name the parameter."""
    where = f"{kernel.name}(): parameter {name!r}"
    if a.ndim == 0:
        raise TypeError(f"{where} is an array; got a 0-d numpy array")
    # Checked now: the copy back after the kernel ran would fail, too late and without the name.
    if written and not a.flags.writeable:
        raise ValueError(f"{where}: the kernel writes this array, but the numpy array is read-only")
    try:
        return backend.init_buffer(a)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{where}: {e}") from None
