"""Parameters of KKRT-PSI (protocols/psi-kkrt.md, "Parameters"): the cuckoo table size, the OPRF
output length, and the run's AES keys.

Cuckoo hashing with 3 hash functions and no stash fails exactly when no assignment of items to
distinct bins exists (Hall's condition fails: some k items have all their 3k bins among k - 1 or
fewer) or the insertion walk gives up.  A union bound over those sets gives a rigorous upper bound
on the first:  P <= sum_{k=2..n} C(n, k) C(m, k-1) ((k-1)/m)^(3k)  (`union_bound_log2`).  The
client picks the smallest m (a multiple of 128) for which that is <= 2^-40: computed exactly for
n < 4096; from n = 4096 on, m = 1.6 n satisfies it (the k = 2 term, about n^2 m^-5 / 2, dominates
and falls with n; every other term falls exponentially in n: 2^-40.4 at n = 2^12, 2^-64.4 at
2^20), so 1.6 n is used without the sum.  For comparison, the empirical fit of Pinkas, Schneider,
Weinert, Wieder (EUROCRYPT 2018), lambda = 123.5 Phi((log2 n - 6.3)/2.3) e - 130 Phi((log2 n -
6.45)/2.18), and libOTe's no-stash rule e = (145 + lambda)/125 ask for e = 1.48 at large n; our
measurements (tests/test_psi_kkrt_cuckoo.py, the spec) found that fit optimistic for n <= 256.
The client announces m in its hello, so both parties use the same table whatever the float maths.
"""
from __future__ import annotations

import functools
import hashlib
import math

STAT_BITS = 40
LARGE_N = 4096                 # from here on m = 1.6 n (union bound <= 2^-40.4, falling with n)
LARGE_EXPANSION = 1.6
MAX_EVICTIONS = 4096           # per insertion
BLOCK = 128                    # bins come in OT-extension blocks of 128
MAX_CLIENT_ROWS = 1 << 31      # bins must fit a uint32
KEY_LABEL = b"mpc/psi-kkrt/v1/key"


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def psww_security_bits(n: int, expansion: float) -> float:
    """lambda = -log2 of the failure probability for n items in expansion * n bins, by PSWW18's fit
    (for comparison only; the table size comes from the union bound)."""
    log_n = math.log2(max(n, 1))
    return 123.5 * _phi((log_n - 6.3) / 2.3) * expansion - 130 * _phi((log_n - 6.45) / 2.18)


def _log_choose(a: int, b: int) -> float:
    return math.lgamma(a + 1) - math.lgamma(b + 1) - math.lgamma(a - b + 1)


def union_bound_log2(n: int, m: int) -> float:
    """log2 of sum_{k=2..n} C(n,k) C(m,k-1) ((k-1)/m)^(3k): an upper bound on the probability
    that n items with 3 uniform bins each in m bins admit no cuckoo assignment."""
    if n < 2:
        return -math.inf
    terms = [_log_choose(n, k) + _log_choose(m, k - 1) + 3 * k * math.log((k - 1) / m)
             for k in range(2, min(n, m + 1) + 1)]
    if n > m:
        return 0.0
    top = max(terms)
    return (top + math.log(sum(math.exp(t - top) for t in terms))) / math.log(2)


@functools.lru_cache(maxsize=256)
def bin_count(n_client: int) -> int:
    """The client's cuckoo table size for n_client distinct items: a multiple of 128, at least 128
    (0 for none), with failure probability <= 2^-40 by the union bound."""
    if n_client <= 0:
        return 0
    if n_client >= LARGE_N:
        return BLOCK * math.ceil(LARGE_EXPANSION * n_client / BLOCK)
    low, high = BLOCK, BLOCK * math.ceil(200 * n_client / BLOCK) + BLOCK
    while low < high:  # the bound falls as m grows
        middle = (low + high) // 2
        if union_bound_log2(n_client, middle) <= -STAT_BITS:
            high = middle
        else:
            low = middle + 1
    return BLOCK * math.ceil(low / BLOCK)


def max_bins(n_client: int) -> int:
    """The largest table a server accepts for n_client rows (bounds its memory: 64 bytes a bin)."""
    return 0 if n_client <= 0 else BLOCK * math.ceil((200 * n_client + BLOCK) / BLOCK)


def value_bytes(n_client: int, n_server: int) -> int:
    """OPRF bytes compared: ≥ 41 + 2·log2(max n) bits, so that a false match among the
    n_client·n_server comparisons, or two own values colliding (n_client²), together stay
    below 2^-40; 8..16 bytes."""
    largest = max(n_client, n_server, 1)
    bits = STAT_BITS + 1 + 2 * math.log2(largest)
    return min(16, max(8, math.ceil(bits / 8)))


def run_keys(domain: bytes) -> tuple[bytes, list[bytes]]:
    """(cuckoo bin key, the 12 code keys) of one run: SHA-256(label ‖ u8(i) ‖ domain)[:16]."""
    keys = [hashlib.sha256(KEY_LABEL + bytes([i]) + domain).digest()[:16] for i in range(13)]
    return keys[0], keys[1:]
