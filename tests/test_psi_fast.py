"""ECDH- and KKRT-PSI through `mpc.psi.server/client(protocol=...)`: results equal the plaintext ones.

Specs: protocols/psi-ecdh.md, protocols/psi-kkrt.md.  For every fast protocol: random data in both
reveal modes, empty, identical, disjoint, duplicate, non-ASCII and multi-column ids, the shared
output order, the protocol agreement, and the bytes and rounds of the spec's formulas.  Hostile
peers per protocol: tests/test_psi_fast_hostile.py.
"""
from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest

import mpc.psi as psi
from mpc.errors import ProtocolError
from mpc.transport import run_threads

FAST = ["ecdh", "kkrt"]


def run_psi(protocol, server_ids, client_ids, reveal="both", **options):
    def party(endpoint):
        if endpoint.me == 0:
            return psi.server(endpoint, server_ids, reveal=reveal, protocol=protocol, **options)
        return psi.client(endpoint, client_ids, reveal=reveal, protocol=protocol)
    return run_threads(party, parties=2, timeout=30)


def check_against_plaintext(protocol, server_ids, client_ids, reveal="both", **options):
    server, client = run_psi(protocol, server_ids, client_ids, reveal, **options)
    expected = set(server_ids) & set(client_ids)
    assert client.size == len(expected) and set(client.ids) == expected
    assert [client_ids[i] for i in client.positions] == [x for x in client.ids for _ in range(client_ids.count(x))]
    if reveal == "both":
        assert server.ids == client.ids  # the shared order
        assert [server_ids[i] for i in server.positions] == [x for x in server.ids
                                                             for _ in range(server_ids.count(x))]
    else:
        assert server.ids is None and server.size is None and server.positions.size == 0
    return server, client


def random_ids(count: int, seed: bytes) -> list[str]:
    return [hashlib.sha256(seed + i.to_bytes(4, "big")).hexdigest()[:12] for i in range(count)]


@pytest.mark.parametrize("protocol", FAST)
@pytest.mark.parametrize("reveal", ["both", "client"])
def test_random_sets(protocol, reveal):
    pool = random_ids(3000, os.urandom(8))
    pick = np.frombuffer(os.urandom(len(pool)), dtype=np.uint8)
    server_ids = [x for x, b in zip(pool, pick) if b & 1]
    client_ids = [x for x, b in zip(pool, pick) if b & 2]
    check_against_plaintext(protocol, server_ids, client_ids, reveal)


@pytest.mark.parametrize("protocol", FAST)
def test_unbalanced_sets(protocol):
    big = random_ids(2000, b"big")
    check_against_plaintext(protocol, big, big[5:8] + ["nope"])
    check_against_plaintext(protocol, big[:3], big[1:] + ["nope"])


@pytest.mark.parametrize("protocol", FAST)
def test_empty_inputs(protocol):
    check_against_plaintext(protocol, [], [])
    check_against_plaintext(protocol, ["a", "b"], [])
    check_against_plaintext(protocol, [], ["a", "b"])
    check_against_plaintext(protocol, ["a"], ["a"])


@pytest.mark.parametrize("protocol", FAST)
def test_identical_and_disjoint_inputs(protocol):
    ids = random_ids(300, b"same")
    _, client = check_against_plaintext(protocol, ids, list(reversed(ids)))
    assert client.size == 300
    _, client = check_against_plaintext(protocol, random_ids(200, b"left"), random_ids(250, b"right"))
    assert client.size == 0 and client.ids == []


@pytest.mark.parametrize("protocol", FAST)
def test_duplicates_are_matched_and_counted(protocol):
    server_ids = ["a", "b", "a", "c", "a"]
    client_ids = ["b", "a", "x", "b", "x"]
    server, client = check_against_plaintext(protocol, server_ids, client_ids)
    assert server.duplicates == 2 and client.duplicates == 2
    assert server.outcome.distinct == 3 and client.outcome.distinct == 3
    assert server.size == client.size == 2


