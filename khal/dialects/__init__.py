"""IR definitions: the `khal` dialect (and, later, the SPIR-V subset we emit).

Importing this package makes xDSL build op assembly formats lazily (`khal.dialects.lazy_formats`):
modules that import xDSL dialects on the compile path import it first.
"""

from khal.dialects import lazy_formats as _lazy_formats

_lazy_formats.install()
