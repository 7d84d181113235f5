"""Two-party garbled-circuit protocol (protocols/gc-halfgates.md) over the in-process transport.

Checks: FIPS-197 AES through garble, OT and evaluate (key with either party); AES batches against
`cryptography`; the named functions against Python; reveal modes; the bytes on the wire equal the
spec's formula; sessions give fresh Δ and labels; malformed peer messages raise ProtocolError.
"""
import secrets

import numpy as np
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

import mpc.gc as gc
from mpc.transport import wire
from mpc.errors import ProtocolError
from mpc.gc import job as jobs
from mpc.gc.circuit import int_to_bits
from mpc.transport import run_threads

KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
PLAIN = bytes.fromhex("00112233445566778899aabbccddeeff")
CIPHER = bytes.fromhex("69c4e0d86a7b0430d8cdb78070b4c55a")


def two_party(garbler_fn, evaluator_fn, timeout=30.0):
    def body(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        return (garbler_fn if endpoint.me == 0 else evaluator_fn)(channel)
    return run_threads(body, parties=2, timeout=timeout)


@pytest.mark.parametrize("key_holder", ["garbler", "evaluator"])
def test_aes_fips197_through_ot(key_holder):
    def party(role):
        def fn(channel):
            if role == key_holder:
                return gc.aes128(channel, role, key=KEY)
            return gc.aes128(channel, role, plaintext=PLAIN)
        return fn
    assert two_party(party("garbler"), party("evaluator")) == [CIPHER, CIPHER]


def test_aes_batch_matches_cryptography():
    key = secrets.token_bytes(16)
    blocks = [secrets.token_bytes(16) for _ in range(37)]
    expected = [Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(b) for b in blocks]
    out = two_party(lambda ch: gc.aes128_batch(ch, "garbler", plaintexts=blocks, reveal="evaluator"),
                    lambda ch: gc.aes128_batch(ch, "evaluator", key=key, blocks=len(blocks),
                                               reveal="evaluator"))
    assert out == [None, expected]


@pytest.mark.parametrize("a,b", [(5, 7), (7, 5), (9, 9), (0, 2**64 - 1), (2**64 - 1, 0)]
                         + [(secrets.randbits(64), secrets.randbits(64)) for _ in range(3)])
def test_named_functions(a, b):
    def run(role, value):
        def fn(channel):
            party = gc.Garbler(channel) if role == "garbler" else gc.Evaluator(channel)
            return (gc.millionaires(channel, role, value, party=party),
                    gc.equal(channel, role, value, party=party),
                    gc.maximum(channel, role, value, party=party),
                    gc.compare(channel, role, value, op="le", party=party))
        return fn
    expected = (a > b, a == b, max(a, b), a <= b)
    assert two_party(run("garbler", a), run("evaluator", b)) == [expected, expected]


def test_signed_maximum_and_reveal_modes():
    out = two_party(lambda ch: gc.maximum(ch, 0, -100, bits=16, signed=True, reveal="garbler"),
                    lambda ch: gc.maximum(ch, 1, -7, bits=16, signed=True, reveal="garbler"))
    assert out == [-7, None]
    out = two_party(lambda ch: gc.millionaires(ch, 0, 3, bits=8, reveal="evaluator"),
                    lambda ch: gc.millionaires(ch, 1, 4, bits=8, reveal="evaluator"))
    assert out == [None, False]


@pytest.mark.parametrize("name", ["adder64", "mult64", "divide64", "zero_equal", "neg64"])
def test_any_shipped_circuit_two_party(name):
    circuit = gc.load_circuit(name)
    rows = [tuple(secrets.randbits(w) for w in circuit.input_sizes) for _ in range(4)]
    if len(circuit.input_sizes) == 2:
        owners = ("garbler", "evaluator")
        g_in = [[r[0] for r in rows]]
        e_in = [[r[1] for r in rows]]
    else:  # one input value: the evaluator owns it, the garbler only garbles
        owners = ("evaluator",)
        g_in, e_in = [], [[r[0] for r in rows]]
    out = two_party(lambda ch: gc.evaluate(ch, 0, circuit, g_in, owners=owners, instances=len(rows)),
                    lambda ch: gc.evaluate(ch, 1, circuit, e_in, owners=owners, instances=len(rows)))
    expected = circuit.evaluate_many(rows)
    assert out == [expected, expected]


@pytest.mark.parametrize("reveal", ["both", "evaluator", "garbler"])
@pytest.mark.parametrize("instances,shared", [(1, (False, False)), (20, (True, False)),
                                              (3, (False, True))])
def test_bytes_match_the_spec(reveal, instances, shared):
    """Set-up and per-run traffic equal protocols/gc-halfgates.md "Costs" (job.run_bytes), counted
    by the transport for every tag (gc:*, iknp:*, ot-base:*)."""
    circuit = gc.load_circuit("aes_128")
    job = jobs.Job(circuit, ("garbler", "evaluator"), shared, instances, reveal)

    def value(role_index):
        own_shared = shared[role_index]
        if own_shared or instances == 1:
            return [secrets.randbits(128)]
        return [[secrets.randbits(128) for _ in range(instances)]]

    def total(stats):
        return stats.protocol().bytes_sent  # every tag this party sent

    def garbler(ch):
        g = gc.Garbler(ch)
        g.setup()
        after_setup = total(ch.stats)
        g.run(job, value(0))
        return after_setup, total(ch.stats) - after_setup

    def evaluator(ch):
        e = gc.Evaluator(ch)
        e.setup()
        after_setup = total(ch.stats)
        e.run(job, value(1))
        return after_setup, total(ch.stats) - after_setup

    (g_setup, g_run), (e_setup, e_run) = two_party(garbler, evaluator)
    expected = jobs.run_bytes(job)
    assert (g_run, e_run) == (expected["garbler"], expected["evaluator"])
    assert g_run >= 32 * 6400 * instances
    setup = jobs.setup_bytes()
    assert (g_setup, e_setup) == (setup["garbler"], setup["evaluator"])


def test_sessions_are_fresh_and_labels_differ_by_delta():
    circuit = gc.load_circuit("adder64")
    job = jobs.Job(circuit, ("garbler", "evaluator"), (False, False), 1, "both")

    def garbler(ch):
        g = gc.Garbler(ch)
        g.run(job, [12345])
        return g.delta, g.last_zero_labels.copy(), bytes(g._schedule)

    def evaluator(ch):
        e = gc.Evaluator(ch)
        e.run(job, [67890])
        return e.last_active_labels.copy()

    (d1, zero1, key1), active1 = two_party(garbler, evaluator)
    (d2, zero2, key2), _ = two_party(garbler, evaluator)
    assert d1 != d2 and d1[0] & 1 and d2[0] & 1
    assert key1 != key2  # a fresh hash key per session
    assert not np.any(np.all(zero1 == zero2, axis=1))
    d = np.frombuffer(d1, np.uint8)
    # every evaluator label is the zero-label or zero-label ^ Δ, and matches the wire's value
    values = circuit.evaluate_bits(circuit.encode_inputs((12345, 67890)))
    s = jobs.scheduled(circuit)
    is_one = np.all(active1 == zero1 ^ d, axis=1)
    is_zero = np.all(active1 == zero1, axis=1)
    assert np.all(is_one ^ is_zero)
    assert np.array_equal(is_one[s.output_start:].astype(np.uint8), values)
    inputs = circuit.encode_inputs((12345, 67890))
    assert np.array_equal(is_one[:128].astype(np.uint8), inputs)


def test_malformed_tables_raise_protocol_error():
    circuit = gc.load_circuit("adder64")
    job = jobs.Job(circuit, ("garbler", "evaluator"), (False, False), 1, "evaluator")

    def bad_garbler(ch):
        g = gc.Garbler(ch)
        g.setup()
        g.ot.correlated(64)
        ch.send(jobs.TAG_INPUTS, np.zeros((64, 16), np.uint8))
        ch.send(jobs.TAG_TABLES, np.zeros((62, 32), np.uint8))  # one AND table short
        return "sent"

    def evaluator(ch):
        with pytest.raises(ProtocolError, match="expected"):
            gc.Evaluator(ch).run(job, [1])
        return "rejected"

    assert two_party(bad_garbler, evaluator) == ["sent", "rejected"]


def test_bad_decode_padding_raises():
    circuit = gc.integer_circuit("lt", 8)
    job = jobs.Job(circuit, ("garbler", "evaluator"), (False, False), 1, "evaluator")

    class Liar(gc.Garbler):
        def run(self, job, inputs):
            self.setup()
            self.ot.correlated(8)
            self.channel.send(jobs.TAG_INPUTS, np.zeros((8, 16), np.uint8))
            self.channel.send(jobs.TAG_TABLES, np.zeros((1, circuit.and_count, 32), np.uint8))
            self.channel.send(jobs.TAG_DECODE, b"\xfe")  # padding bits set
            return "sent"

    def evaluator(ch):
        with pytest.raises(ProtocolError, match="padding"):
            gc.Evaluator(ch).run(job, [3])
        return "rejected"

    assert two_party(lambda ch: Liar(ch).run(job, [1]), evaluator) == ["sent", "rejected"]


def test_input_validation():
    with pytest.raises(ValueError):
        jobs.Job(gc.load_circuit("adder64"), ("garbler",), (False,), 1, "both")
    with pytest.raises(ValueError):
        jobs.Job(gc.load_circuit("adder64"), ("garbler", "evaluator"), (False, False), 1, "nobody")
    job = jobs.Job(gc.load_circuit("adder64"), ("garbler", "evaluator"), (False, False), 2, "both")
    with pytest.raises(ValueError):
        job.encode("garbler", [[1, 2, 3]])
    with pytest.raises(ValueError, match="does not fit"):
        job.encode("garbler", [[1, 2**64]])
    with pytest.raises(ValueError, match="does not fit"):
        job.encode("garbler", [[-(2**63) - 1, 0]])
    assert np.array_equal(job.encode("garbler", [[-1, 0]])[:64], np.ones(64, np.uint8))
    assert np.array_equal(job.encode("garbler", [[1, 2]]),
                          np.concatenate([int_to_bits(1, 64), int_to_bits(2, 64)]))


def test_large_circuit_in_pieces_matches_cryptography():
    """A circuit with more AND gates than one gc:tables message holds (AES CBC-MAC over 11 blocks,
    70,400 AND gates) is garbled, sent and evaluated piece by piece; MAC and bytes must match."""
    blocks = 11
    circuit = gc.builder.aes_cbc_mac_circuit(blocks)
    assert len(jobs.segments(jobs.scheduled(circuit))) == 2
    key = secrets.token_bytes(16)
    message = [secrets.token_bytes(16) for _ in range(blocks)]
    encryptor = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    mac = (encryptor.update(b"".join(message)) + encryptor.finalize())[-16:]
    owners = ("garbler",) + ("evaluator",) * blocks
    job = jobs.Job(circuit, owners, (False,) * (blocks + 1), 1, "both")

    def garbler(ch):
        out = gc.run_job(ch, "garbler", job, [int.from_bytes(key, "big")])
        return out, ch.stats.protocol("gc"), ch.stats.protocol("gc:tables").messages_sent

    def evaluator(ch):
        values = [int.from_bytes(m, "big") for m in message]
        return gc.run_job(ch, "evaluator", job, values), ch.stats.protocol("gc"), 0

    (g_out, g_stats, table_messages), (e_out, e_stats, _) = two_party(garbler, evaluator)
    assert g_out == e_out == (int.from_bytes(mac, "big"),)
    assert table_messages == 2 == job.tables_messages()
    expected = jobs.run_bytes(job)
    key_bytes = 16 + wire.header_bytes(jobs.TAG_KEY)
    assert g_stats.bytes_sent == expected["garbler"] + key_bytes
