"""mpc.prg.Prg: equal to standard AES-128-CTR (`cryptography`) with the counter layout of
protocols/primitives.md, deterministic from its seed, statistically balanced, unbiased in
integers_below, never wrapping its counter.  Statistical thresholds are stated where used.
"""
from __future__ import annotations

import hashlib
import math
import os

import numpy as np
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mpc.native.aes import AesKey, has_aes_ni
from mpc.prg import Prg, derive_session_key

NI = pytest.param("ni", marks=pytest.mark.skipif(not has_aes_ni(), reason="CPU lacks AES-NI"))
IMPLS = [NI, "portable"]
SIGMAS = 6  # a correct generator fails a 6-sigma check with probability about 2e-9


def openssl_ctr(seed: bytes, first_block: int, nbytes: int) -> bytes:
    counter_block = bytes(8) + first_block.to_bytes(8, "big")
    return Cipher(algorithms.AES(seed), modes.CTR(counter_block)).encryptor().update(bytes(nbytes))


@pytest.mark.parametrize("impl", IMPLS)
def test_stream_is_standard_aes_ctr(impl):
    seed = os.urandom(16)
    prg = Prg(seed, impl=impl)
    assert prg.impl == impl
    assert prg.bytes(1000) == openssl_ctr(seed, 0, 1000)           # 63 blocks, tail discarded
    assert prg.blocks_used == 63
    assert prg.blocks(5).tobytes() == openssl_ctr(seed, 63, 80)
    assert prg.uint64(6).tobytes() == openssl_ctr(seed, 68, 48)
    assert prg.blocks_used == 71


def test_spec_vectors():
    # protocols/primitives.md section 5.
    seed = bytes(range(16))
    assert Prg(seed).bytes(40).hex() == (
        "c6a13b37878f5b826f4f8162a1c8d8797346139595c0b41e497bbde365f42d0a49d68753999ba68c")
    assert [int(v) for v in Prg(seed).uint64(2)] == [0x825b8f87373ba1c6, 0x79d8c8a162814f6f]
    assert Prg(seed).derive("ot").bytes(16).hex() == "6b94cda1f8c9a461a080fbfcaf28754b"
    assert derive_session_key("gc-hash", bytes(16), b"\x01" * 16).hex() == "7bf17a3e68daf487f7056ac2c1215496"


def test_known_answer_zero_seed():
    # AES-128 of the all-zero block under the all-zero key (the first CTR block): a classic vector.
    assert Prg(bytes(16)).bytes(16).hex() == "66e94bd4ef8a2c3b884cfa59ca342b2e"


@pytest.mark.parametrize("impl", IMPLS)
def test_keystream_at_high_counters_and_wrap_refusal(impl):
    seed = os.urandom(16)
    key = AesKey(seed, impl)
    top = 2**64 - 3
    assert key.keystream(top, 48) == openssl_ctr(seed, top, 48)
    assert key.keystream(top, 47) == openssl_ctr(seed, top, 47)
    with pytest.raises(OverflowError):
        key.keystream(top, 49)
    prg = Prg(seed, impl=impl)
    prg._counter = 2**64 - 1  # white-box: jump to the last counter value
    assert prg.bytes(16) == openssl_ctr(seed, 2**64 - 1, 16)
    with pytest.raises(OverflowError):
        prg.bytes(1)
    assert prg.bytes(0) == b""


def test_deterministic_from_seed_and_fresh_when_unseeded():
    seed = os.urandom(16)
    assert Prg(seed).bytes(4096) == Prg(seed).bytes(4096)
    assert Prg(seed).bytes(64) != Prg(os.urandom(16)).bytes(64)
    assert Prg().bytes(32) != Prg().bytes(32)
    assert Prg.random().bytes(32) != Prg.random().bytes(32)
    if has_aes_ni():
        assert Prg(seed, impl="ni").bytes(5000) == Prg(seed, impl="portable").bytes(5000)


def test_shapes_and_types():
    prg = Prg()
    assert isinstance(prg.bytes(7), bytes) and len(prg.bytes(7)) == 7
    blocks = prg.blocks(3)
    assert blocks.shape == (3, 16) and blocks.dtype == np.uint8
    words = prg.uint64(5)
    assert words.shape == (5,) and words.dtype == np.uint64
    bits = prg.bits(13)
    assert bits.shape == (13,) and bits.dtype == np.uint8 and set(np.unique(bits)) <= {0, 1}
    assert prg.blocks(0).shape == (0, 16) and prg.bits(0).shape == (0,)
    target = np.zeros(100, dtype=np.uint8)
    prg.fill(target)
    assert target.any()
    with pytest.raises(ValueError):
        Prg(bytes(15))
    with pytest.raises(ValueError):
        prg.bytes(-1)
    assert "Prg(" in repr(prg)


def test_repr_hides_the_seed():
    seed = os.urandom(16)
    assert seed.hex() not in repr(Prg(seed))


def test_bits_are_balanced():
    n = 2_000_000
    bits = Prg().bits(n)
    ones = int(bits.sum())
    sigma = math.sqrt(n) / 2
    assert abs(ones - n / 2) < SIGMAS * sigma
    # Each of the 8 bit positions within a byte is balanced too.
    per_position = bits[: n - n % 8].reshape(-1, 8).sum(axis=0)
    m = n // 8
    assert np.all(np.abs(per_position - m / 2) < SIGMAS * math.sqrt(m) / 2)


