"""Two-party garbled circuits: Bristol Fashion circuits, a circuit builder, half-gates garbling.

For users computing a boolean function of two parties' private inputs: `evaluate`, `millionaires`,
`compare`, `equal`, `maximum`, `aes128`, `aes128_batch` (mpc.gc.functions) over a Channel; the
roles `Garbler` / `Evaluator` for several runs over one OT set-up.  Spec: protocols/gc-halfgates.md.
"""
from mpc.gc.builder import CircuitBuilder, integer_circuit
from mpc.gc.circuit import Circuit, load_bristol, parse_bristol
from mpc.gc.evaluator import Evaluator
from mpc.gc.functions import (aes128, aes128_batch, compare, equal, evaluate, maximum, millionaires,
                              run_job)
from mpc.gc.garbler import Garbler
from mpc.gc.job import EVALUATOR, GARBLER, Job
from mpc.gc.library import load as load_circuit

__all__ = ["Circuit", "CircuitBuilder", "EVALUATOR", "Evaluator", "GARBLER", "Garbler", "Job",
           "aes128", "aes128_batch", "compare", "equal", "evaluate", "integer_circuit",
           "load_bristol", "load_circuit", "maximum", "millionaires", "parse_bristol", "run_job"]
