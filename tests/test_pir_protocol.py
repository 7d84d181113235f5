"""Keyword PIR between two parties (spec: protocols/pir.md).

Answers equal a plaintext lookup (random tables, several key columns, Unicode, an empty table,
all-absent queries, several batches); duplicate keys are refused; the bytes each side sends equal
the spec's formula; what the server receives does not depend on the keys queried (chi-square
tests, which a query without its LWE mask fails); malformed or oversized client messages are
`ProtocolError` on the server and a bad server hello is `ProtocolError` on the client.  The key
normalisation rides in both hellos: equal modes match as the mode says, different modes fail on
both sides naming both, and an unknown mode code from a peer is `ProtocolError`.
"""
from __future__ import annotations

import os

import numpy as np
import pytest

import mpc.pir as pir
from mpc.errors import MpcError, PeerTimeout, ProtocolError
from mpc.native import oprf
from mpc.pir import costs, keyword, params
from mpc.pir import messages as msg
from mpc.pir.database import DuplicateKeys
from mpc.psi.ids import PackedIds
from mpc.transport import run_threads

CHI2_15_AT_1E6 = 56.49  # P(chi^2_15 > 56.49) = 1e-6


@pytest.fixture(scope="module")
def small_key():
    return oprf.new_key()  # one OPRF key for the module's tables (each preprocessing makes its own)


def lookup(database, keys, *, timeout=30, **server_options):
    def party(endpoint):
        ch = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            return pir.server(ch, database, **server_options)
        return pir.client(ch, keys, outcome=True)
    served, (values, outcome) = run_threads(party, parties=2, timeout=timeout)
    return values, outcome, served


def test_random_table_equals_plaintext_lookup(small_key):
    rng = np.random.default_rng(7)  # test data only
    table = {f"k{int(i)}": os.urandom(int(rng.integers(0, 60))) for i in rng.choice(10**6, 700, replace=False)}
    database = pir.prepare(table, key=small_key)
    present = list(table)[:40]
    keys = present + [f"absent{i}" for i in range(25)]
    rng.shuffle(keys)
    values, outcome, served = lookup(database, keys, max_batch=16)  # several batches
    assert values == [table.get(k) for k in keys]
    assert served.queries == len(keys) and served.batches == 5
    assert outcome.table_rows == 700 and outcome.found == 40


def test_several_key_columns_and_unicode(small_key):
    table = {("CN", "91310000Ａ号"): ("上海某某有限公司", "黑名单"), ("CN", "9131"): ("Ünïcødé 🎉", ""),
             ("DE", "91310000Ａ号"): ("Gmbh", "ok")}
    database = pir.prepare(table, key=small_key, value_columns=["名称", "状态"])
    keys = [("DE", "91310000Ａ号"), ("CN", "91310000Ａ号"), ("CN", "9131 "), ("CN", "9131")]
    values, outcome, _ = lookup(database, keys)
    assert values == [table[keys[0]], table[keys[1]], None, table[keys[3]]]
    assert outcome.value_columns == ["名称", "状态"]


def test_empty_table_and_all_absent_and_no_queries(small_key):
    empty = pir.prepare({}, key=small_key)
    assert lookup(empty, ["a", "b", ""])[0] == [None, None, None]
    database = pir.prepare({"x": "1", "y": "2"}, key=small_key)
    assert lookup(database, [f"z{i}" for i in range(10)])[0] == [None] * 10
    values, outcome, served = lookup(database, [])
    assert values == [] and served.queries == 0


def test_duplicate_keys_are_refused(small_key):
    with pytest.raises(DuplicateKeys) as info:
        pir.prepare([("a", "1"), ("b", "2"), ("a", "3")], key=small_key)
    assert (info.value.first, info.value.second) == (0, 2)


def test_bytes_equal_the_formula(small_key):
    database = pir.prepare({f"id{i}": "v" * (i % 9) for i in range(300)}, key=small_key, value_columns=["v"])
    keys = [f"id{i}" for i in range(0, 600, 7)]
    _, outcome, served = lookup(database, keys, max_batch=32)
    want = costs.pir_bytes(database.geometry, len(keys), batch=32, value_columns=["v"])
    assert (outcome.bytes_sent, outcome.bytes_received) == (want["client"], want["server"])
    assert (served.bytes_received, served.bytes_sent) == (want["client"], want["server"])
    assert outcome.hint_bytes == costs.hint_bytes(database.geometry) == database.hint.nbytes


