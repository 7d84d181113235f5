"""Fingerprint of the C core's sources, shared by native/build.py and `mpc.native`'s stale-build check."""
from __future__ import annotations

import hashlib
from pathlib import Path


def source_files(native_dir: Path) -> list[Path]:
    return sorted(native_dir.glob("*.c")) + sorted(native_dir.glob("*.h")) + [native_dir / "build.py"]


def fingerprint(native_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in source_files(native_dir):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
