"""The ZeroMQ transport over real loopback sockets: exchange, dead peers, junk frames, CURVE/ZAP."""
import os
import threading
import time

import numpy as np
import pytest
import zmq

import mpc
from mpc.errors import PartyFailed, PeerTimeout
from mpc.transport import wire
from mpc.transport.curve import KeyPair
from mpc.transport.zmq_endpoint import PeerAddress, ZmqEndpoint

ARRAYS = [np.arange(24, dtype=np.int32).reshape(2, 3, 4), np.linspace(0, 1, 7),
          np.array([[True, False], [False, True]]), np.arange(5, dtype=np.uint64) << np.uint64(60),
          np.zeros((0, 3), np.int16), np.full((300, 300), 2.5, np.float32)]


def _exchange(session):
    for peer in session.peers():
        for k, array in enumerate(ARRAYS):
            session.channel(peer).send_array(f"t:{k}", array * (session.me + 1))
    got = {}
    for peer in reversed(session.peers()):        # read in another order than sent
        for k in reversed(range(len(ARRAYS))):
            got[peer, k] = session.channel(peer).recv_array(f"t:{k}")
    return {key: value.copy() for key, value in got.items()}, session.id


@pytest.mark.parametrize("security", ["curve", "none"])
def test_three_parties_exchange_tagged_arrays(security):
    results = mpc.run_local(_exchange, parties=3, security=security, timeout=20)
    assert len({session_id for _, session_id in results}) == 1
    for me, (got, _) in enumerate(results):
        for (peer, k), array in got.items():
            expected = ARRAYS[k] * (peer + 1)
            assert array.dtype == expected.dtype and array.shape == expected.shape
            assert np.array_equal(array, expected)


def _dies_midway(session):
    channel = {p: session.channel(p) for p in session.peers()}
    for p in session.peers():
        channel[p].send("t:one", b"first")
    if session.me == 1:
        os._exit(7)
    for p in session.peers():
        channel[p].recv("t:one")
    for p in session.peers():
        channel[p].send("t:two", b"second")
    return [bytes(channel[p].recv("t:two")[0]) for p in session.peers()]


def test_killed_party_is_reported_and_nobody_hangs():
    start = time.monotonic()
    with pytest.raises(PartyFailed) as info:
        mpc.run_local(_dies_midway, parties=3, timeout=2)
    elapsed = time.monotonic() - start
    assert info.value.party == 1 and "exit code 7" in str(info.value)
    notes = "\n".join(getattr(info.value, "__notes__", []))
    for survivor in (0, 2):   # stopped at once, or already failing on the dead peer
        assert f"party {survivor} was stopped" in notes or f"party {survivor} then raised" in notes
    assert elapsed < 30  # a hang would run into pytest's own limits


def _raises_on_two(session):
    if session.me == 2:
        raise ValueError("no such customer")
    return session.channel(2).recv("t:x")


def test_party_exception_is_reraised_with_its_party():
    with pytest.raises(ValueError, match="no such customer") as info:
        mpc.run_local(_raises_on_two, parties=3, timeout=3)
    assert info.value.party == 2


# -- endpoints in threads of this process, so that tests can inject raw frames ------------------

def _pair(security="none", max_message_bytes=1 << 20, extra=0):
    keys = [KeyPair.generate() for _ in range(2 + extra)]
    peers = [PeerAddress(f"p{i}", "tcp://127.0.0.1:0", keys[i].public if security == "curve" else None) for i in range(2 + extra)]
    endpoints = [ZmqEndpoint(i, peers, keypair=keys[i] if security == "curve" else None,
                             security=security, timeout=5, max_message_bytes=max_message_bytes)
                 for i in range(2 + extra)]
    started = [e.start() for e in endpoints]
    addresses = {i: address for i, address in enumerate(started) if address}
    threads = [threading.Thread(target=e.connect, args=(addresses,)) for e in endpoints]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return endpoints, addresses, keys


def _data_frame(sender, receiver, session, seq, tag="t:x"):
    return wire.pack_header(wire.KIND_DATA, sender, receiver, session, seq, tag)


