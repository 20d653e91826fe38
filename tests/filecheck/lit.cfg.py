# lit configuration for khal's filecheck tests: IR (or Python kernels) in, IR/asm out.
# ruff: noqa: F821 - lit injects `config` into this file
import os
import shutil
import sys

import lit.formats

config.name = "khal"
# The internal shell: execute_external=True is deprecated from lit 23 on (and raises).
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".py"]
config.excludes = ["lit.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)

bindir = os.path.dirname(sys.executable)
config.environment["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
for name in ("HOME", "KHAL_CACHE_DIR", "KHAL_NO_CACHE", "PYTHONPATH"):
    if name in os.environ:
        config.environment[name] = os.environ[name]
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("filecheck", shutil.which("filecheck", path=bindir) or "filecheck"))

# The target-neutral head of every pipeline, as a `-p` spec: tests of the common prefix name it once.
from khal.passes import COMMON_PREFIX  # noqa: E402

config.substitutions.append(("%khal_common_prefix", ",".join(COMMON_PREFIX)))
