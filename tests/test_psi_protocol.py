"""RSA-PSI roles over the in-process transport: the intersection equals the plaintext one.

Spec: protocols/psi-rsa.md.  Covers random data, empty, identical, disjoint, duplicate and
non-ASCII ids, several key columns, both reveal modes, mismatched options, hostile and vanishing
peers, and the byte counts of the spec's cost formula.
"""
from __future__ import annotations

import hashlib
import os
import time

import numpy as np
import pytest

import mpc.psi as psi
from mpc.errors import PeerTimeout, ProtocolError
from mpc.psi import messages as msg
from mpc.psi.ids import PackedIds
from mpc.transport import run_threads


def run_psi(server_ids, client_ids, **options):
    reveal = options.pop("reveal", "both")
    client_reveal = options.pop("client_reveal", reveal)

    def party(endpoint):
        if endpoint.me == 0:
            return psi.server(endpoint, server_ids, reveal=reveal, **options)
        return psi.client(endpoint, client_ids, reveal=client_reveal)
    return run_threads(party, parties=2, timeout=30)


def check_against_plaintext(server_ids, client_ids, **options):
    server, client = run_psi(server_ids, client_ids, **options)
    expected = set(server_ids) & set(client_ids)
    assert client.size == len(expected) and set(client.ids) == expected
    assert sorted(client.positions.tolist()) == [i for i, x in enumerate(client_ids) if x in expected]
    assert [client_ids[i] for i in client.positions] == [x for x in client.ids
                                                          for _ in range(client_ids.count(x))]
    if options.get("reveal", "both") == "both":
        assert server.ids == client.ids  # the shared order
        assert sorted(server.positions.tolist()) == [i for i, x in enumerate(server_ids) if x in expected]
    return server, client


def random_ids(count: int, seed: bytes) -> list[str]:
    return [hashlib.sha256(seed + i.to_bytes(4, "big")).hexdigest()[:12] for i in range(count)]


def test_random_sets():
    pool = random_ids(500, os.urandom(8))
    pick = np.frombuffer(os.urandom(500), dtype=np.uint8)
    server_ids = [x for x, b in zip(pool, pick) if b & 1]
    client_ids = [x for x, b in zip(pool, pick) if b & 2]
    check_against_plaintext(server_ids, client_ids, batch_size=37)


def test_empty_inputs():
    check_against_plaintext([], [])
    check_against_plaintext(["a", "b"], [])
    check_against_plaintext([], ["a", "b"])


def test_identical_and_disjoint_inputs():
    ids = random_ids(120, b"same")
    server, client = check_against_plaintext(ids, list(reversed(ids)))
    assert client.size == 120
    _, client = check_against_plaintext(random_ids(80, b"left"), random_ids(90, b"right"))
    assert client.size == 0 and client.ids == []


def test_duplicates_are_matched_and_counted():
    server_ids = ["a", "b", "a", "c", "a"]
    client_ids = ["b", "a", "x", "b", "x"]
    server, client = check_against_plaintext(server_ids, client_ids)
    assert server.duplicates == 2 and client.duplicates == 2
    assert server.outcome.distinct == 3 and client.outcome.distinct == 3
    assert server.size == client.size == 2


def test_non_ascii_and_multi_column_ids():
    server_ids = ["纳税人识别号", "Ünïcødé", "emoji 🙂", "", "plain"]
    client_ids = ["Ünïcødé", "emoji 🙂", "unicode", "纳税人识别号", ""]
    check_against_plaintext(server_ids, client_ids)
    # ("ab","c") and ("a","bc") must not collide
    check_against_plaintext([("ab", "c"), ("x", "y")], [("a", "bc"), ("x", "y")])


def test_reveal_client_only():
    server, client = check_against_plaintext(["a", "b", "c"], ["b", "c", "d"], reveal="client")
    assert server.ids is None and server.size is None and server.positions.size == 0
    assert set(client.ids) == {"b", "c"}


