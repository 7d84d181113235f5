"""Shipped Bristol Fashion circuits and the builder against plain-Python references (in the clear).

Spec: protocols/gc-halfgates.md, mpc/circuits/README.md.  AES-128 is checked against FIPS-197
appendix C.1 and the `cryptography` package; arithmetic against Python integers on random and edge
inputs; what the division circuits give for a zero divisor is pinned here.
"""
import secrets

import numpy as np
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mpc.gc import builder, library
from mpc.gc.circuit import bits_to_int, int_to_bits, parse_bristol, to_bristol

M = 1 << 64
EDGES = [0, 1, 2, 3, M - 1, M - 2, 1 << 63, (1 << 63) - 1, (1 << 63) + 1, 0x5555555555555555]


def signed(v, w=64):
    return v - (1 << w) if v >> (w - 1) else v


def trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


REFERENCES = {
    "adder64": lambda a, b: (a + b) % M,
    "sub64": lambda a, b: (a - b) % M,
    "mult64": lambda a, b: (a * b) % M,
    "udivide64": lambda a, b: a // b,
    "divide64": lambda a, b: trunc_div(signed(a), signed(b)) % M,
    "neg64": lambda a: (-a) % M,
    "zero_equal": lambda a: int(a == 0),
}


def pairs(nonzero_b=False):
    rows = [(a, b) for a in EDGES for b in EDGES]
    rows += [(secrets.randbits(64), secrets.randbits(64)) for _ in range(40)]
    rows += [(secrets.randbits(64), secrets.randbits(s)) for s in (1, 7, 32, 63) for _ in range(3)]
    return [(a, b) for a, b in rows if b or not nonzero_b]


def test_every_shared_circuit_is_shipped_and_has_a_reference():
    assert set(library.names()) == set(REFERENCES) | {"aes_128"}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_circuit_matches_python(name):
    circuit = library.load(name)
    ref = REFERENCES[name]
    if len(circuit.input_sizes) == 1:
        rows = [(a,) for a in EDGES] + [(secrets.randbits(64),) for _ in range(40)]
    else:
        rows = pairs(nonzero_b="divide" in name)
    for row, out in zip(rows, circuit.evaluate_many(rows)):
        assert out == (ref(*row),), (name, row)


def test_division_by_zero_is_pinned():
    udiv, div = library.load("udivide64"), library.load("divide64")
    for a in (0, 1, 5, M - 1, 1 << 63, (1 << 63) - 1):
        assert udiv.evaluate(a, 0) == (M - 1,)           # all ones, whatever a is
    for a in (0, 1, 5, (1 << 63) - 1):
        assert div.evaluate(a, 0) == (M - 1,)            # -1 for a >= 0
    assert div.evaluate(M - 1, 0) == (1,)                # what the circuit gives for a < 0
    assert div.evaluate(M - 5, 0) == (1,)
    assert div.evaluate(1 << 63, 0) == (2,)
    assert div.evaluate(1 << 63, M - 1) == (1 << 63,)    # INT_MIN / -1 wraps to INT_MIN


def aes_reference(key: bytes, block: bytes) -> bytes:
    return Cipher(algorithms.AES(key), modes.ECB()).encryptor().update(block)


def test_aes_fips197_c1():
    circuit = library.load("aes_128")
    key = int.from_bytes(bytes.fromhex("000102030405060708090a0b0c0d0e0f"), "big")
    plain = int.from_bytes(bytes.fromhex("00112233445566778899aabbccddeeff"), "big")
    (out,) = circuit.evaluate(key, plain)
    assert out.to_bytes(16, "big").hex() == "69c4e0d86a7b0430d8cdb78070b4c55a"


def test_aes_matches_cryptography():
    circuit = library.load("aes_128")
    cases = [(secrets.token_bytes(16), secrets.token_bytes(16)) for _ in range(12)]
    cases += [(bytes(16), bytes(16)), (b"\xff" * 16, b"\xff" * 16)]
    rows = [(int.from_bytes(k, "big"), int.from_bytes(p, "big")) for k, p in cases]
    for (k, p), (out,) in zip(cases, circuit.evaluate_many(rows)):
        assert out.to_bytes(16, "big") == aes_reference(k, p)


def test_bits_round_trip():
    for w in (1, 7, 64, 128, 129):
        v = secrets.randbits(w)
        assert bits_to_int(int_to_bits(v, w)) == v
    assert list(int_to_bits(6, 4)) == [0, 1, 1, 0]
    assert list(int_to_bits(-1, 3)) == [1, 1, 1]


@pytest.mark.parametrize("name", ["adder64", "neg64", "aes_128"])
def test_bristol_round_trip(name):
    circuit = library.load(name)
    again = parse_bristol(to_bristol(circuit), name)
    assert np.array_equal(again.kinds, circuit.kinds) and np.array_equal(again.wires, circuit.wires)
    assert again.input_sizes == circuit.input_sizes and again.output_sizes == circuit.output_sizes


OPS = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "lt": lambda a, b: int(a < b),
    "le": lambda a, b: int(a <= b), "gt": lambda a, b: int(a > b), "ge": lambda a, b: int(a >= b),
    "eq": lambda a, b: int(a == b), "ne": lambda a, b: int(a != b), "max": max, "min": min,
}


@pytest.mark.parametrize("width", [1, 2, 5, 8, 31, 64, 100])
@pytest.mark.parametrize("is_signed", [False, True])
def test_builder_integer_functions(width, is_signed):
    top = (1 << width) - 1
    edges = [0, 1, top, top - 1, 1 << (width - 1), (1 << (width - 1)) - 1]
    rows = [(a, b) for a in edges for b in edges]
    rows += [(secrets.randbits(width), secrets.randbits(width)) for _ in range(30)]
    for op, ref in OPS.items():
        circuit = builder.integer_circuit(op, width, is_signed)
        for (a, b), (out,) in zip(rows, circuit.evaluate_many(rows)):
            x, y = (signed(a, width), signed(b, width)) if is_signed else (a, b)
            assert out == ref(x, y) % (1 << circuit.output_sizes[0]), (op, width, is_signed, a, b)


def test_builder_and_counts():
    assert builder.integer_circuit("add", 64).and_count == 63
    assert builder.integer_circuit("lt", 64).and_count == 64
    assert builder.integer_circuit("eq", 64).and_count == 63
    assert builder.integer_circuit("max", 32).and_count == 64


def test_builder_mux_and_constants():
    circuit = builder.mux_circuit(16)
    for s, a, b in [(0, 5, 9), (1, 5, 9), (1, 0xFFFF, 0), (0, 0xFFFF, 0)]:
        assert circuit.evaluate(s, a, b) == ((a if s else b),)
    b = builder.CircuitBuilder("consts")
    x = b.input(2)
    b.output([b.constant(1), b.constant(0), b.xor(x[0], b.constant(1))])
    c = b.build()
    assert c.evaluate(0) == (0b101,) and c.evaluate(1) == (0b001,)


def test_aes_cbc_mac_circuit_matches_cryptography():
    blocks = 3
    circuit = builder.aes_cbc_mac_circuit(blocks)
    assert circuit.and_count == 6400 * blocks
    key = secrets.token_bytes(16)
    message = [secrets.token_bytes(16) for _ in range(blocks)]
    encryptor = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    mac = (encryptor.update(b"".join(message)) + encryptor.finalize())[-16:]
    values = [int.from_bytes(key, "big")] + [int.from_bytes(m, "big") for m in message]
    assert circuit.evaluate(*values) == (int.from_bytes(mac, "big"),)