class Recorder:
    """The server's channel, keeping a copy of every blinded value and index query it receives."""

    def __init__(self, channel):
        self._channel, self.seen = channel, {msg.TAG_BLINDED: [], msg.TAG_QUERIES: []}

    def __getattr__(self, name):
        return getattr(self._channel, name)

    def recv_exact(self, tag, dtype, shape, timeout=None):
        array = self._channel.recv_exact(tag, dtype, shape, timeout)
        if tag in self.seen:
            self.seen[tag].append(np.array(array))
        return array


def _received(database, keys):
    recorders = []

    def party(endpoint):
        ch = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            recorders.append(Recorder(ch))
            return pir.PirServer(recorders[0], database, max_batch=len(keys)).run()
        return pir.client(ch, keys)
    served, _ = run_threads(party, parties=2, timeout=30)
    seen = recorders[0].seen
    return served, np.concatenate(seen[msg.TAG_QUERIES]), np.concatenate(seen[msg.TAG_BLINDED])


def _chi2_uniform(values, bins=16) -> float:
    counts = np.bincount(values, minlength=bins)
    expected = values.size / bins
    return float(((counts - expected) ** 2 / expected).sum())


def _chi2_same(a, b, bins=16) -> float:
    table = np.stack([np.bincount(a, minlength=bins), np.bincount(b, minlength=bins)]).astype(np.float64)
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
    return float(((table - expected) ** 2 / expected).sum())


def test_server_view_does_not_depend_on_the_keys(small_key):
    database = pir.prepare({f"id{i}": "v" for i in range(400)}, key=small_key)
    present, absent = ["id17"] * 80, ["nobody"] * 80
    served_a, queries_a, blinded_a = _received(database, present)
    served_b, queries_b, blinded_b = _received(database, absent)
    assert served_a.bytes_received == served_b.bytes_received and queries_a.shape == queries_b.shape
    f = oprf.evaluate_own(database.key, *_packed("id17"))[0].tobytes()
    wanted = list(keyword.candidate_columns(f, database.place_seed, database.geometry.cols))
    # The coordinates at id17's columns: uniform top nibbles in both runs, the same distribution.
    nib_a = (queries_a[:, wanted].reshape(-1) >> 28).astype(np.int64)
    nib_b = (queries_b[:, wanted].reshape(-1) >> 28).astype(np.int64)
    assert _chi2_uniform(nib_a) < CHI2_15_AT_1E6 and _chi2_uniform(nib_b) < CHI2_15_AT_1E6
    assert _chi2_same(nib_a, nib_b) < CHI2_15_AT_1E6
    assert _chi2_uniform((queries_a.reshape(-1)[:50_000] >> 28).astype(np.int64)) < CHI2_15_AT_1E6
    # The same test catches a query without its LWE mask (error + Delta·u_j only).
    maker_errors = params.sample_errors(database_rng(), queries_a.size).reshape(queries_a.shape)
    unmasked = maker_errors.copy()
    unmasked[:, wanted[0]] += np.uint32(params.DELTA)
    assert _chi2_uniform((unmasked[:, wanted].reshape(-1) >> 28).astype(np.int64)) > CHI2_15_AT_1E6
    # Blinded elements r·H(key) are uniform in the group whatever the key (top nibble of x and the
    # y-parity prefix), and fresh for every query of the same key.
    def bins(rows):
        return (rows[:, 1] >> 4).astype(np.int64)
    assert _chi2_same(bins(blinded_a), bins(blinded_b)) < CHI2_15_AT_1E6
    assert _chi2_same(blinded_a[:, 0].astype(np.int64) - 2, blinded_b[:, 0].astype(np.int64) - 2, bins=2) < 24.0
    assert len({r.tobytes() for r in blinded_a}) == len(blinded_a)


def database_rng():
    from mpc.prg import Prg
    return Prg()


