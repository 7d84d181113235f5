"""`mpc.run_local`: run one function as every party, each in its own process, over real ZeroMQ.

For users trying a computation on one machine and for tests and benchmarks.  Each party binds an
ephemeral loopback port and reports it; the launcher hands every party the address table, the
parties connect (CURVE by default, with fresh keys), run `fn(session, *args)` and send back the
result.  A party that raises or dies is reported by its party id: when one dies the launcher
stops the others at once and raises `PartyFailed` (it does not wait for their timeouts); when one
raises, the others get a short grace to report what followed from it, then are stopped too.
"""
from __future__ import annotations

import multiprocessing
import time
import traceback
from multiprocessing.connection import wait as wait_for

from mpc.errors import MpcError, PartyFailed, PeerTimeout
from mpc.transport.curve import KeyPair
from mpc.transport.zmq_endpoint import PeerAddress, ZmqEndpoint

_START_TIMEOUT = 30.0
_ERROR_GRACE = 1.0   # seconds the others get, after a party raised, to report the consequences


def _party_main(index, conn, fn, args, names, security, keypairs, timeout):
    from mpc.runtime.session import Session
    endpoint = None
    try:
        peers = [PeerAddress(name, "tcp://127.0.0.1:0" if i < len(names) - 1 else None,
                             keypairs[i].public if keypairs else None)
                 for i, name in enumerate(names)]
        endpoint = ZmqEndpoint(index, peers, keypair=keypairs[index] if keypairs else None,
                               security=security, timeout=timeout)
        conn.send(("address", endpoint.start()))
        if not conn.poll(_START_TIMEOUT):
            raise PeerTimeout("the launcher sent no address table")
        addresses = conn.recv()
        endpoint.connect(addresses)
        session = Session(endpoint)
        result = fn(session, *args)
        endpoint.close()
        conn.send(("ok", result))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the launcher
        if endpoint is not None:
            endpoint.close(wait=0)
        try:
            conn.send(("error", (exc, traceback.format_exc())))
        except Exception:  # noqa: BLE001 - unpicklable exception: send its text
            conn.send(("error", (MpcError(f"{type(exc).__name__}: {exc}"), traceback.format_exc())))
    finally:
        conn.close()


def run_local(fn, parties: int = 2, *, args: tuple = (), timeout: float = 60.0,
              security: str = "curve", names: list[str] | None = None) -> list:
    """Run `fn(session, *args)` as each of `parties` parties in local processes; results in party order.

    `timeout` bounds every wait on a peer inside the parties.  If a party raises, its exception is
    re-raised with a note naming the party; if a party dies, `PartyFailed` names it.
    """
    if parties < 2:
        raise ValueError("a joint computation needs at least two parties")
    names = names or [f"party{i}" for i in range(parties)]
    keypairs = [KeyPair.generate() for _ in range(parties)] if security == "curve" else None
    context = multiprocessing.get_context("fork")
    pipes, processes = [], []
    for i in range(parties):
        parent_end, child_end = context.Pipe()
        process = context.Process(target=_party_main, name=f"mpc-{names[i]}", daemon=True,
                                  args=(i, child_end, fn, args, names, security, keypairs, timeout))
        process.start()
        child_end.close()
        pipes.append(parent_end)
        processes.append(process)
    try:
        addresses = {}
        for i, pipe in enumerate(pipes):
            kind, value = _receive(pipe, processes[i], i, _START_TIMEOUT)
            if kind != "address":
                _raise_party(i, value)
            if value is not None:
                addresses[i] = value
        for pipe in pipes:
            pipe.send(addresses)
        outcomes = _collect(pipes, processes)
    finally:
        for process in processes:   # after an outcome every party has exited or is being stopped
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
            process.close()          # releases its sentinel pipe now, not at garbage collection
        for pipe in pipes:
            pipe.close()
    return _results(outcomes)


def _collect(pipes, processes) -> list:
    """Every party's outcome; on a death stop the others at once, on an error after a grace."""
    outcomes: list = [None] * len(pipes)
    waiting = set(range(len(pipes)))
    stop_at = None
    while waiting:
        limit = None if stop_at is None else max(0.0, stop_at - time.monotonic())
        handles = {}
        for i in waiting:
            handles[pipes[i]] = i
            handles[processes[i].sentinel] = i
        ready = wait_for(list(handles), limit)
        if not ready:  # the grace after an error is over
            break
        for handle in ready:
            i = handles[handle]
            if i not in waiting:
                continue
            outcomes[i] = _receive(pipes[i], processes[i], i, 1.0)
            waiting.discard(i)
            if outcomes[i][0] == "died":
                stop_at = time.monotonic()
            elif outcomes[i][0] == "error" and stop_at is None:
                stop_at = time.monotonic() + _ERROR_GRACE
        if stop_at is not None and time.monotonic() >= stop_at:
            break
    for i in waiting:
        processes[i].kill()
        outcomes[i] = ("stopped", None)
    return outcomes


def _receive(pipe, process, index, limit):
    start = time.monotonic()
    while True:
        if pipe.poll(0.05):
            try:
                return pipe.recv()
            except EOFError:  # the party closed its pipe without a word: it died
                process.join(timeout=5)
                return ("died", process.exitcode)
        if not process.is_alive() and not pipe.poll(0):
            return ("died", process.exitcode)
        if limit is not None and time.monotonic() - start > limit:
            return ("died", process.exitcode)


def _raise_party(index, value):
    if isinstance(value, tuple):
        exc, text = value
        exc.add_note(f"raised by party {index}; its traceback:\n{text}")
        if not hasattr(exc, "party"):
            exc.party = index
        raise exc
    raise PartyFailed(f"died (exit code {value}) before the computation started", index)


def _results(outcomes: list) -> list:
    died = [i for i, (kind, _) in enumerate(outcomes) if kind == "died"]
    if died:
        codes = ", ".join(f"party {i}: exit code {outcomes[i][1]}" for i in died)
        error = PartyFailed(f"died during the computation ({codes})", died[0])
        for i, (kind, value) in enumerate(outcomes):
            if kind == "error":
                error.add_note(f"party {i} then raised {type(value[0]).__name__}: {value[0]}")
            elif kind == "stopped":
                error.add_note(f"party {i} was stopped by the launcher")
        raise error
    errors = [(i, value) for i, (kind, value) in enumerate(outcomes) if kind == "error"]
    if errors:
        # The root cause is the first error that is not a consequence of another party's failure.
        root = next(((i, v) for i, v in errors if not isinstance(v[0], PeerTimeout)), errors[0])
        _raise_party(*root)
    return [value for _, value in outcomes]
