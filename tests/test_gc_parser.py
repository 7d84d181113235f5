"""The Bristol Fashion parser rejects malformed circuits with a clear error and line number."""
import pytest

from mpc.errors import CircuitError
from mpc.gc.circuit import Circuit, parse_bristol
import numpy as np

GOOD = """3 6
2 2 1
1 1

2 1 0 1 3 AND
1 1 3 4 INV
2 1 4 2 5 XOR
"""


def test_good_circuit():
    c = parse_bristol(GOOD)
    assert c.gate_count == 3 and c.and_count == 1 and c.input_sizes == (2, 1)
    for a in range(4):
        for b in range(2):
            bits = (a & 1) & (a >> 1)
            assert c.evaluate(a, b) == ((1 - bits) ^ b,)


def expect(text, *fragments, line=None):
    with pytest.raises(CircuitError) as info:
        parse_bristol(text, "bad.txt")
    message = str(info.value)
    assert message.startswith("bad.txt:")
    for f in fragments:
        assert f in message, message
    if line is not None:
        assert info.value.line == line, message


def test_wrong_gate_count():
    expect(GOOD.replace("3 6", "4 6", 1), "announces 4 gates", "has 3")
    expect(GOOD.replace("3 6", "2 6", 1), "more gate lines", line=7)


def test_wrong_wire_count():
    expect(GOOD.replace("3 6", "3 7", 1), "never set")
    expect(GOOD.replace("3 6", "3 5", 1), "out of range", line=7)


def test_bad_header_lines():
    expect("3 6 1\n", "first line", line=1)
    expect(GOOD.replace("2 2 1", "3 2 1", 1), "inputs line", line=2)
    expect(GOOD.replace("1 1\n", "1 0\n", 1), "zero bits", line=3)
    expect(GOOD.replace("3 6", "three 6", 1), "expected integers", line=1)
    expect("3 6\n2 2 1\n", "unexpected end", line=2)


def test_out_of_range_wire():
    expect(GOOD.replace("2 1 0 1 3 AND", "2 1 0 9 3 AND"), "wire 9 out of range", line=5)


def test_unknown_gate():
    expect(GOOD.replace("INV", "NAND"), "unknown gate 'NAND'", line=6)


def test_wire_used_before_set():
    text = GOOD.replace("2 1 0 1 3 AND", "2 1 0 4 3 AND")
    expect(text, "wire 4 is used before it is set", line=5)


def test_wire_set_twice_and_input_overwrite():
    expect(GOOD.replace("1 1 3 4 INV", "1 1 3 3 INV"), "wire 3 is set twice", line=6)
    expect(GOOD.replace("2 1 0 1 3 AND", "2 1 0 1 2 AND"), "set twice", "input wire", line=5)


def test_arity_mismatch():
    expect(GOOD.replace("2 1 0 1 3 AND", "1 1 0 3 AND"), "takes 2 inputs", line=5)
    expect(GOOD.replace("2 1 0 1 3 AND", "2 1 0 1 AND"), "lists 2 wires", line=5)


def test_eq_eqw_and_mand():
    text = """4 7
1 2
1 2

1 1 1 2 EQ
1 1 0 3 EQW
4 2 0 1 2 3 4 5 MAND
"""
    with pytest.raises(CircuitError):  # header says 4 gates, file has 3 lines
        parse_bristol(text)
    text = text.replace("4 7", "3 7")
    # MAND 4 2: ANDs (0,2)->4 and (1,3)->5, plus constants: 7 wires, but only 6 are set
    expect(text, "never set")
    ok = """4 8
1 2
1 2

1 1 1 2 EQ
1 1 0 3 EQW
4 2 0 1 2 3 4 5 MAND
2 1 4 5 6 XOR
"""
    with pytest.raises(CircuitError):
        parse_bristol(ok)  # wire 7 never set: outputs are the last two wires 6 and 7
    ok = ok.replace("4 8", "5 8") + "2 1 5 4 7 AND\n"
    c = parse_bristol(ok)
    assert c.gate_count == 6 and c.and_count == 3
    for x in range(4):
        x0, x1 = x & 1, x >> 1
        a, b = x0 & 1, x1 & x0     # MAND: (w0 & w2), (w1 & w3) with w2 = 1, w3 = w0
        assert c.evaluate(x) == ((a ^ b) | ((b & a) << 1),)
    expect(ok.replace("1 1 1 2 EQ", "1 1 2 2 EQ"), "constant 0 or 1", line=5)
    expect(ok.replace("4 2 0 1 2 3 4 5 MAND", "3 2 0 1 2 4 5 MAND"), "MAND needs 2k", line=7)


def test_direct_construction_is_validated():
    kinds = np.array([1], np.uint8)
    with pytest.raises(CircuitError, match="before it is set"):
        Circuit(4, (1, 1), (1,), np.array([1, 0], np.uint8), np.array([[0, 3, 2], [0, 1, 3]]))
    with pytest.raises(CircuitError, match="unknown gate kind"):
        Circuit(3, (1, 1), (1,), np.array([9], np.uint8), np.array([[0, 1, 2]]))
    with pytest.raises(CircuitError, match=">= 3"):
        Circuit(3, (1, 1), (1,), kinds, np.array([[0, 5, 2]]))
    with pytest.raises(CircuitError, match="set twice"):
        Circuit(4, (1, 1), (1,), np.array([1, 0], np.uint8), np.array([[0, 1, 2], [0, 1, 2]]))