@pytest.mark.parametrize("protocol", FAST)
def test_non_ascii_bytes_ints_and_multi_column_ids(protocol):
    check_against_plaintext(protocol, ["纳税人识别号", "Müller", "ﬁ", "😀", "a"], ["Müller", "😀", "fi", "A"])
    check_against_plaintext(protocol, [b"\x00\xff", b"\x00", 7], [b"\x00", 7, "7x"])
    check_against_plaintext(protocol, [("DE", "123"), ("D", "E123"), ("FR", "9")], [("DE", "123"), ("DE", "12")])


@pytest.mark.parametrize("server_protocol,client_protocol", [("ecdh", "rsa"), ("rsa", "kkrt"), ("kkrt", "ecdh")])
def test_protocol_mismatch_fails_on_both_sides(server_protocol, client_protocol):
    results = {}

    def party(endpoint):
        try:
            if endpoint.me == 0:
                psi.server(endpoint, ["a"], protocol=server_protocol)
            else:
                psi.client(endpoint, ["a"], protocol=client_protocol)
        except ProtocolError as exc:
            results[endpoint.me] = str(exc)
    run_threads(party, parties=2, timeout=10)
    assert set(results) == {0, 1}
    assert all("--protocol" in text and "mismatch" in text for text in results.values())


@pytest.mark.parametrize("protocol", FAST)
def test_reveal_and_column_mismatch_are_protocol_errors(protocol):
    with pytest.raises(ProtocolError, match="key column"):
        run_psi(protocol, [("a", "b")], ["a"])
    results = {}

    def party(endpoint):
        try:
            if endpoint.me == 0:
                psi.server(endpoint, ["a"], reveal="both", protocol=protocol)
            else:
                psi.client(endpoint, ["a"], reveal="client", protocol=protocol)
        except ProtocolError as exc:
            results[endpoint.me] = str(exc)
    run_threads(party, parties=2, timeout=10)
    assert set(results) == {0, 1} and all("reveal" in t for t in results.values())


def expected_costs(protocol, n_server, n_client, distinct, matches, reveal, batch=None):
    if protocol == "ecdh":
        from mpc.psi.ecdh import costs
        options = {} if batch is None else {"batch": batch}
        return (costs.psi_bytes(n_server, n_client, server_distinct=distinct, matches=matches, reveal=reveal,
                                **options),
                costs.psi_rounds(n_server, n_client, server_distinct=distinct, matches=matches, reveal=reveal))
    from mpc.psi.kkrt import costs
    return (costs.psi_bytes(n_server, n_client, server_distinct=distinct, matches=matches, reveal=reveal),
            costs.psi_rounds(n_server, n_client, server_distinct=distinct, matches=matches, reveal=reveal))


@pytest.mark.parametrize("protocol", FAST)
@pytest.mark.parametrize("reveal", ["both", "client"])
@pytest.mark.parametrize("sizes", [(700, 500, 300), (0, 40, 0), (40, 0, 0), (1, 1, 1)])
def test_bytes_and_rounds_equal_the_spec_formula(protocol, reveal, sizes):
    n_server, n_client, common = sizes
    shared = random_ids(common, b"common")
    server_ids = shared + random_ids(n_server - common, b"s")
    server_ids += server_ids[:3]  # duplicates: D < n_server
    client_ids = shared + random_ids(n_client - common, b"c")
    options = {"batch_size": 64} if protocol == "ecdh" else {}
    server, client = run_psi(protocol, server_ids, client_ids, reveal, **options)
    distinct = len(set(server_ids))
    expected, rounds = expected_costs(protocol, len(server_ids), n_client, distinct, common, reveal,
                                      64 if protocol == "ecdh" else None)
    assert server.outcome.bytes_sent == expected["server"]
    assert client.outcome.bytes_sent == expected["client"]
    assert server.outcome.bytes_received == expected["client"] and client.outcome.bytes_received == expected["server"]
    assert server.outcome.rounds + client.outcome.rounds == rounds
