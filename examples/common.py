"""What every example shares: a `--backend` option and optional positional sizes, parsed one way.

    python examples/NAME.py [SIZES...] [--backend cpu|cpu-parallel|webgpu|cuda]

The backend names are khal's own (`khal.backends.BACKEND_NAMES`); without `--backend` an example
runs on `khal.default_backend()` (KHAL_BACKEND, else the best available one).
"""

from __future__ import annotations

import argparse
from typing import Any

import khal
from khal.backends import BACKEND_NAMES
from khal.runtime.select import make_backend


def setup(doc: str | None, argv: list[str], sizes: list[tuple[str, Any, str]]) -> tuple[Any, khal.Backend]:
    """Parse `argv[1:]`: each of `sizes` is (name, default, help), an optional positional argument of
    the default's type; `--backend NAME` picks the backend. Returns (the arguments, the backend)."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, default, help_text in sizes:
        parser.add_argument(name, nargs="?", type=type(default), default=default, help=help_text)
    parser.add_argument(
        "--backend", choices=BACKEND_NAMES, default=None, help="default: khal.default_backend()"
    )
    args = parser.parse_args(argv[1:])
    backend = make_backend(args.backend) if args.backend else khal.default_backend()
    return args, backend
