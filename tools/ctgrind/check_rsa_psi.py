"""Constant-time check of the RSA-PSI signing path with valgrind's memcheck (ctgrind-style).

For maintainers and CI (tests/test_psi_consttime.py runs it when valgrind is installed; spec:
protocols/psi-rsa.md, "Constant time").  Builds tools/ctgrind/rsa_psi_harness.c with the kernels
(native/rsa_psi.c, rsa_psi_ct.c, rsa_psi_pool.c, rsa_psi_keygen.c) at the package's -O3 with
-DMPC_CTGRIND, runs it under memcheck with the private key marked undefined, and sorts every report
(a branch or memory address that depends on a secret) by the mpc function it comes from and the
libcrypto function that mpc function called:
  - a report inside mpc's own code fails the check;
  - a report inside libcrypto fails it unless that call is in ALLOWED below, with its reason
    (so BN_mod_sub or BN_mul on CRT halves, the old recombination, would fail it);
  - the harness's --canary run, which branches on a key byte, must be reported (the check can fail).
Exit status 0 when all hold.  Usage: python tools/ctgrind/check_rsa_psi.py [--keep DIR] [--verbose]
"""
from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NATIVE = ROOT / "native"
SOURCES = ["rsa_psi.c", "rsa_psi_ct.c", "rsa_psi_pool.c", "rsa_psi_keygen.c"]
OUR_FILES = re.compile(r"^(rsa_psi[a-z_]*\.c|rsa_psi_harness\.c):\d+$")

# (mpc function, libcrypto function it calls): why a report below that call is acceptable.
KEY_LOADING = "key loading, once per kernel call as in OpenSSL's RSA: leading-zero normalisation of p, q, dp, dq, qinv"
ALLOWED = {
    ("rsa_key_load", "BN_bin2bn"): KEY_LOADING,
    ("rsa_key_load", "BN_MONT_CTX_set"): KEY_LOADING,
    ("rsa_key_load", "BN_mod_mul_montgomery"): KEY_LOADING + " (qinv to Montgomery form)",
    ("rsa_key_load", "BN_to_montgomery"): KEY_LOADING + " (qinv to Montgomery form)",
    ("rsa_key_load", "BN_CTX_free"): KEY_LOADING + " (freeing scratch)",
    ("rsa_ct_setup", "*"): KEY_LOADING + " (limb copies of p, q, qinv)",
    ("crt_sign", "BN_mod_mul_montgomery"): "blinding products mod n: OpenSSL trims the result's word length, which "
                                            "differs only when its top 64-bit word is 0 (probability 2^-64)",
    ("crt_sign", "BN_nnmod"): "blinded value mod p, q (BN_FLG_CONSTTIME division): the same word-length trim",
    ("blinding_init", "BN_mod_mul_montgomery"): "blinding pair to Montgomery form: the same word-length trim",
    ("crt_sign", "BN_mod_exp_mont_consttime_x2"): "OpenSSL's constant-time CRT exponentiation; its result is trimmed",
    ("crt_sign", "???"): "BN_bn2lebinpad of the CRT halves (OpenSSL's constant-time fixed-length export)",
    ("crt_sign", "BN_lebin2bn"): "import of the blinded signature s' = m^d r, uniform and independent of the key",
    ("crt_sign", "BN_mod_exp_mont"): "fault check s^e on the signature, which leaves anyway",
    ("crt_sign", "BN_cmp"): "fault check s^e == m, whose outcome is public",
    ("blinding_init", "BN_mod_exp_mont_consttime"): "r^e with BN_FLG_CONSTTIME",
    ("blinding_init", "BN_mod_inverse"): "r^-1 with BN_FLG_CONSTTIME (OpenSSL's branch-free inversion)",
    ("blinding_init", "BN_to_montgomery"): "blinding pair to Montgomery form",
    ("random_residue", "BN_bin2bn"): "import of fresh randomness (blinding r), leading zeros only",
    ("random_residue", "BN_nnmod"): "reduction of fresh randomness mod the public n",
    ("random_residue", "BN_is_zero"): "rejection of r = 0, outcome public",
    ("sign_chunk", "???"): "BN_bn2binpad of the signature that is sent",
    ("final_hash", "???"): "BN_bn2binpad into SHA-256 of the server's own signature",
    ("final_hash", "EVP_DigestUpdate"): "SHA-256 of the server's own signature",
    ("final_hash", "EVP_DigestFinal_ex"): "SHA-256 of the server's own signature",
}


def build(out: Path) -> Path:
    binary = out / "rsa_psi_harness"
    command = ["gcc", "-O3", "-g", "-std=gnu11", "-DMPC_CTGRIND", f"-I{NATIVE}", str(HERE / "rsa_psi_harness.c"),
               *[str(NATIVE / s) for s in SOURCES], "-lcrypto", "-lpthread", "-o", str(binary)]
    subprocess.run(command, check=True)
    return binary


def reports(binary: Path, *args: str) -> collections.Counter:
    """Memcheck reports of one run, counted by (mpc function, its callee or '' if in mpc's code)."""
    command = ["valgrind", "--tool=memcheck", "--num-callers=50", "--error-limit=no", str(binary), *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"harness failed (exit {result.returncode}):\n{result.stderr[-4000:]}")
    found: collections.Counter = collections.Counter()
    for block in re.split(r"\n==\d+== \n", result.stderr):
        if "depends on uninitialised" not in block and "Use of uninitialised" not in block:
            continue
        frames = re.findall(r"(?:at|by) 0x[0-9A-Fa-f]+: (\S+) \(([^)]*)\)", block)
        for i, (function, where) in enumerate(frames):
            if OUR_FILES.match(where.removeprefix("in ")):
                found[(function, frames[i - 1][0] if i else "")] += 1
                break
        else:
            found[("?", frames[0][0] if frames else "?")] += 1
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", help="build in this directory and keep it")
    parser.add_argument("--verbose", action="store_true", help="list the allowed libcrypto reports")
    args = parser.parse_args()
    if not shutil.which("valgrind") or not shutil.which("gcc"):
        print("valgrind and gcc are needed", file=sys.stderr)
        return 2
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mpc-ctgrind-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        binary = build(work)
        canary = reports(binary, "--canary")
        found = reports(binary)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    failures = {site: n for site, n in found.items()
                if site[1] == "" or not (site in ALLOWED or (site[0], "*") in ALLOWED)}
    allowed = {site: n for site, n in found.items() if site not in failures}
    canary_seen = canary.get(("main", ""), 0)
    print(f"canary (the harness branches on a key byte): {canary_seen} report(s) in main")
    print(f"signing path: {sum(failures.values())} report(s) not allowed, "
          f"{sum(allowed.values())} inside allowed libcrypto calls")
    if args.verbose:
        for (function, callee), n in sorted(allowed.items()):
            reason = ALLOWED.get((function, callee)) or ALLOWED[(function, "*")]
            print(f"  {n:5d}  {function} -> {callee}: {reason}")
    ok = True
    if not canary_seen:
        print("FAIL: memcheck did not report the canary branch; the check is not working", file=sys.stderr)
        ok = False
    for (function, callee), n in sorted(failures.items()):
        where = f"in {function} itself" if not callee else f"in {callee} called from {function}"
        print(f"FAIL: {n} secret-dependent branch(es) or address(es) {where}", file=sys.stderr)
        ok = False
    if ok:
        print("OK: no secret-dependent branch or memory index in mpc's signing code or its unexpected calls")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