def test_junk_frames_are_dropped_and_valid_traffic_continues():
    (a, b), addresses, _ = _pair(max_message_bytes=64 * 1024)
    pair_session = b._pair_session[0]
    raw = b._dealers[0]                                             # party 1's own connection
    junk = [
        [b"MP\x01"],                                                    # truncated header
        [b"MP\x09" + _data_frame(1, 0, pair_session, 0)[3:]],            # wrong version
        [_data_frame(1, 0, os.urandom(16), 0)],                          # wrong session id
        [_data_frame(1, 0, pair_session, 0)[:-1]],                       # header/tag mismatch
        [os.urandom(57)],                                                # random bytes
        [_data_frame(1, 0, pair_session, 0), b"x" * 40_000, b"y" * 40_000],  # over the bound
        [_data_frame(1, 1, pair_session, 0)],                            # wrong receiver
    ]
    for frames in junk:
        raw.send_multipart(frames)
    intruder = zmq.Context.instance().socket(zmq.DEALER)             # unknown routing id
    intruder.routing_id = b"intruder"
    intruder.linger = 0
    intruder.connect(addresses[0])
    intruder.send_multipart([_data_frame(1, 0, pair_session, 0)])
    b.channel(0).send("t:x", b"valid")
    assert bytes(a.channel(1).recv_bytes("t:x", 5)) == b"valid"
    deadline = time.monotonic() + 3
    while a.stats.dropped < len(junk) + 1 and time.monotonic() < deadline:
        try:
            a.recv(1, "t:never", timeout=0.1)
        except PeerTimeout:
            pass
    assert a.stats.dropped == len(junk) + 1
    b.channel(0).send("t:x", b"again")
    assert bytes(a.channel(1).recv_bytes("t:x", 5)) == b"again"
    intruder.close()
    for e in (a, b):
        e.close(wait=1)


def test_unlisted_key_is_refused_by_zap():
    (a, b), addresses, keys = _pair(security="curve")
    stranger = KeyPair.generate()
    sock = zmq.Context.instance().socket(zmq.ROUTER)
    sock.linger = 0
    sock.routing_id = b"p1x"
    sock.curve_publickey, sock.curve_secretkey = stranger.public, stranger.secret
    sock.curve_serverkey = keys[0].public
    sock.setsockopt(zmq.CONNECT_ROUTING_ID, b"p0")
    sock.connect(addresses[0])
    sock.send_multipart([b"p0", _data_frame(1, 0, b._pair_session[0], 0)])
    with pytest.raises(PeerTimeout):
        a.recv(1, "t:x", timeout=0.5)
    assert a._zap.refused >= 1
    sock.close()
    for e in (a, b):
        e.close(wait=1)


def test_listed_party_cannot_impersonate_another():
    (a, b, c), addresses, keys = _pair(security="curve", extra=1)
    # Party 2 sends through its own connection a frame that claims to come from party 1.
    c._dealers[0].send_multipart([_data_frame(1, 0, b._pair_session[0], 0)])
    # Party 2 opens a second connection with its own (listed) key but party 1's routing id.
    sock = zmq.Context.instance().socket(zmq.ROUTER)
    sock.linger = 0
    sock.routing_id = b"p1"
    sock.curve_publickey, sock.curve_secretkey = keys[2].public, keys[2].secret
    sock.curve_serverkey = keys[0].public
    sock.setsockopt(zmq.CONNECT_ROUTING_ID, b"p0")
    sock.connect(addresses[0])
    sock.send_multipart([b"p0", _data_frame(1, 0, b._pair_session[0], 0)])
    b.channel(0).send("t:x", b"real")
    assert bytes(a.channel(1).recv_bytes("t:x")) == b"real"
    with pytest.raises(PeerTimeout):
        a.recv(1, "t:x", timeout=0.5)
    assert a.stats.dropped >= 1
    sock.close()
    for e in (a, b, c):
        e.close(wait=1)


def test_hello_lost_with_a_broken_connection_is_sent_again():
    # Whatever answers the port first (here a bare ROUTER that swallows the HELLO and goes away,
    # as a closing session of `mpc pir serve` does) must not cost the session its HELLO.
    context = zmq.Context()
    squatter = context.socket(zmq.ROUTER)
    squatter.linger = 0
    port = squatter.bind_to_random_port("tcp://127.0.0.1")
    address = f"tcp://127.0.0.1:{port}"
    peers = [PeerAddress("p0", address), PeerAddress("p1", None)]
    client = ZmqEndpoint(1, peers, security="none", timeout=10)
    client.start()
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("error", _connect_or_error(client)))
    thread.start()
    assert squatter.poll(5000), "the client's HELLO never reached the port"
    squatter.recv_multipart()          # swallowed: this HELLO is lost with the connection
    squatter.close()
    context.term()
    server = ZmqEndpoint(0, peers, security="none", timeout=10)
    server.start()
    server.connect(timeout=10)
    thread.join(15)
    assert outcome.get("error") is None, outcome
    server.channel(1).send("t:x", b"hi")
    assert bytes(client.channel(0).recv("t:x")[0]) == b"hi"
    client.close(wait=0)
    server.close(wait=0)


def _connect_or_error(endpoint):
    try:
        endpoint.connect(timeout=10)
    except Exception as exc:  # noqa: BLE001 - reported to the test thread
        return exc
    return None
