"""cffi builder for `mpc._native`, the C core (API mode, out of line).

setuptools runs this through `cffi_modules` in setup.py on `pip install .` / `pip install -e .`.
The exported surface is every `native/mpc_*.h` header: their declarations (preprocessor lines
stripped) are the cffi cdef, so a header is the single source of truth for its area.  Files named
`internal_*.h` are private to the C core.  The build embeds the package version and a fingerprint of
the C sources so that `mpc.native` can tell a stale build from a current one.
"""
from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

from cffi import FFI

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if __name__ == "__main__":
    os.chdir(ROOT)


def _rel(path: Path) -> str:
    # setuptools refuses absolute source paths; the build runs from the project root.
    return os.path.relpath(path, Path.cwd())


def package_version() -> str:
    text = (ROOT / "mpc" / "_version.py").read_text(encoding="utf-8")
    return re.search(r'__version__\s*=\s*"([^"]+)"', text).group(1)


def fingerprint() -> str:
    # Loaded by path: importing the mpc package would need the module being built.
    spec = importlib.util.spec_from_file_location("_mpc_fingerprint", ROOT / "mpc" / "_fingerprint.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.fingerprint(HERE)


def _cdef_text() -> str:
    parts = []
    for header in sorted(HERE.glob("mpc_*.h")):
        lines = [ln for ln in header.read_text(encoding="utf-8").splitlines()
                 if not ln.lstrip().startswith("#")]
        parts.append("\n".join(lines))
    return "\n".join(parts)


ffibuilder = FFI()
ffibuilder.cdef(_cdef_text())
ffibuilder.set_source(
    "mpc._native",
    "\n".join(f'#include "{h.name}"' for h in sorted(HERE.glob("mpc_*.h"))),
    sources=[_rel(p) for p in sorted(HERE.glob("*.c"))],
    include_dirs=[_rel(HERE)],
    libraries=["gmp", "crypto", "sodium", "pthread"],
    define_macros=[
        ("MPC_CORE_VERSION", f'"{package_version()}"'),
        ("MPC_CORE_FINGERPRINT", f'"{fingerprint()}"'),
    ],
    # No -march=native: the wheel must run on any x86-64; AES-NI paths use per-function
    # target attributes and a runtime CPU check instead.
    extra_compile_args=["-O3", "-std=gnu11", "-fvisibility=hidden", "-Wall", "-Wextra",
                        "-Wno-unused-parameter"],
)

if __name__ == "__main__":
    # Developer build in place (`python native/build.py`): writes mpc/_native*.so.
    ffibuilder.compile(tmpdir=str(ROOT), verbose=False)
