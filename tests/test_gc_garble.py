"""Native half-gates garbling and evaluation (native/garble.c) in one process.

Spec: protocols/gc-halfgates.md.  Every shipped circuit garbled and evaluated equals the plaintext
evaluator; tables are 32 bytes per AND gate; fresh keys and labels give fresh tables; the two labels
of every wire differ by Δ; the AES-NI and portable hash paths give identical tables; the kernel
rejects malformed circuits.
"""
import os
import secrets

import numpy as np
import pytest

from mpc.errors import NativeError
from mpc.gc import builder, library
from mpc.gc.job import scheduled
from mpc.native import garble as native

from test_gc_circuits import EDGES, REFERENCES, aes_reference


def fresh_delta():
    raw = bytearray(os.urandom(16))
    raw[0] |= 1
    return bytes(raw)


def garble_and_evaluate(circuit, rows, *, schedule=None, delta=None, tweak_base=0):
    """Garble once per row with fresh labels, evaluate, decode; returns outputs and the material."""
    schedule = native.hash_schedule(os.urandom(16)) if schedule is None else schedule
    delta = fresh_delta() if delta is None else delta
    d = np.frombuffer(delta, np.uint8)
    outputs = []
    for row in rows:
        bits = circuit.encode_inputs(row)
        zero = np.frombuffer(os.urandom(16 * bits.size), np.uint8).reshape(-1, 16)
        labels, tables = native.garble_circuit(circuit, zero, delta, schedule, tweak_base)
        active = native.evaluate_circuit(circuit, zero ^ (bits[:, None] * d), tables, schedule, tweak_base)
        # the active label of every wire is its zero-label or its one-label
        assert np.all(np.all(active == labels, axis=1) | np.all(active == labels ^ d, axis=1))
        out_bits = (active[circuit.output_start:, 0] ^ labels[circuit.output_start:, 0]) & 1
        outputs.append(circuit.decode_outputs(out_bits))
    return outputs


def random_rows(circuit, count):
    rows = [tuple(secrets.randbits(w) for w in circuit.input_sizes) for _ in range(count)]
    rows.append(tuple(0 for _ in circuit.input_sizes))
    rows.append(tuple((1 << w) - 1 for w in circuit.input_sizes))
    rows.append(tuple(1 << (w - 1) for w in circuit.input_sizes))
    return rows


@pytest.mark.parametrize("name", library.names())
@pytest.mark.parametrize("order", ["file", "scheduled"])
def test_garbled_equals_plaintext(name, order):
    circuit = library.load(name)
    circuit = scheduled(circuit) if order == "scheduled" else circuit
    rows = random_rows(circuit, 6)
    assert garble_and_evaluate(circuit, rows) == circuit.evaluate_many(rows)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_garbled_equals_python_reference(name):
    """Garbled, on edge and random inputs, against plain Python integers (not the plaintext
    evaluator): the arithmetic circuits, division by zero left out (pinned in the clear)."""
    circuit = scheduled(library.load(name))
    if len(circuit.input_sizes) == 1:
        rows = [(a,) for a in EDGES] + [(secrets.randbits(64),) for _ in range(6)]
    else:
        rows = [(a, b) for a in EDGES[:5] for b in EDGES[:5] if b or "divide" not in name]
        rows += [(secrets.randbits(64), secrets.randbits(64) | 1) for _ in range(6)]
    assert garble_and_evaluate(circuit, rows) == [(REFERENCES[name](*row),) for row in rows]


def test_garbled_aes_equals_cryptography():
    circuit = scheduled(library.load("aes_128"))
    cases = [(secrets.token_bytes(16), secrets.token_bytes(16)) for _ in range(4)]
    cases.append((b"\xff" * 16, bytes(16)))
    rows = [(int.from_bytes(k, "big"), int.from_bytes(p, "big")) for k, p in cases]
    got = garble_and_evaluate(circuit, rows)
    assert [out.to_bytes(16, "big") for (out,) in got] == [aes_reference(k, p) for k, p in cases]


@pytest.mark.parametrize("op", ["add", "sub", "lt", "eq", "max", "min"])
def test_garbled_builder_circuits(op):
    circuit = builder.integer_circuit(op, 33, signed=True)
    rows = random_rows(circuit, 8)
    assert garble_and_evaluate(circuit, rows) == circuit.evaluate_many(rows)


