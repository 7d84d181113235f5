"""Constant-time signing (spec: protocols/psi-rsa.md, "Constant time").

The ctgrind-style check (tools/ctgrind/check_rsa_psi.py: valgrind's memcheck with the private key
marked undefined) runs when valgrind and gcc are installed; the recombination on fixed-width limbs
is checked against pow() for both orders of the primes (so that sq >= p occurs) and random values,
including values with leading zero bytes and 1 and n - 1.
"""
from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mpc.native import rsa_psi as kernels
from mpc.psi.keys import RsaPsiKey

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not (shutil.which("valgrind") and shutil.which("gcc")), reason="needs valgrind and gcc")
def test_memcheck_finds_no_secret_dependent_branch_in_the_signing_path():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "ctgrind" / "check_rsa_psi.py")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "canary (the harness branches on a key byte): 1 report(s)" in result.stdout
    assert "0 report(s) not allowed" in result.stdout


@pytest.mark.parametrize("swap", [False, True], ids=["p,q", "q,p"])
def test_constant_time_recombination_matches_pow(swap):
    key = RsaPsiKey.generate(1024, allow_small=True)
    n, p, q, dp, dq, qinv = kernels.split_private_key(key.blob)
    if swap:
        p, q, dp, dq, qinv = q, p, dq, dp, pow(p, -1, q)
    blob = kernels.private_key_blob(n, p, q, dp, dq, qinv, 128)
    d = pow(key.public.e, -1, math.lcm(p - 1, q - 1))
    values = [1, n - 1, 2, int.from_bytes(b"\x00\x00\x07" + os.urandom(125), "big")]
    values += [int.from_bytes(os.urandom(128), "big") % n for _ in range(60)]
    messages = np.frombuffer(b"".join(v.to_bytes(128, "big") for v in values), dtype=np.uint8).reshape(-1, 128)
    signed = kernels.sign(blob, key.public.e, messages, threads=2)
    assert [int.from_bytes(row.tobytes(), "big") for row in signed] == [pow(v, d, n) for v in values]
