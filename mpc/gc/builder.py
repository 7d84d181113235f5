"""A small circuit builder for integer functions of any width, emitting the `Circuit` form.

For users and mpc.gc.functions: `integer_circuit("lt", 32, signed=True)` gives a two-input circuit
(party 0's value first); `CircuitBuilder` composes new ones from bit vectors.  AND counts: add/sub
w - 1 (carry-out ignored), comparisons w, equality w - 1, mux/max/min w (+ w for the comparison).
Values are lists of wire ids, least significant bit first.
"""
from __future__ import annotations

import numpy as np

from mpc.gc.circuit import AND, CONST, COPY, INV, XOR, Circuit

Bits = list  # list[int] of wire ids, least significant first


class CircuitBuilder:
    """Append-only gate list; `build()` makes the outputs the last wires as Bristol requires."""

    def __init__(self, name: str = "built"):
        self.name = name
        self._kinds: list[int] = []
        self._wires: list[tuple[int, int, int]] = []
        self._input_sizes: list[int] = []
        self._outputs: list[Bits] = []
        self._next = 0
        self._gates_started = False
        self._constants: dict[int, int] = {}

    # -- wires and gates ----------------------------------------------------------------------
    def input(self, width: int) -> Bits:
        if self._gates_started:
            raise ValueError("declare every input before the first gate")
        if width <= 0:
            raise ValueError("an input needs at least one bit")
        self._input_sizes.append(width)
        bits = list(range(self._next, self._next + width))
        self._next += width
        return bits

    def _gate(self, kind: int, a: int, b: int) -> int:
        self._gates_started = True
        out = self._next
        self._next += 1
        self._kinds.append(kind)
        self._wires.append((a, b, out))
        return out

    def xor(self, a: int, b: int) -> int:
        return self._gate(XOR, a, b)

    def and_(self, a: int, b: int) -> int:
        return self._gate(AND, a, b)

    def inv(self, a: int) -> int:
        return self._gate(INV, a, a)

    def constant(self, bit: int) -> int:
        bit = int(bool(bit))
        if bit not in self._constants:
            self._constants[bit] = self._gate(CONST, bit, 0)
        return self._constants[bit]

    def output(self, bits: Bits) -> None:
        self._outputs.append(list(bits))

    def build(self) -> Circuit:
        if not self._input_sizes or not self._outputs:
            raise ValueError("a circuit needs inputs and outputs")
        # Outputs must be the last wires: copy each output bit (COPY is free when garbling).
        for bits in self._outputs:
            for w in bits:
                self._gate(COPY, w, w)
        return Circuit(self._next, tuple(self._input_sizes), tuple(len(b) for b in self._outputs),
                       np.array(self._kinds, dtype=np.uint8),
                       np.array(self._wires, dtype=np.uint32).reshape(-1, 3), name=self.name)

    # -- word operations ----------------------------------------------------------------------
    def xor_bits(self, a: Bits, b: Bits) -> Bits:
        return [self.xor(x, y) for x, y in zip(a, b, strict=True)]

    def not_bits(self, a: Bits) -> Bits:
        return [self.inv(x) for x in a]

    def _add_carry(self, a: Bits, b: Bits, carry: int | None) -> tuple[Bits, int | None]:
        """a + b + carry with one AND per bit: c' = c ^ ((a ^ c) & (b ^ c))."""
        out = []
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if carry is None:
                out.append(self.xor(x, y))
                carry = self.and_(x, y) if i + 1 < len(a) else None
                continue
            out.append(self.xor(self.xor(x, y), carry))
            if i + 1 < len(a):
                carry = self.xor(carry, self.and_(self.xor(x, carry), self.xor(y, carry)))
            else:
                carry = None
        return out, carry

    def add(self, a: Bits, b: Bits) -> Bits:
        """a + b mod 2^w."""
        return self._add_carry(a, b, None)[0]

    def sub(self, a: Bits, b: Bits) -> Bits:
        """a - b mod 2^w = a + ~b + 1."""
        return self._add_carry(a, self.not_bits(b), self.constant(1))[0]

    def less_than(self, a: Bits, b: Bits, signed: bool = False) -> int:
        """a < b: the borrow out of a - b (w AND gates); signed flips the sign bits first."""
        if signed:
            a = a[:-1] + [self.inv(a[-1])]
            b = b[:-1] + [self.inv(b[-1])]
        # borrow chain of a - b: borrow' = (~a & b) | (~(a ^ b) & borrow), one AND per bit:
        # borrow' = b ^ ((a ^ b) & (b ^ borrow))  [select b where a != b, else the old borrow]
        borrow = None
        for x, y in zip(a, b, strict=True):
            if borrow is None:
                borrow = self.and_(self.inv(x), y)
                continue
            borrow = self.xor(borrow, self.and_(self.xor(x, y), self.xor(y, borrow)))
        return borrow

    def less_equal(self, a: Bits, b: Bits, signed: bool = False) -> int:
        return self.inv(self.less_than(b, a, signed))

    def equal(self, a: Bits, b: Bits) -> int:
        same = [self.inv(self.xor(x, y)) for x, y in zip(a, b, strict=True)]
        while len(same) > 1:  # balanced tree: depth log2(w)
            nxt = [self.and_(same[i], same[i + 1]) for i in range(0, len(same) - 1, 2)]
            if len(same) % 2:
                nxt.append(same[-1])
            same = nxt
        return same[0]

    def mux(self, select: int, if_one: Bits, if_zero: Bits) -> Bits:
        """select ? if_one : if_zero, one AND per bit."""
        return [self.xor(z, self.and_(select, self.xor(o, z)))
                for o, z in zip(if_one, if_zero, strict=True)]

    def maximum(self, a: Bits, b: Bits, signed: bool = False) -> Bits:
        return self.mux(self.less_than(a, b, signed), b, a)

    def minimum(self, a: Bits, b: Bits, signed: bool = False) -> Bits:
        return self.mux(self.less_than(a, b, signed), a, b)


