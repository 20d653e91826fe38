"""`khal.launch`: run one kernel once on numpy arrays, the way a script wants to."""

from __future__ import annotations

from typing import Any

import numpy as np

from khal.types import ArrayType
from khal.runtime.backend import Backend, Buffer


def launch(kernel: Any, grid: Any, *args: Any, backend: Backend | None = None) -> None:
    """Run `kernel` over `grid` on `backend` (default: `khal.default_backend()`) and wait.

    Numpy arrays passed for array parameters are copied to buffers; the ones the kernel writes are
    copied back into the same arrays, in place. Buffers and scalars are passed as they are.
    """
    if backend is None:
        from khal.runtime.select import default_backend

        backend = default_backend()
    plan = backend._plan(kernel)
    params = kernel.params
    if len(args) != len(params):
        from khal.runtime.backend import arity_error

        raise arity_error(kernel, len(args))
    call_args: list[Any] = []
    copies: list[tuple[np.ndarray, Buffer]] = []
    written = plan.written_params()
    for i, (p, a) in enumerate(zip(params, args, strict=True)):
        if isinstance(p.type, ArrayType) and isinstance(a, np.ndarray):
            if a.ndim == 0:
                raise TypeError(f"{kernel.name}(): parameter {p.name!r} is an array; got a 0-d numpy array")
            buf = backend.init_buffer(a)
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
