"""Clear errors: mismatched shapes and kinds name both sides, values of different sessions refuse
to mix, Shamir needs an honest majority, and malformed peer messages raise ProtocolError."""
import numpy as np
import pytest

from mpc.errors import MpcError, ProtocolError, SessionMismatch
from mpc.ss import api, compute
from mpc.transport import LocalNetwork, run_threads
from ss_session import ThreadSession


def run(fn, parties=2):
    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session, triples="insecure-dealer")
        return fn(session)
    return run_threads(body, parties=parties, timeout=20)


def both(s, a, b):
    x = api.input(s, a if s.me == 0 else None, owner=0)
    y = api.input(s, b if s.me == 1 else None, owner=1)
    return x, y


def test_shape_mismatch_names_both_shapes():
    def job(s):
        x, y = both(s, np.zeros(3, np.int64), np.zeros((2, 2), np.int64))
        errors = []
        for op in (lambda: x + y, lambda: x * y, lambda: x - y, lambda: x @ y, lambda: x + np.ones(5)):
            with pytest.raises(SessionMismatch) as info:
                op()
            errors.append(str(info.value))
        return errors
    for messages in run(job):
        assert "(3,)" in messages[0] and "(2, 2)" in messages[0]
        assert "(3,)" in messages[1] and "(2, 2)" in messages[1]
        assert "(3,)" in messages[3] and "(2, 2)" in messages[3]
        assert "(5,)" in messages[4]


def test_values_from_different_sessions_do_not_mix():
    first, second = LocalNetwork(2, timeout=20), LocalNetwork(2, timeout=20)

    def body(i):
        s1, s2 = ThreadSession(first.endpoint(i)), ThreadSession(second.endpoint(i))
        api.configure(s1, triples="insecure-dealer")
        api.configure(s2, triples="insecure-dealer")
        x = api.input(s1, np.arange(3) if i == 0 else None, owner=0)
        y = api.input(s2, np.arange(3) if i == 0 else None, owner=0)
        messages = []
        for op in (lambda: x + y, lambda: x * y, lambda: api.reveal(s2, x)):
            with pytest.raises(SessionMismatch) as info:
                op()
            messages.append(str(info.value))
        return messages

    import threading
    out = [None, None]
    threads = [threading.Thread(target=lambda i=i: out.__setitem__(i, body(i))) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for messages in out:
        assert messages is not None
        assert "different sessions" in messages[0] and first.session_id.hex() in messages[0]
        assert second.session_id.hex() in messages[0]


def test_kind_mismatch_and_type_errors():
    def job(s):
        x = api.input(s, np.arange(3) if s.me == 0 else None, owner=0)
        y = api.input(s, np.arange(3) if s.me == 0 else None, owner=0, kind="shamir")
        with pytest.raises(SessionMismatch, match="additive.*shamir"):
            x + y
        with pytest.raises(TypeError):
            y * 0.5
        with pytest.raises(TypeError):
            x + np.array(["a", "b", "c"])
        if s.me == 0:   # the owner refuses before anything is sent
            with pytest.raises(TypeError):
                api.input(s, np.array(["text"]), owner=0)
        return True
    # Shamir needs 3 parties; the error here comes from mixing kinds, tested at n = 3.
    assert run(job, parties=3) == [True, True, True]


def test_shamir_needs_an_honest_majority():
    def job(s):
        with pytest.raises(ValueError, match="at least 3 parties"):
            api.input(s, np.arange(3) if s.me == 0 else None, owner=0, kind="shamir")
        return True
    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session)
        return job(session)
    # Party 0 raises before sending; party 1 raises on its own check before waiting.
    assert run_threads(body, parties=2, timeout=5) == [True, True]