BINARY_OPS = ("add", "sub", "lt", "le", "gt", "ge", "eq", "ne", "max", "min")


def integer_circuit(op: str, width: int, signed: bool = False) -> Circuit:
    """Circuit of `a op b` on two width-bit integers (a = input 0, b = input 1).

    Comparisons output one bit; add/sub/max/min output width bits (mod 2^width).
    """
    if op not in BINARY_OPS:
        raise ValueError(f"unknown operation {op!r}; choose from {', '.join(BINARY_OPS)}")
    if width <= 0:
        raise ValueError("width must be positive")
    b = CircuitBuilder(f"{op}{width}{'s' if signed else ''}")
    x, y = b.input(width), b.input(width)
    if op == "add":
        out = b.add(x, y)
    elif op == "sub":
        out = b.sub(x, y)
    elif op == "lt":
        out = [b.less_than(x, y, signed)]
    elif op == "gt":
        out = [b.less_than(y, x, signed)]
    elif op == "le":
        out = [b.less_equal(x, y, signed)]
    elif op == "ge":
        out = [b.less_equal(y, x, signed)]
    elif op == "eq":
        out = [b.equal(x, y)]
    elif op == "ne":
        out = [b.inv(b.equal(x, y))]
    elif op == "max":
        out = b.maximum(x, y, signed)
    else:
        out = b.minimum(x, y, signed)
    b.output(out)
    return b.build()


def mux_circuit(width: int) -> Circuit:
    """Inputs: select (1 bit), a, b (width bits each); output select ? a : b."""
    b = CircuitBuilder(f"mux{width}")
    s, x, y = b.input(1), b.input(width), b.input(width)
    b.output(b.mux(s[0], x, y))
    return b.build()


def aes_cbc_mac_circuit(blocks: int) -> Circuit:
    """AES-128 CBC-MAC of `blocks` 128-bit blocks as one circuit (6400 * blocks AND gates):
    input 0 = key, inputs 1..blocks = message blocks (big-endian integers, as aes_128.txt reads
    bytes); output = AES_k(... AES_k(AES_k(m_1) ^ m_2) ... ^ m_blocks).  Built by wiring copies of
    the shipped aes_128 circuit; used as the large benchmark circuit."""
    from mpc.gc import library  # the shipped AES circuit is package data
    if blocks < 1:
        raise ValueError("blocks must be positive")
    aes = library.load("aes_128")
    internal = aes.wire_count - 256
    next_wire = 128 + 128 * blocks
    kinds, wires, previous = [], [], None
    for i in range(blocks):
        message = np.arange(128 + 128 * i, 128 + 128 * (i + 1), dtype=np.int64)
        if previous is None:
            plain = message
        else:
            plain = np.arange(next_wire, next_wire + 128, dtype=np.int64)
            next_wire += 128
            kinds.append(np.full(128, XOR, np.uint8))
            wires.append(np.stack([previous, message, plain], axis=1))
        mapping = np.empty(aes.wire_count, dtype=np.int64)
        mapping[:128] = np.arange(128)
        mapping[128:256] = plain
        mapping[256:] = np.arange(next_wire, next_wire + internal)
        next_wire += internal
        kinds.append(aes.kinds)
        wires.append(mapping[aes.wires.astype(np.int64)])  # aes_128 has no CONST gates to keep
        previous = mapping[aes.wire_count - 128:]
    return Circuit(next_wire, (128,) * (blocks + 1), (128,), np.concatenate(kinds),
                   np.concatenate(wires).astype(np.uint32), name=f"aes_cbc_mac_{blocks}")
