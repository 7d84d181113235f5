"""Bytes and rounds measured on the transport equal the formulas of protocols/ss-additive.md and
protocols/ss-shamir.md (per party, payload plus one 33-byte header + tag per message)."""
import numpy as np
import pytest

from mpc.ss import api
from mpc.ss.ring import RING64, RING128
from mpc.transport import run_threads
from ss_session import ThreadSession

HEADER = 33


def header(tag: str) -> int:
    return HEADER + len(tag)


def traffic(session, prefix):
    c = session.stats.tags.get(prefix)
    return (0, 0) if c is None else (c.bytes_sent, c.rounds)


@pytest.mark.parametrize("parties", [2, 3, 4])
def test_beaver_multiplication_bytes_and_rounds(parties):
    n = 1000

    def job(endpoint):
        s = ThreadSession(endpoint)
        api.configure(s, triples="insecure-dealer")
        x = api.input(s, np.arange(n) if s.me == 0 else None, owner=0)
        y = api.input(s, np.arange(n) if s.me == 1 else None, owner=1)
        api.context(s).triples.prepare(n)
        x * y
        mul = traffic(s, "ss:mul")
        a = api.input(s, np.ones((4, 5)) if s.me == 0 else None, owner=0)
        b = api.input(s, np.ones((5, 6)) if s.me == 1 else None, owner=1)
        a @ b
        return mul, traffic(s, "ss:matmul"), traffic(s, "ss:truncate")
    for mul, matmul, truncate in run_threads(job, parties=parties):
        # Integers (Z_2^64): 16 N bytes to each of the n - 1 peers in one round.
        assert mul == ((parties - 1) * (16 * n + header("ss:mul")), 1)
        # Reals (Z_2^128): 16 bytes per opened element.
        assert matmul == ((parties - 1) * (16 * (4 * 5 + 5 * 6) + header("ss:matmul")), 1)
        # Fixed point: no bytes for local truncation (2 parties), one masked opening otherwise.
        expected_truncate = 0 if parties == 2 else (parties - 1) * (16 * 4 * 6 + header("ss:truncate"))
        assert truncate[0] == expected_truncate


@pytest.mark.parametrize("ring", [RING64, RING128], ids=["z64", "z128"])
def test_gilboa_triple_bytes_match_formula(ring):
    count = 4096

    def job(endpoint):
        s = ThreadSession(endpoint)
        triples = api.context(s).triples
        triples.prepare(128, ring)      # base OTs and first batch, not counted below
        before = s.stats.protocol("iknp").bytes_sent
        triples.prepare(count, ring)
        return s.stats.protocol("iknp").bytes_sent - before
    sent = run_threads(job, parties=2)
    # Per ordered pair and triple: Z_2^64 64 OTs x (16 + 8) bytes; Z_2^128 128 OTs x 16 bytes of u plus
    # 1088 bytes of corrections (OT t sends 16 - t // 8 bytes); 2 ordered pairs.
    per_pair = 1536 if ring is RING64 else 128 * 16 + 1088
    payload = per_pair * count * 2
    overhead = sum(sent) - payload
    assert 0 <= overhead < 0.01 * payload      # only message headers on top of the formula


@pytest.mark.parametrize("parties", [3, 5])
def test_shamir_multiplication_bytes_and_rounds(parties):
    n = 1000

    def job(endpoint):
        s = ThreadSession(endpoint)
        x = api.input(s, np.arange(n) if s.me == 0 else None, owner=0, kind="shamir")
        y = api.input(s, np.arange(n) if s.me == 1 else None, owner=1, kind="shamir")
        x * y
        mul = traffic(s, "ss:shamir-reshare")
        x.dot(y)
        dot = traffic(s, "ss:shamir-reshare")
        return mul, dot
    for mul, dot in run_threads(job, parties=parties):
        assert mul == ((parties - 1) * (8 * n + header("ss:shamir-reshare")), 1)
        # A dot product of any length re-shares one element.
        assert dot[0] - mul[0] == (parties - 1) * (8 + header("ss:shamir-reshare"))


@pytest.mark.parametrize("ring", [RING64, RING128], ids=["z64", "z128"])
def test_vector_ot_matrix_triple_bytes_match_formula(ring):
    m, k, p = 4, 8, 6

    def job(endpoint):
        s = ThreadSession(endpoint)
        triples = api.context(s).triples
        triples.prepare(128, ring)
        before = s.stats.protocol("iknp").bytes_sent
        triples.take_matrix(m, k, p, ring)
        return s.stats.protocol("iknp").bytes_sent - before
    sent = run_threads(job, parties=2)
    w = ring.bits
    # 2 ordered pairs, w OTs per element of A: u rows (16 bytes) + two messages of p ring elements.
    payload = 2 * w * m * k * (16 + 2 * (w // 8) * p)
    assert 0 <= sum(sent) - payload < 0.01 * payload


@pytest.mark.parametrize("count", [1, 511, 512, 1500])
def test_gilboa_z128_bytes_equal_the_ot_formula_and_shares_multiply(count):
    """IKNP gilboa_z128 on its own: exact bytes of protocols/ot-iknp.md (mpc.ot.iknp_bytes) for
    batches within one chunk, at a chunk boundary and over several chunks; shares add to u v."""
    from mpc.native import ring as native
    from mpc.ot import IknpReceiver, IknpSender, iknp_bytes
    rng = __import__("mpc.prg", fromlist=["Prg"]).Prg()
    u, v = RING128.random(rng, count), RING128.random(rng, count)

    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        role = IknpSender(channel) if endpoint.me == 0 else IknpReceiver(channel)
        role.setup()
        before = channel.stats.protocol("iknp").bytes_sent
        share = role.gilboa_z128(v if endpoint.me == 0 else u)
        return share, channel.stats.protocol("iknp").bytes_sent - before
    (s0, sent0), (s1, sent1) = run_threads(party, parties=2)
    expected = iknp_bytes("gilboa-z128", 128 * count)
    assert (sent0, sent1) == (expected["sender"], expected["receiver"])
    assert native.to_python(native.add(s0, s1)) == [
        (a * b) % (1 << 128) for a, b in zip(native.to_python(u), native.to_python(v))]