def test_constants_and_copies_garble():
    b = builder.CircuitBuilder("consts")
    x = b.input(3)
    one, zero = b.constant(1), b.constant(0)
    b.output([b.and_(x[0], one), b.and_(x[1], zero), b.xor(x[2], one), one, zero])
    c = b.build()
    rows = [(v,) for v in range(8)]
    assert garble_and_evaluate(c, rows) == c.evaluate_many(rows)


def test_fips197_garbled():
    circuit = scheduled(library.load("aes_128"))
    key = int.from_bytes(bytes.fromhex("000102030405060708090a0b0c0d0e0f"), "big")
    plain = int.from_bytes(bytes.fromhex("00112233445566778899aabbccddeeff"), "big")
    (out,), = garble_and_evaluate(circuit, [(key, plain)])
    assert out.to_bytes(16, "big").hex() == "69c4e0d86a7b0430d8cdb78070b4c55a"


def test_table_bytes_and_delta_offsets():
    circuit = scheduled(library.load("aes_128"))
    delta = fresh_delta()
    zero = np.frombuffer(os.urandom(16 * circuit.input_bits), np.uint8).reshape(-1, 16)
    labels, tables = native.garble_circuit(circuit, zero, delta, native.hash_schedule(os.urandom(16)))
    assert tables.nbytes == 32 * circuit.and_count == 32 * 6400
    assert labels.shape == (circuit.wire_count, 16)
    # free-XOR: XOR and INV gates cost no table, their zero-labels follow from the inputs' and Δ
    d = np.frombuffer(delta, np.uint8)
    k, w = circuit.kinds, circuit.wires.astype(np.int64)
    xor, inv = k == 0, k == 2
    assert np.array_equal(labels[w[xor, 2]], labels[w[xor, 0]] ^ labels[w[xor, 1]])
    assert np.array_equal(labels[w[inv, 2]], labels[w[inv, 0]] ^ d)
    # AND outputs are fresh pseudorandom labels: distinct, and never another wire's label ^ Δ
    and_out = {bytes(row) for row in labels[w[k == 1, 2]]}
    assert len(and_out) == circuit.and_count
    assert not and_out & {bytes(row) for row in labels[w[k == 1, 2]] ^ d}


def test_fresh_sessions_give_fresh_tables():
    circuit = scheduled(library.load("adder64"))
    zero = np.frombuffer(os.urandom(16 * 128), np.uint8).reshape(-1, 16)
    delta = fresh_delta()
    _, t1 = native.garble_circuit(circuit, zero, delta, native.hash_schedule(os.urandom(16)))
    _, t2 = native.garble_circuit(circuit, zero, delta, native.hash_schedule(os.urandom(16)))
    assert not np.any(np.all(t1 == t2, axis=1)), "a fresh hash key must change every table"
    schedule = native.hash_schedule(os.urandom(16))
    _, t3 = native.garble_circuit(circuit, zero, delta, schedule, tweak_base=0)
    _, t4 = native.garble_circuit(circuit, zero, delta, schedule, tweak_base=circuit.and_count)
    assert not np.any(np.all(t3 == t4, axis=1)), "fresh tweaks must change every table"
    zero2 = np.frombuffer(os.urandom(16 * 128), np.uint8).reshape(-1, 16)
    l5, t5 = native.garble_circuit(circuit, zero2, fresh_delta(), schedule)
    assert not np.any(np.all(t3 == t5, axis=1))


def test_native_and_portable_hash_agree():
    circuit = scheduled(library.load("mult64"))
    key, delta = os.urandom(16), fresh_delta()
    zero = np.frombuffer(os.urandom(16 * 128), np.uint8).reshape(-1, 16)
    l1, t1 = native.garble_circuit(circuit, zero, delta, native.hash_schedule(key))
    l2, t2 = native.garble_circuit(circuit, zero, delta, native.hash_schedule(key, portable=True))
    assert np.array_equal(t1, t2) and np.array_equal(l1, l2)
    e1 = native.evaluate_circuit(circuit, zero, t1, native.hash_schedule(key), 0)
    e2 = native.evaluate_circuit(circuit, zero, t1, native.hash_schedule(key, portable=True), 0)
    assert np.array_equal(e1, e2)


