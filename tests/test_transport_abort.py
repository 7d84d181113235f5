"""Endpoint.abort: the peer hears why, at once (spec: protocols/wire.md, "Abort").

A party that stops on purpose sends ABORT with a short reason; every wait of the peer on it then
raises PeerAborted with that reason promptly instead of waiting out its timeout, over the
in-process transport and over ZeroMQ between processes.
"""
from __future__ import annotations

import time

import pytest

from mpc import runtime
from mpc.errors import PeerAborted
from mpc.transport import run_threads, wire


def test_abort_reaches_a_waiting_peer_at_once():
    def party(endpoint):
        if endpoint.me == 1:
            endpoint.send(0, "t:data", b"before")
            endpoint.abort("its input file is not usable: line 3")
            return None
        assert bytes(endpoint.recv(1, "t:data")[0]) == b"before"  # sent before the abort: delivered
        started = time.monotonic()
        with pytest.raises(PeerAborted) as info:
            endpoint.recv(1, "t:next", timeout=30)
        with pytest.raises(PeerAborted):
            endpoint.send(1, "t:reply", b"x")
        return time.monotonic() - started, info.value
    (seconds, error), _ = run_threads(party, parties=2, timeout=30)
    assert seconds < 5
    assert error.reason == "its input file is not usable: line 3" and error.peer == "1"
    assert str(error) == "1 stopped: its input file is not usable: line 3"


def test_abort_reason_is_bounded_and_printable():
    long = "é" * 1000 + "\x1b[31m"
    payload = wire.pack_abort_reason(long)
    assert len(payload) <= wire.MAX_ABORT_REASON_BYTES
    payload.decode("utf-8")  # cut at a character boundary
    assert wire.parse_abort_reason([b"bad\x1b[2Jreason\xff"]) == "bad [2Jreason\ufffd"
    assert wire.parse_abort_reason([b""]) == "no reason given"
    assert wire.parse_abort_reason([b"x" * 5000]) == "x" * wire.MAX_ABORT_REASON_BYTES


def _abort_job(session):
    if session.me == 1:
        time.sleep(0.5)
        session.abort("interrupted")
        return "aborted"
    started = time.monotonic()
    try:
        session.channel(1).recv("t:never", timeout=60)
    except PeerAborted as exc:
        return time.monotonic() - started, exc.reason, exc.peer
    return None


def test_abort_over_zeromq_between_processes():
    started = time.monotonic()
    (seconds, reason, peer), second = runtime.run_local(_abort_job, parties=2, timeout=60,
                                                        names=["bank", "insurer"])
    assert second == "aborted" and reason == "interrupted" and peer == "insurer"
    assert seconds < 5 and time.monotonic() - started < 20