def test_comparisons_need_additive_shares_and_millionaires_two_parties():
    # Comparisons run for any n >= 2 (n >= 3: mpc.ss.compare_n); the millionaires' problem
    # names two parties, and Shamir shares cannot be compared.
    def job(s):
        x = api.input(s, np.arange(3) if s.me == 0 else None, owner=0)
        assert np.array_equal(api.reveal(x < 1), [1, 0, 0])
        with pytest.raises(MpcError, match="two parties"):
            compute.millionaires(s, 5)
        z = api.input(s, np.arange(3) if s.me == 0 else None, owner=0, kind="shamir")
        with pytest.raises(TypeError, match="additive"):
            z < 1
        return True
    assert run(job, parties=3) == [True] * 3


def test_unknown_triple_source_rejected():
    def body(endpoint):
        with pytest.raises(ValueError, match="insecure-dealer"):
            api.configure(ThreadSession(endpoint), triples="dealer")
        return True
    assert run_threads(body, parties=2) == [True, True]


def test_malformed_peer_messages_raise_protocol_error():
    network = LocalNetwork(2, timeout=5)

    def attacker():
        ch = network.endpoint(1).channel(0)
        # A header claiming a negative dimension.
        ch.send("ss:input:header", np.array([0, 0, 64, 1, -4], dtype=np.int64))

    def victim():
        s = ThreadSession(network.endpoint(0))
        api.configure(s, triples="insecure-dealer")
        with pytest.raises(ProtocolError):
            api.input(s, None, owner=1)
        return True

    attacker()
    assert victim()

    network = LocalNetwork(2, timeout=5)
    ch = network.endpoint(1).channel(0)
    ch.send("ss:input:header", np.array([0, 0, 64, 1, 4], dtype=np.int64))
    ch.send("ss:input", np.zeros(3, np.uint64))    # 3 words where the header promised 4
    s = ThreadSession(network.endpoint(0))
    api.configure(s, triples="insecure-dealer")
    with pytest.raises(ProtocolError):
        api.input(s, None, owner=1)


def test_shamir_share_outside_field_is_rejected():
    network = LocalNetwork(3, timeout=5)
    ch = network.endpoint(1).channel(0)
    ch.send("ss:input:header", np.array([1, 0, 64, 1, 2], dtype=np.int64))
    ch.send("ss:shamir-input", np.array([1, (1 << 61) - 1], dtype=np.uint64))   # p is not an element
    s = ThreadSession(network.endpoint(0))
    api.configure(s)
    with pytest.raises(ProtocolError, match="outside Z_p"):
        api.input(s, None, owner=1, kind="shamir")


def test_wrong_size_multiplication_message_is_rejected():
    """A peer whose opened differences have the wrong length is caught before any arithmetic."""
    network = LocalNetwork(2, timeout=5)
    honest = ThreadSession(network.endpoint(0))
    api.configure(honest, triples="insecure-dealer")
    cheat = network.endpoint(1).channel(0)
    from mpc.prg import SEED_BYTES
    network.endpoint(0).channel(1)  # party 0 sends the dealer seed when its triples are first used
    x = api.input(honest, np.arange(4), owner=0)
    cheat.recv("ss:input:header")
    cheat.recv("ss:input")
    cheat.send("ss:mul", np.zeros(2 * 4 - 1, np.uint64))
    with pytest.raises(ProtocolError, match="bytes, expected"):
        x * x
    assert len(cheat.recv("ss:dealer-seed")[0]) == SEED_BYTES


def test_inconsistent_shamir_share_is_detected_on_open():
    """A party that opens a share off its polynomial makes every receiver raise ProtocolError."""
    from mpc.native import field
    from mpc.ss import shamir_protocol

    def job(s):
        x = api.input(s, np.arange(5) if s.me == 0 else None, owner=0, kind="shamir")
        share = x.share if s.me != 2 else field.add(x.share, np.ones(5, np.uint64))
        try:
            shamir_protocol.open_value(api.context(s), share)
        except ProtocolError as exc:
            return str(exc)
        return None
    def body(endpoint):
        session = ThreadSession(endpoint)
        api.configure(session)
        return job(session)
    results = run_threads(body, parties=3, timeout=20)
    assert all(r is not None and "not on one polynomial" in r for r in results)