def test_reveal_mismatch_fails_on_both_sides():
    results = {}

    def party(endpoint):
        try:
            if endpoint.me == 0:
                psi.server(endpoint, ["a"], reveal="both")
            else:
                psi.client(endpoint, ["a"], reveal="client")
        except ProtocolError as exc:
            results[endpoint.me] = str(exc)
    run_threads(party, parties=2, timeout=10)
    assert set(results) == {0, 1}
    assert all("reveal" in text for text in results.values())


def test_key_column_count_mismatch_fails():
    with pytest.raises(ProtocolError, match="key column"):
        run_psi([("a", "b")], ["a"])


def test_byte_counts_follow_the_spec_formula():
    from mpc.transport.wire import FIXED_BYTES
    server_ids, client_ids = random_ids(70, b"s"), random_ids(50, b"s")[:30] + random_ids(20, b"c")
    batch, k = 16, 256
    server, client = run_psi(server_ids, client_ids, batch_size=batch)
    nc, ns, m = len(client_ids), len(server_ids), 30

    def cost(tag, messages, payload):  # each message: wire header (fixed part + tag) + payload
        return messages * (FIXED_BYTES + len(tag)) + payload
    client_sent = (cost(msg.TAG_CLIENT_HELLO, 1, 16) + cost(msg.TAG_BLINDED, -(-nc // batch), nc * k)
                   + cost(msg.TAG_MATCH_COUNT, 1, 8) + cost(msg.TAG_MATCHES, 1, 8 * m))
    server_sent = (cost(msg.TAG_SERVER_HELLO, 1, 64 + k) + cost(msg.TAG_KEY_PROOF, 1, 8 * k)  # 8 roots, e = 65537
                   + cost(msg.TAG_SIGNED, -(-nc // batch), nc * k) + cost(msg.TAG_DONE, 1, 8)
                   + cost(msg.TAG_PROGRESS, -(-ns // batch), 8 * -(-ns // batch))
                   + cost(msg.TAG_SERVER_COUNT, 1, 8) + cost(msg.TAG_SERVER_HASHES, 1, 16 * ns))
    assert client.outcome.bytes_sent == client_sent
    assert server.outcome.bytes_sent == server_sent
    assert server.outcome.bytes_received == client_sent and client.outcome.bytes_received == server_sent


def test_hostile_blinded_value_is_a_protocol_error():
    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            return psi.server(endpoint, ["a"])
        channel.send(msg.TAG_CLIENT_HELLO, msg.ClientHello("both", 1, 1).pack())
        hello = msg.ServerHello.parse(channel.recv_bytes(msg.TAG_SERVER_HELLO, max_size=4096))
        channel.send(msg.TAG_BLINDED, hello.modulus)  # n itself is not in Z_n
        time.sleep(1)
    with pytest.raises(ProtocolError, match="Z_n"):
        run_threads(party, parties=2, timeout=5)


def test_peer_vanishing_mid_run_gives_a_timeout_not_a_hang():
    def party(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            started = time.monotonic()
            try:
                psi.server(endpoint, random_ids(100, b"x"), batch_size=10)
            except PeerTimeout as exc:
                return time.monotonic() - started, str(exc)
            return None
        # a client that sends its hello and one batch, then dies silently
        channel.send(msg.TAG_CLIENT_HELLO, msg.ClientHello("both", 1, 100).pack())
        hello = msg.ServerHello.parse(channel.recv_bytes(msg.TAG_SERVER_HELLO, max_size=4096))
        ids = PackedIds.from_values(random_ids(10, b"y"))
        from mpc.native import rsa_psi
        blinded, _ = rsa_psi.blind(ids.data, ids.offsets, msg.domain(endpoint.session_id, hello.nonce),
                                   hello.modulus, hello.e)
        channel.send(msg.TAG_BLINDED, blinded)
        return "gone"
    outcome, _ = run_threads(party, parties=2, timeout=3)
    assert outcome is not None, "server finished without its peer"
    seconds, text = outcome
    assert seconds < 3 + 5 and "psi-rsa:blinded" in text