def _packed(key):
    ids = PackedIds.from_values([key])
    return ids.data, ids.batch(0, 1)


# -- a misbehaving client: typed errors on the server --------------------------------------------------

def _server_against(database, client_fn, timeout=5):
    errors = {}

    def party(endpoint):
        ch = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            try:
                return pir.PirServer(ch, database, max_batch=8).run()
            except Exception as exc:  # noqa: BLE001 - inspected below
                errors["server"] = exc
                return None
        try:
            hello = msg.ServerHello.parse(ch.recv(msg.TAG_SERVER_HELLO))
            ch.send(msg.TAG_CLIENT_HELLO, msg.ClientHello(1).pack())
            for start, stop in msg.batches(hello.geometry.rows, msg.HINT_ROWS_PER_MESSAGE):
                ch.recv(msg.TAG_HINT)
            client_fn(ch, hello)
        except MpcError:  # the server stopped talking to it: expected here
            pass
        return None
    run_threads(party, parties=2, timeout=timeout)
    return errors.get("server")


def _batch(ch, count):
    ch.send(msg.TAG_BATCH, count.to_bytes(4, "big"))


@pytest.mark.parametrize("attack", ["oversized batch", "short blinded", "blinded zero", "blinded off the curve",
                                    "wrong query shape", "oversized queries"])
def test_malformed_client_messages_are_protocol_errors(small_key, attack):
    database = pir.prepare({"a": "1", "b": "2"}, key=small_key)
    e = msg.ELEMENT_BYTES
    valid, _ = oprf.blind(*_packed2("x", "y"))

    def client(ch, hello):
        if attack == "oversized batch":
            return _batch(ch, 9)
        _batch(ch, 2)
        if attack == "short blinded":
            return ch.send(msg.TAG_BLINDED, bytes(2 * e - 1))
        if attack == "blinded zero":
            return ch.send(msg.TAG_BLINDED, bytes(2 * e))
        if attack == "blinded off the curve":
            return ch.send(msg.TAG_BLINDED, (b"\x02" + b"\xff" * (e - 1)) * 2)  # x >= p
        ch.send(msg.TAG_BLINDED, valid)
        ch.recv(msg.TAG_EVALUATED)
        cols = hello.geometry.cols
        size = 4 * (4 * cols + 1) if attack == "wrong query shape" else 4 * 4 * cols * 1000
        ch.send(msg.TAG_QUERIES, bytes(size))
    error = _server_against(database, client)
    assert isinstance(error, ProtocolError), error


def _packed2(*keys):
    ids = PackedIds.from_values(list(keys))
    return ids.data, ids.offsets


def test_key_column_mismatch_and_silent_client(small_key):
    database = pir.prepare({("a", "b"): "1"}, key=small_key)
    error = _server_against(database, lambda ch, hello: None, timeout=1)
    assert isinstance(error, ProtocolError) and "key column" in str(error)
    database = pir.prepare({"a": "1"}, key=small_key)
    error = _server_against(database, lambda ch, hello: None, timeout=1)
    assert isinstance(error, PeerTimeout)


@pytest.mark.parametrize("field", ["cols", "lwe", "batch", "names"])
def test_bad_server_hello_is_a_protocol_error(small_key, field):
    database = pir.prepare({"a": "1"}, key=small_key)
    hello = msg.ServerHello(1, 1, database.geometry, 8, bytes(16), bytes(16), [])
    fixed, names = hello.pack()
    fixed = bytearray(fixed)  # offsets: n at 16, cols at 22, max batch at 34 (">HHIQIBBIIII16s16s")
    if field == "cols":
        fixed[22:26] = (params.MAX_COLUMNS + 1).to_bytes(4, "big")
    elif field == "lwe":
        fixed[16:20] = (512).to_bytes(4, "big")
    elif field == "batch":
        fixed[34:38] = (msg.MAX_BATCH + 1).to_bytes(4, "big")
    else:
        names = b"{not json"
    with pytest.raises(ProtocolError):
        msg.ServerHello.parse([bytes(fixed), names])
    assert msg.ServerHello.parse(hello.pack()) == hello  # the unmodified hello parses back


# -- key normalisation: carried in both hellos, agreed by both sides ------------------------------

