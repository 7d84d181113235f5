"""Benchmarks runnable by users: `mpc bench PROTOCOL [--json]` (format: ../DESIGN.md).

Every module `mpc.bench.<protocol>` defines `DESCRIPTION` (one line) and
`run(options: BenchOptions) -> list[dict]`, each dict made by `measurement(...)`.  Parties run in
separate processes over ZeroMQ loopback (`mpc.run_local`) unless a config places them elsewhere.
The pytest-benchmark suites in benchmarks/ call the same functions.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class BenchOptions:
    quick: bool = False                 # small sizes, for smoke tests and a first look
    sizes: list[int] | None = None      # override the protocol's default sizes
    repeat: int = 3                     # best of `repeat` where the protocol repeats
    extra: dict = field(default_factory=dict)


def measurement(protocol: str, case: str, n: int, seconds: float, *, bytes_sent: int = 0,
                bytes_received: int = 0, rounds: int = 0, **extra) -> dict:
    """One line of `mpc bench --json`; bytes and rounds are summed over the parties."""
    row = {"protocol": protocol, "case": case, "n": int(n), "seconds": float(seconds),
           "ops_per_s": (n / seconds) if seconds > 0 else float("inf"),
           "bytes_sent": int(bytes_sent), "bytes_received": int(bytes_received), "rounds": int(rounds)}
    row.update(extra)
    return row


SYNC_TAG = "bench:sync"


def sync_pair(channel, me: int) -> None:
    """A ping-pong so that both parties start the timed part together (party 0 pings)."""
    if me == 0:
        channel.send(SYNC_TAG, b"")
        channel.recv(SYNC_TAG)
    else:
        channel.recv(SYNC_TAG)
        channel.send(SYNC_TAG, b"")
