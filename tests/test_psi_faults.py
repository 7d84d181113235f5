"""PSI roles facing failures: a server that fails before confirming, a client announcing 2^40 rows,
timeouts from the config (spec: protocols/psi-rsa.md, "Messages"; mpc/commands/_peer.py).
"""
from __future__ import annotations

import argparse
import time
import tracemalloc

import pytest

import mpc.psi as psi
from mpc.commands import _peer
from mpc.errors import PeerAborted, PeerTimeout, ProtocolError
from mpc.psi import RsaPsiServer
from mpc.psi import messages as msg
from mpc.psi.ids import PackedIds
from mpc.runtime import parse_config
from mpc.transport import run_threads


def test_client_fails_when_the_server_cannot_confirm_the_matches():
    def party(endpoint):
        if endpoint.me == 1:
            try:
                psi.client(endpoint, ["a", "b"])
            except (PeerAborted, PeerTimeout) as exc:
                return exc
            return "finished"

        def fail_to_write(outcome):
            raise OSError("disk full")
        try:
            RsaPsiServer(endpoint.channel(1), on_result=fail_to_write).run(PackedIds.from_values(["b", "c"]))
        except OSError:
            endpoint.abort("could not write its output")
        return None
    _, client = run_threads(party, parties=2, timeout=20)
    assert isinstance(client, PeerAborted) and client.reason == "could not write its output"


def test_server_that_vanishes_before_confirming_leaves_the_client_failing():
    def party(endpoint):
        if endpoint.me == 1:
            started = time.monotonic()
            with pytest.raises(PeerTimeout, match="psi-rsa:done"):
                psi.client(endpoint, ["a", "b"])
            return time.monotonic() - started
        RsaPsiServer(endpoint.channel(1), on_result=lambda outcome: time.sleep(3)).run(
            PackedIds.from_values(["b"]))
    _, seconds = run_threads(party, parties=2, timeout=2)
    assert seconds < 2 + 3


def test_announced_rows_allocate_nothing_before_data_arrives():
    """A client announcing 2^40 - 1 rows and sending none: the server waits, allocating only its own."""
    peak = {}

    def party(endpoint):
        if endpoint.me == 1:
            endpoint.channel(0).send(msg.TAG_CLIENT_HELLO, msg.ClientHello("both", 1, (1 << 40) - 1).pack())
            time.sleep(3)
            return None
        tracemalloc.start()
        try:
            with pytest.raises(PeerTimeout):
                psi.server(endpoint, ["a", "b", "c"])
            peak["bytes"] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    run_threads(party, parties=2, timeout=2)
    assert peak["bytes"] < 50 << 20  # the batch bounds of 2^40 rows would be gigabytes


def test_more_than_2_to_the_40_rows_is_refused():
    def party(endpoint):
        if endpoint.me == 1:
            endpoint.channel(0).send(msg.TAG_CLIENT_HELLO, msg.ClientHello("both", 1, (1 << 40) + 1).pack())
            return None
        return psi.server(endpoint, ["a"])
    with pytest.raises(ProtocolError, match="more than the limit"):
        run_threads(party, parties=2, timeout=10)


def test_the_configs_timeout_is_used_unless_the_command_line_sets_one():
    config = parse_config({"session": {"timeout": 7, "security": "none"},
                           "party": [{"name": "a", "address": "tcp://127.0.0.1:1"}, {"name": "b"}]})
    args = argparse.Namespace(timeout=None)
    assert _peer.timeout_of(args, config) == 7
    assert _peer.timeout_of(args, None) == _peer.DEFAULT_TIMEOUT
    assert _peer.timeout_of(argparse.Namespace(timeout=3.0), config) == 3.0
