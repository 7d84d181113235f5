"""The only door to the compiled C core `mpc._native` (see native/ and ../DESIGN.md layer 1).

Area modules beside this one (`aes`, `ot`, `garble`, `rsa_psi`, `field`, ...) check argument types
and sizes, call one batch kernel per protocol step, and turn return codes into exceptions via
`check`.  Nothing else in mpc imports `mpc._native`.
"""
from __future__ import annotations

from pathlib import Path

from mpc._fingerprint import fingerprint
from mpc._version import __version__
from mpc.errors import NativeBuildError, NativeError

_REBUILD = "rebuild it with `pip install -e .` (or `pip install .`) from the project root"

try:
    from mpc._native import ffi, lib  # noqa: F401  (re-exported to the area modules only)
except ImportError as exc:  # pragma: no cover - only on a broken install
    raise NativeBuildError(f"the C core mpc._native is not built or failed to load ({exc}); {_REBUILD}") from exc

CORE_VERSION = ffi.string(lib.mpc_core_version()).decode()
CORE_FINGERPRINT = ffi.string(lib.mpc_core_fingerprint()).decode()


def _check_build() -> None:
    if CORE_VERSION != __version__:
        raise NativeBuildError(
            f"the C core is version {CORE_VERSION} but the package is {__version__}; {_REBUILD}")
    native_dir = Path(__file__).resolve().parents[2] / "native"
    if (native_dir / "build.py").is_file():  # a source checkout: is the build current?
        current = fingerprint(native_dir)
        if current != CORE_FINGERPRINT:
            raise NativeBuildError(
                f"the C core was built from other sources (built {CORE_FINGERPRINT}, "
                f"native/ now {current}); {_REBUILD}")


_check_build()

_MESSAGES = {
    -1: "bad argument",
    -2: "out of memory",
    -3: "a cryptographic library call failed",
    -4: "a self-check failed",
    -5: "malformed circuit",
    -6: "not supported by this CPU or build",
    -7: "a value is outside its domain",
}


def check(code: int, what: str) -> None:
    """Raise `NativeError` naming `what` when a kernel returned a negative code."""
    if code < 0:
        raise NativeError(f"{what}: {_MESSAGES.get(code, 'error')} (code {code})", code)


def buffer(data, writable: bool = False):
    """A cffi `uint8_t *` over a bytes-like or C-contiguous numpy object, without copying."""
    return ffi.from_buffer("uint8_t[]", data, require_writable=writable)