def _both(database, keys, *, server_normalize=None, client_normalize=None, timeout=5):
    """Run one session; each side's result or exception."""
    out = {}

    def party(endpoint):
        ch = endpoint.channel(1 - endpoint.me)
        side = "server" if endpoint.me == 0 else "client"
        try:
            if endpoint.me == 0:
                out[side] = pir.server(ch, database, normalize=server_normalize)
            else:
                out[side] = pir.client(ch, keys, normalize=client_normalize)
        except Exception as exc:  # noqa: BLE001 - inspected by the tests
            out[side] = exc
    run_threads(party, parties=2, timeout=timeout)
    return out["server"], out["client"]


def test_normalisation_agreed_in_the_hellos(small_key):
    table = {" 9131\u3000": "stripped", "Ａ1": "folded", "x": "plain"}
    strip = pir.prepare(table, key=small_key, normalize="strip")
    nfkc = pir.prepare(table, key=small_key, normalize="nfkc")
    assert strip.normalization == "strip" and nfkc.normalization == "nfkc"
    keys = ["9131", "\u00a09131 ", "Ａ1", "A1", " x"]
    assert _both(strip, keys, client_normalize="strip")[1] == ["stripped", "stripped", "folded", None, "plain"]
    assert _both(nfkc, keys, client_normalize="nfkc")[1] == ["stripped", "stripped", "folded", "folded", "plain"]
    # A client that normalises otherwise would silently miss "9131": both sides refuse, naming both modes.
    served, asked = _both(strip, keys, client_normalize="none")
    for error, mine, theirs in ((served, "strip", "none"), (asked, "none", "strip")):
        assert isinstance(error, ProtocolError), error
        assert f"this side uses --normalize {mine}, the peer --normalize {theirs}" in str(error)
    # The same database serves the next, matching client.
    assert _both(strip, ["9131"], client_normalize="strip")[1] == ["stripped"]
    exact = pir.prepare({"a": "1"}, key=small_key)
    assert isinstance(_both(exact, ["a"], client_normalize="nfkc")[0], ProtocolError)


def test_normalisation_is_a_role_parameter(small_key):
    database = pir.prepare({"a": "1"}, key=small_key, normalize="strip")
    with pytest.raises(ValueError, match="'strip'"):
        pir.PirServer(None, database, normalize="none")  # the table's keys were stripped
    with pytest.raises(ValueError, match="normalize"):
        pir.PirClient(None, normalize="upper")
    with pytest.raises(ValueError, match="'none'"):  # keys packed without stripping, announced as stripped
        pir.PirClient(None, normalize="strip").run(PackedIds.from_values(["a"]))


@pytest.mark.parametrize("code", [3, 0xFFFF])
def test_malformed_normalisation_from_a_peer_is_a_protocol_error(small_key, code):
    import struct
    with pytest.raises(ProtocolError, match="normalisation"):
        msg.ClientHello.parse(struct.pack(">HHI", msg.VERSION, code, 1))
    database = pir.prepare({"a": "1"}, key=small_key)
    fixed, names = msg.ServerHello(1, 1, database.geometry, 8, bytes(16), bytes(16), [], "nfkc").pack()
    with pytest.raises(ProtocolError, match="normalisation"):
        msg.ServerHello.parse([fixed[:2] + code.to_bytes(2, "big") + fixed[4:], names])
    assert msg.ServerHello.parse([fixed, names]).normalization == "nfkc"
    with pytest.raises(ProtocolError, match="version 1"):  # a hello of version 1 had no normalisation
        msg.ClientHello.parse(struct.pack(">HHI", 1, 0, 1))
    errors = {}

    def party(endpoint):  # a live server meets the bad hello: a typed error, nothing else sent
        ch = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            try:
                pir.PirServer(ch, database).run()
            except MpcError as exc:
                errors["server"] = exc
            return
        ch.recv(msg.TAG_SERVER_HELLO)
        ch.send(msg.TAG_CLIENT_HELLO, struct.pack(">HHI", msg.VERSION, code, 1))
    run_threads(party, parties=2, timeout=5)
    assert isinstance(errors["server"], ProtocolError) and "normalisation" in str(errors["server"])