def test_uint64_words_are_balanced_per_bit():
    m = 200_000
    words = Prg().uint64(m)
    bits = np.unpackbits(words.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    per_bit = bits.sum(axis=0)
    assert per_bit.shape == (64,)
    assert np.all(np.abs(per_bit - m / 2) < SIGMAS * math.sqrt(m) / 2)


@pytest.mark.parametrize("bound", [1, 2, 3, 10, 1000, 2**61 - 1, 2**63 + 5, 2**64])
def test_integers_below_are_in_range(bound):
    values = Prg().integers_below(bound, 5000)
    assert values.dtype == np.uint64 and values.shape == (5000,)
    assert int(values.max()) < bound
    if bound > 1000:  # a large range: values spread (6-sigma bound on the top half count)
        upper = int((values >= np.uint64(bound // 2)).sum())
        assert abs(upper - 2500) < SIGMAS * math.sqrt(5000) / 2


def test_integers_below_are_unbiased():
    # bound 10 with a 4-bit mask rejects 6 of 16 candidates; a modulo reduction would not be uniform.
    n, bound = 200_000, 10
    counts = np.bincount(Prg().integers_below(bound, n).astype(np.int64), minlength=bound)
    expected = n / bound
    sigma = math.sqrt(n * (1 / bound) * (1 - 1 / bound))
    assert counts.shape == (bound,)
    assert np.all(np.abs(counts - expected) < SIGMAS * sigma)
    # bound 3 (2-bit mask): a "mask without rejection" bug would produce 3.
    assert set(np.unique(Prg().integers_below(3, 10_000))) == {0, 1, 2}


def test_integers_below_a_big_prime():
    p = 2**127 - 1
    values = Prg().integers_below(p, 2000)
    assert values.dtype == object and len(values) == 2000
    assert all(0 <= int(v) < p for v in values)
    upper = sum(int(v) >= 2**126 for v in values)  # about half of them
    assert abs(upper - 1000) < SIGMAS * math.sqrt(2000) / 2
    assert len(set(values)) == 2000


def test_derive_is_deterministic_per_label_and_independent_of_consumption():
    seed = os.urandom(16)
    parent, other = Prg(seed), Prg(seed)
    other.bytes(12345)
    assert parent.derive("ot").bytes(64) == other.derive(b"ot").bytes(64)
    assert parent.derive("ot").bytes(64) != parent.derive("gc").bytes(64)
    assert parent.derive("ot").bytes(64) != parent.bytes(64)
    digest = hashlib.sha256(b"mpc.prg.derive.v1\x00" + (16).to_bytes(8, "big") + seed
                            + (2).to_bytes(8, "big") + b"ot").digest()[:16]
    assert Prg(seed).derive("ot").bytes(32) == Prg(digest).bytes(32)


def test_session_key_derivation():
    a, b = os.urandom(16), os.urandom(16)
    key = derive_session_key("gc-hash", a, b)
    assert len(key) == 16
    assert key == derive_session_key(b"gc-hash", a, b)
    assert key != derive_session_key("gc-hash", b, a)       # party order matters
    assert key != derive_session_key("ot-hash", a, b)       # labels separate uses
    assert key != derive_session_key("gc-hash", a + b[:1], b[1:])  # length-prefixed: no ambiguity
    with pytest.raises(ValueError):
        derive_session_key("gc-hash")


def _agree_key_and_draw(session):
    """Each party contributes 16 fresh bytes; all derive the same key (protocols/primitives.md §4)."""
    others = [p for p in range(session.parties) if p != session.me]
    mine = os.urandom(16)
    for peer in others:
        session.channel(peer).send("prg-test:key-share", mine)
    shares = {session.me: mine}
    for peer in others:
        shares[peer] = bytes(session.channel(peer).recv_bytes("prg-test:key-share", size=16))
    key = derive_session_key("prg-test", *(shares[p] for p in range(session.parties)))
    hashed = AesKey(key).hash_tccr(bytes(16 * 9), 0)
    return key, hashed, session.rng.bytes(32), Prg(key).derive("child").bytes(32)


def test_parties_in_separate_processes_agree_on_keys_and_keep_private_streams():
    import mpc

    results = mpc.run_local(_agree_key_and_draw, parties=3, timeout=30)
    keys, hashes, private, shared = zip(*results)
    assert len(set(keys)) == 1 and len(set(hashes)) == 1 and len(set(shared)) == 1
    assert len(set(private)) == 3  # each process seeded its own Session.rng from os.urandom


def _draw_in_child(prgs, conn):
    conn.send([prg.bytes(32) for prg in prgs] + [prgs[0].derive("x").bytes(16)])
    conn.close()


def test_forked_children_never_share_a_self_seeded_stream():
    import multiprocessing

    seed = os.urandom(16)
    prgs = [Prg(), Prg(seed)]
    prgs[0].bytes(5)  # state before the fork must not matter
    context = multiprocessing.get_context("fork")
    parent_end, child_end = context.Pipe()
    child = context.Process(target=_draw_in_child, args=(prgs, child_end))
    child.start()
    child_self, child_seeded, child_derived = parent_end.recv()
    child.join(10)
    assert child_self != prgs[0].bytes(32)           # reseeded in the child
    assert child_seeded == prgs[1].bytes(32) == Prg(seed).bytes(32)  # seeded: deterministic
    assert child_derived != prgs[0].derive("x").bytes(16)