def test_vaes_aesni_and_portable_paths_agree():
    """The three hash paths (VAES where the CPU has it, 128-bit AES-NI, portable) give the same
    labels and tables, in file order (small, dependent AND batches) and scheduled order."""
    for circuit in (library.load("mult64"), scheduled(library.load("aes_128"))):
        key, delta = os.urandom(16), fresh_delta()
        zero = np.frombuffer(os.urandom(16 * circuit.input_bits), np.uint8).reshape(-1, 16)
        results = []
        for schedule, vaes in ((native.hash_schedule(key), True), (native.hash_schedule(key), False),
                               (native.hash_schedule(key, portable=True), True)):
            labels = np.empty((circuit.wire_count, 16), np.uint8)
            labels[:circuit.input_bits] = zero
            tables = np.empty((circuit.and_count, 32), np.uint8)
            native.garble_range(circuit, 0, circuit.gate_count, delta, schedule, 5, labels, tables,
                                vaes=vaes)
            active = np.empty_like(labels)
            active[:circuit.input_bits] = zero
            native.evaluate_range(circuit, 0, circuit.gate_count, tables, schedule, 5, active,
                                  vaes=vaes)
            results.append((labels, tables, active))
        for labels, tables, active in results[1:]:
            assert np.array_equal(labels, results[0][0]) and np.array_equal(tables, results[0][1])
            assert np.array_equal(active, results[0][2])


def test_half_gate_against_python_reference():
    """One AND gate garbled by the kernel equals ZRE15 figure 2 computed here with the exported
    TCCR hash (mpc_hash_tccr, itself cross-checked against `cryptography` by the AES tests)."""
    from mpc.native import aes
    key = os.urandom(16)
    b = builder.CircuitBuilder("and")
    x, y = b.input(1), b.input(1)
    b.output([b.and_(x[0], y[0])])
    circuit = b.build()
    delta = fresh_delta()
    d = np.frombuffer(delta, np.uint8)
    zero = np.frombuffer(os.urandom(32), np.uint8).reshape(2, 16)
    tweak_base = 77
    labels, tables = native.garble_circuit(circuit, zero, delta, native.hash_schedule(key), tweak_base)
    ak = aes.AesKey(key)
    a0, b0 = zero
    j = 2 * tweak_base
    h = ak.hash_tccr(np.stack([a0, a0 ^ d, b0, b0 ^ d]), np.array([j, j, j + 1, j + 1], np.uint64))
    pa, pb = a0[0] & 1, b0[0] & 1
    tg = h[0] ^ h[1] ^ (pb * d)
    te = h[2] ^ h[3] ^ a0
    c0 = h[0] ^ (pa * tg) ^ h[2] ^ (pb * (te ^ a0))
    assert np.array_equal(tables[0], np.concatenate([tg, te]))
    assert np.array_equal(labels[2], c0)


def test_kernel_rejects_malformed_circuits():
    good = library.load("adder64")
    zero = np.zeros((128, 16), np.uint8)
    schedule = native.hash_schedule(os.urandom(16))

    class Fake:  # bypasses Circuit validation to reach the C checks
        def __init__(self, kinds, wires):
            self.kinds, self.wires = kinds, wires
            self.gate_count, self.wire_count = len(kinds), good.wire_count
            self.input_bits, self.and_count, self.name = 128, int((kinds == 1).sum()), "fake"

    wires = good.wires.copy()
    wires[5, 0] = good.wire_count + 3
    with pytest.raises(NativeError, match="malformed circuit"):
        native.garble_circuit(Fake(good.kinds, wires), zero, fresh_delta(), schedule)
    kinds = good.kinds.copy()
    kinds[0] = 9
    with pytest.raises(NativeError, match="malformed circuit"):
        native.garble_circuit(Fake(kinds, good.wires), zero, fresh_delta(), schedule)
    wires = good.wires.copy()
    wires[0, 2] = 3  # overwrite an input wire
    with pytest.raises(NativeError, match="malformed circuit"):
        native.evaluate_circuit(Fake(good.kinds, wires), zero, np.zeros((63, 32), np.uint8), schedule)
    with pytest.raises(ValueError, match="least significant bit"):
        native.garble_circuit(good, zero, b"\x00" * 16, schedule)


def test_schedule_groups_and_gates_by_depth():
    circuit = library.load("aes_128")
    s = scheduled(circuit)
    assert sorted(native.schedule_order(circuit).tolist()) == list(range(circuit.gate_count))
    # runs of consecutive AND gates are long after scheduling (the hashes batch)
    def mean_run(c):
        runs, current = [], 0
        for k in c.kinds.tolist():
            if k == 1:
                current += 1
            elif current:
                runs.append(current)
                current = 0
        return sum(runs) / len(runs)
    assert mean_run(s) > 8 * mean_run(circuit) / 2
