"""Joint computation of boolean functions between two parties with garbled circuits.

For users: each function takes the `Channel` to the other party, this party's role ("garbler" or
0, "evaluator" or 1), its own input and optionally a `Prg` and an existing `Garbler`/`Evaluator`
(`party=`, to reuse one OT set-up and hash key across calls; otherwise every call is a fresh
session with fresh Δ, labels and hash key).  Both parties must call the same function with the
same public parameters.  Spec: protocols/gc-halfgates.md.

    evaluate(channel, role, circuit, inputs)           any circuit, inputs owned as `owners` says
    millionaires(channel, role, value, bits=64)        garbler's value > evaluator's value?
    compare(channel, role, value, op="lt")             garbler's value <op> evaluator's value
    equal(channel, role, value)                        values equal?
    maximum(channel, role, value)                      the larger value
    aes128(channel, role, key=... | plaintext=...)     AES-128 with key and plaintext split
    aes128_batch(channel, role, key=..., blocks=n | plaintexts=[...])   many blocks, one key
"""
from __future__ import annotations

from mpc.gc import builder, library
from mpc.gc.evaluator import Evaluator
from mpc.gc.garbler import Garbler
from mpc.gc.job import EVALUATOR, GARBLER, Job, role_name


def _party(channel, role: str, prg, party):
    if party is not None:
        expected = Garbler if role == GARBLER else Evaluator
        if not isinstance(party, expected):
            raise ValueError(f"party= must be a {expected.__name__} for role {role}")
        return party
    return Garbler(channel, prg) if role == GARBLER else Evaluator(channel, prg)


def run_job(channel, role, job: Job, inputs, *, prg=None, party=None):
    """Run a prepared `Job` as `role` with this party's `inputs` (see `Job.encode`)."""
    role = role_name(role)
    return _party(channel, role, prg, party).run(job, inputs)


def evaluate(channel, role, circuit, inputs, *, owners=None, shared=None, instances: int = 1,
             reveal: str = "both", prg=None, party=None):
    """Evaluate `circuit` jointly; `inputs` are this party's values in circuit order.

    owners: per circuit input value "garbler"/"evaluator" (default: value 0 the garbler's, value 1
    the evaluator's, for two-input circuits).  Returns a tuple of output integers (a list of
    them per instance when instances > 1), or None for the party that does not learn them.
    """
    if owners is None:
        if len(circuit.input_sizes) != 2:
            raise ValueError("give owners= for a circuit without exactly two input values")
        owners = (GARBLER, EVALUATOR)
    shared = tuple(shared) if shared is not None else (False,) * len(circuit.input_sizes)
    job = Job(circuit, tuple(owners), shared, instances, reveal)
    return run_job(channel, role, job, inputs, prg=prg, party=party)


def _binary(channel, role, op, value, bits, signed, reveal, prg, party):
    circuit = builder_circuit(op, bits, signed)
    if not signed and not 0 <= int(value) < 1 << bits:
        raise ValueError(f"value must be in 0..2^{bits}-1 (or pass signed=True)")
    if signed and not -(1 << (bits - 1)) <= int(value) < 1 << (bits - 1):
        raise ValueError(f"value must be a signed {bits}-bit integer")
    result = evaluate(channel, role, circuit, [int(value)], reveal=reveal, prg=prg, party=party)
    return None if result is None else result[0]


def builder_circuit(op: str, bits: int, signed: bool = False):
    """The cached builder circuit of a two-input integer operation."""
    key = (op, bits, signed)
    if key not in _BUILT:
        _BUILT[key] = builder.integer_circuit(op, bits, signed)
    return _BUILT[key]


_BUILT: dict = {}


def compare(channel, role, value: int, *, op: str = "lt", bits: int = 64, signed: bool = False,
            reveal: str = "both", prg=None, party=None):
    """garbler's value <op> evaluator's value for op in lt, le, gt, ge, eq, ne (a bool)."""
    if op not in ("lt", "le", "gt", "ge", "eq", "ne"):
        raise ValueError(f"unknown comparison {op!r}")
    result = _binary(channel, role, op, value, bits, signed, reveal, prg, party)
    return None if result is None else bool(result)


def millionaires(channel, role, value: int, *, bits: int = 64, signed: bool = False,
                 reveal: str = "both", prg=None, party=None):
    """Yao's millionaires: True when the garbler's value is strictly greater than the evaluator's."""
    return compare(channel, role, value, op="gt", bits=bits, signed=signed, reveal=reveal,
                   prg=prg, party=party)


def equal(channel, role, value: int, *, bits: int = 64, reveal: str = "both", prg=None, party=None):
    """True when both parties hold the same value (nothing else is revealed)."""
    return compare(channel, role, value, op="eq", bits=bits, reveal=reveal, prg=prg, party=party)


def maximum(channel, role, value: int, *, bits: int = 64, signed: bool = False,
            reveal: str = "both", prg=None, party=None):
    """The larger of the two values (as a signed integer when signed=True)."""
    result = _binary(channel, role, "max", value, bits, signed, reveal, prg, party)
    if result is not None and signed and result >> (bits - 1):
        result -= 1 << bits
    return result


def _aes_job(role: str, key, blocks: int, reveal: str) -> tuple[Job, bool]:
    key_owner = role if key is not None else (EVALUATOR if role == GARBLER else GARBLER)
    plain_owner = EVALUATOR if key_owner == GARBLER else GARBLER
    return Job(library.load("aes_128"), (key_owner, plain_owner), (True, False), blocks, reveal), \
        key is not None


def _block(data, what: str) -> int:
    data = bytes(data)
    if len(data) != 16:
        raise ValueError(f"the AES-128 {what} is 16 bytes")
    return int.from_bytes(data, "big")  # the circuit reads bytes as a big-endian integer


def aes128(channel, role, *, key=None, plaintext=None, reveal: str = "both", prg=None, party=None):
    """AES-128 of one block: one party gives key=, the other plaintext=; returns the ciphertext
    (16 bytes) to the parties named by reveal, None to the other."""
    out = aes128_batch(channel, role, key=key, plaintexts=None if plaintext is None else [plaintext],
                       blocks=1, reveal=reveal, prg=prg, party=party)
    return None if out is None else out[0]


def aes128_batch(channel, role, *, key=None, plaintexts=None, blocks: int | None = None,
                 reveal: str = "both", prg=None, party=None):
    """AES-128 of many blocks under one key: the key holder passes key= and blocks=n, the other
    plaintexts= (n blocks of 16 bytes).  Returns the list of ciphertexts or None."""
    role = role_name(role)
    if (key is None) == (plaintexts is None):
        raise ValueError("give exactly one of key= (with blocks=) and plaintexts=")
    if plaintexts is not None:
        plaintexts = [_block(p, "plaintext") for p in plaintexts]
        blocks = len(plaintexts) if blocks is None else blocks
        if blocks != len(plaintexts):
            raise ValueError("blocks= disagrees with the number of plaintexts")
    if not blocks or blocks < 1:
        raise ValueError("blocks must be a positive number of blocks")
    job, holds_key = _aes_job(role, key, blocks, reveal)
    mine = [_block(key, "key")] if holds_key else [plaintexts if blocks > 1 else plaintexts[0]]
    result = run_job(channel, role, job, mine, prg=prg, party=party)
    if result is None:
        return None
    rows = [result] if blocks == 1 else result
    return [row[0].to_bytes(16, "big") for row in rows]
