"""Header packing/parsing (protocols/wire.md) and the in-process channel's checks."""
import os
import struct
import threading
import time

import numpy as np
import pytest

from mpc.errors import PeerTimeout, ProtocolError
from mpc.transport import LocalNetwork, PeerLeft, run_threads, wire

SID = bytes(range(16))


def test_header_round_trip():
    raw = wire.pack_header(wire.KIND_DATA, 2, 1, SID, 7, "iknp:u")
    assert len(raw) == wire.FIXED_BYTES + 6
    assert wire.parse_header(raw) == wire.Header(wire.KIND_DATA, 2, 1, SID, 7, "iknp:u")


@pytest.mark.parametrize("mutate, message", [
    (lambda h: h[:10], "truncated"),
    (lambda h: b"XX" + h[2:], "magic"),
    (lambda h: h[:2] + bytes([9]) + h[3:], "version 9"),
    (lambda h: h[:3] + bytes([7]) + h[4:], "kind"),
    (lambda h: h + b"x", "length"),
    (lambda h: h[:-1], "length"),
    (lambda h: h[:-2] + b"\x00u", "printable"),
])
def test_header_defects_raise_protocol_error(mutate, message):
    raw = wire.pack_header(wire.KIND_DATA, 0, 1, SID, 0, "ab:cd")
    with pytest.raises(ProtocolError, match=message):
        wire.parse_header(mutate(raw))


def test_random_bytes_never_parse_silently():
    for _ in range(200):
        junk = os.urandom(int.from_bytes(os.urandom(1), "little"))
        with pytest.raises(ProtocolError):
            wire.parse_header(junk)


def test_arrays_of_many_dtypes_and_shapes_cross_in_process():
    arrays = [np.arange(12, dtype=np.int8).reshape(3, 4), np.ones((2, 3, 4), np.float64),
              np.array([True, False]), np.zeros((0, 5), np.uint64), np.array(3 + 4j),
              np.arange(10, dtype=np.uint16)[::2]]

    def job(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        for a in arrays:
            channel.send_array("t:a", a)
        return [channel.recv_array("t:a") for _ in arrays]

    for got in run_threads(job, 2):
        for a, b in zip(arrays, got):
            assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


def test_size_and_description_checks_name_the_peer():
    def job(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            channel.send("t:x", b"12345")
            channel.send("t:y", b"<i4;3", b"\0" * 8)          # 8 bytes for 3 int32
            channel.send("t:z", b"|O8;1", b"\0" * 8)          # object dtype
            channel.send("t:w", b"a", b"b")                   # two frames where one is expected
            return None
        errors = []
        for call in (lambda: channel.recv_bytes("t:x", 4), lambda: channel.recv_array("t:y"),
                     lambda: channel.recv_array("t:z"), lambda: channel.recv_bytes("t:w")):
            with pytest.raises(ProtocolError) as info:
                call()
            errors.append(str(info.value))
        return errors

    errors = run_threads(job, 2)[1]
    assert all(e.startswith("party 0:") for e in errors)
    assert "expected 4" in errors[0] and "needs 12" in errors[1]


def test_timeout_names_the_silent_peer():
    network = LocalNetwork(2, timeout=0.2)
    start = time.monotonic()
    with pytest.raises(PeerTimeout, match="party 1: no message 't:x' within 0.2 s"):
        network.endpoint(0).channel(1).recv("t:x")
    assert time.monotonic() - start < 5


def test_closed_peer_gives_peer_left_after_its_queued_messages():
    network = LocalNetwork(2, timeout=5)
    a, b = network.endpoint(0), network.endpoint(1)
    a.channel(1).send("t:x", b"last")
    closer = threading.Thread(target=a.close)
    closer.start()
    assert bytes(b.channel(0).recv("t:x")[0]) == b"last"
    with pytest.raises(PeerLeft):
        b.channel(0).recv("t:x")
    closer.join()


def test_counters_count_bytes_messages_rounds():
    def job(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            channel.send("p:a", b"x" * 100)
            channel.send("p:a", b"x" * 100)
            channel.recv("p:a")
        else:
            channel.recv("p:a"), channel.recv("p:a")
            channel.send("p:a", b"y" * 10)
        return endpoint.stats.protocol("p")

    sender, receiver = run_threads(job, 2)
    header = wire.FIXED_BYTES + 3
    assert sender.bytes_sent == 2 * (100 + header) and sender.messages_sent == 2
    assert receiver.bytes_received == sender.bytes_sent
    assert sender.rounds + receiver.rounds == 2


def test_sequence_gap_is_a_protocol_error():
    network = LocalNetwork(2, timeout=1)
    header = wire.pack_header(wire.KIND_DATA, 0, 1, network.session_id, 5, "t:x")
    network.queues[1].put((0, [header]))
    with pytest.raises(ProtocolError, match="sequence number 5"):
        network.endpoint(1).recv(0, "t:x")
    assert struct.calcsize("<2sBBHH16sQB") == wire.FIXED_BYTES


def test_large_messages_go_in_pieces_and_come_back_whole():
    big = np.frombuffer(os.urandom(5 * wire.CHUNK_BYTES // 2), np.uint8)
    frames = [b"", big, b"x", bytes(wire.CHUNK_BYTES + 1)]

    def job(endpoint):
        channel = endpoint.channel(1 - endpoint.me)
        if endpoint.me == 0:
            channel.send("t:big", *frames)
            return endpoint.stats.protocol("t")
        got = channel.recv("t:big")
        assert [bytes(f) for f in got] == [bytes(f) for f in frames]
        assert all(f.readonly for f in got)
        return endpoint.stats.protocol("t")

    sent, received = run_threads(job, 2)
    # counters count header + payload, as for one DATA message (pieces are framing)
    assert sent.bytes_sent == received.bytes_received == wire.header_bytes("t:big") + sum(map(len, frames))
    assert wire.pieces([len(f) for f in frames]) == 3 + 0 + 1 + 2


@pytest.mark.parametrize("defect", ["short piece", "over the bound", "interleaved"])
def test_bad_pieces_are_protocol_errors(defect):
    network = LocalNetwork(2, timeout=1, max_message_bytes=4 * wire.CHUNK_BYTES)
    sid, queue = network.session_id, network.queues[1]
    sizes = [2 * wire.CHUNK_BYTES] if defect != "over the bound" else [5 * wire.CHUNK_BYTES]
    queue.put((0, [wire.pack_header(wire.KIND_LARGE, 0, 1, sid, 0, "t:x"), wire.pack_layout(sizes)]))
    if defect == "short piece":
        queue.put((0, [wire.pack_header(wire.KIND_PART, 0, 1, sid, 0, "t:x"), b"x" * 10]))
    if defect == "interleaved":
        queue.put((0, [wire.pack_header(wire.KIND_DATA, 0, 1, sid, 1, "t:y"), b"y"]))
    with pytest.raises(ProtocolError, match="^party 0: "):
        network.endpoint(1).recv(0, "t:x")
