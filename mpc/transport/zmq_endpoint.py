"""The ZeroMQ transport: a listening ROUTER and one DEALER per lower party, CurveZMQ between parties.

For the runtime (`mpc.Session`, `mpc.run_local`, `mpc run`).  Spec: protocols/wire.md.  Party i
binds a ROUTER (unless it is the last party) and dials every party j < i with a DEALER of its own,
so each pair shares one connection and no socket both accepts and dials.  Routing ids carry no
meaning: a dialling DEALER takes a fresh random one, and the listener learns which party is
behind a connection only from a valid HELLO on it (under CURVE, from the party whose key the ZAP
handler admitted: the frame's User-Id).  So a peer cannot make libzmq act on a routing id of its
choosing (libzmq 4.3 aborts on a duplicate CONNECT_ROUTING_ID and keeps the frames of ignored
duplicates forever), and unproven connections are read and dropped.  Every socket refuses frames
above one piece (`wire.CHUNK_BYTES` + slack), before and after the handshake.  Socket monitors
turn CurveZMQ handshake failures into `AuthenticationError` naming the peer.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import time
from dataclasses import dataclass

import zmq
from zmq.utils.monitor import parse_monitor_message

from mpc.errors import AuthenticationError, ConfigError, PeerTimeout, ProtocolError, TransportError
from mpc.transport import wire
from mpc.transport.curve import ZAP_DOMAIN, KeyPair, ZapHandler
from mpc.transport.endpoint import DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_TIMEOUT, Endpoint

log = logging.getLogger("mpc.transport")
_HELLO_BYTES = 16 + 32  # nonce, digest of the party configuration
_HWM = 100_000
AUTH_GRACE = 1.0        # seconds a listener waits, after refusing a key, for the right one
HELLO_RESEND = 1.0      # seconds between HELLOs to a lower party that has not answered yet
_HANDSHAKE_EVENTS = (zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
                     | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL | zmq.EVENT_HANDSHAKE_SUCCEEDED)
_CRYPTOGRAPHIC = 0x11000001  # ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC


@dataclass(frozen=True)
class PeerAddress:
    name: str
    address: str | None          # where the others connect to it (None: it connects only)
    public_key: bytes | None = None
    bind: str | None = None      # where it binds, if not its address (e.g. tcp://*:5555)


class ZmqEndpoint(Endpoint):
    """A party's endpoint over ZeroMQ; `start()` binds, `connect()` connects and shakes hands."""

    def __init__(self, me: int, peers: list[PeerAddress], *, keypair: KeyPair | None = None,
                 security: str = "curve", timeout: float = DEFAULT_TIMEOUT,
                 max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES):
        super().__init__(me, len(peers), wire.NO_SESSION, timeout=timeout,
                         max_message_bytes=max_message_bytes, names=[p.name for p in peers])
        if security not in ("curve", "none"):
            raise ConfigError(f"security must be 'curve' or 'none', not {security!r}")
        if security == "curve":
            if keypair is None:
                raise ConfigError(f"party {peers[me].name} needs its secret key for CURVE security")
            missing = [p.name for p in peers if not p.public_key]
            if missing:
                raise ConfigError("CURVE security needs every party's public key; missing for "
                                  + ", ".join(missing))
            if keypair.public != peers[me].public_key:
                raise ConfigError(f"the secret key given does not match party {peers[me].name}'s "
                                  "public key in the configuration")
        else:
            log.warning("security = \"none\": traffic between parties is neither encrypted nor "
                        "authenticated; use only on a trusted network or for local tests")
        self.peers = peers
        self.security = security
        self.keypair = keypair
        self.frame_limit = min(wire.CHUNK_BYTES, max_message_bytes) + wire.FRAME_SLACK
        self._nonces: list[bytes | None] = [None] * len(peers)
        self._nonces[me] = os.urandom(16)
        self._digest = self._config_digest()
        self._context = zmq.Context()
        self._zap = None
        self._listener = None
        self._dealers: dict[int, zmq.Socket] = {}
        self._dealer_peer: dict[zmq.Socket, int] = {}
        self._monitors: dict[zmq.Socket, int] = {}   # monitor socket -> peer (-1: the listener)
        self._data_sockets: list[zmq.Socket] = []
        self._poller = zmq.Poller()
        self._turn = 0
        self._party_rid: list[bytes | None] = [None] * len(peers)   # listener routing id of party k
        self._rid_party: dict[bytes, int] = {}
        self._candidate: tuple[bytes, int] | None = None  # routing id whose HELLO is being handled
        self._handshake_failures = [0] * len(peers)
        self._auth_error: AuthenticationError | None = None
        self._refused: tuple[float, str] | None = None    # first key refusal at the listener
        self.bound_address: str | None = None

    def _config_digest(self) -> bytes:
        text = "|".join(f"{p.name},{p.public_key.decode() if p.public_key else ''}" for p in self.peers)
        return hashlib.sha256(f"mpc-parties/{self.security}/{text}".encode()).digest()

    # -- set-up ----------------------------------------------------------------------------------
    def _new_socket(self, kind: int) -> zmq.Socket:
        sock = self._context.socket(kind)
        sock.linger = 0
        sock.sndtimeo = int(self.timeout * 1000)
        sock.maxmsgsize = self.frame_limit
        sock.sndhwm = sock.rcvhwm = _HWM
        return sock

    def _watch(self, sock: zmq.Socket, peer: int) -> None:
        self._data_sockets.append(sock)
        self._poller.register(sock, zmq.POLLIN)
        if self.security == "curve":
            monitor = sock.get_monitor_socket(_HANDSHAKE_EVENTS)
            self._monitors[monitor] = peer
            self._poller.register(monitor, zmq.POLLIN)

    def start(self) -> str | None:
        """Bind the listening socket (if any party connects to this one); returns the bound address."""
        me = self.peers[self.me]
        if self.me == self.parties - 1:
            return None  # nobody connects to the last party
        where = me.bind or me.address
        if not where:
            raise ConfigError(f"party {me.name} needs an address: parties after it connect to it")
        sock = self._new_socket(zmq.ROUTER)
        sock.router_mandatory = 1
        # A second connection under a routing id in use takes it over (the first is closed and
        # its queue read and dropped) instead of being ignored with its frames kept forever.
        sock.router_handover = 1
        if self.security == "curve":
            allowed = {p.public_key: p.name for i, p in enumerate(self.peers) if i > self.me}
            self._zap = ZapHandler(self._context, allowed)
            sock.curve_server = True
            sock.curve_publickey = self.keypair.public
            sock.curve_secretkey = self.keypair.secret
            sock.zap_domain = ZAP_DOMAIN
        self._listener = sock
        self._watch(sock, -1)
        try:
            sock.bind(where)
        except zmq.ZMQError as exc:
            raise ConfigError(f"party {me.name} cannot listen on {where}: {exc}") from exc
        self.bound_address = sock.last_endpoint.decode()
        return self.bound_address

    def connect(self, addresses: dict[int, str] | None = None, timeout: float | None = None) -> None:
        """Dial every lower party and wait until every peer has said HELLO.

        `AuthenticationError` if a CurveZMQ handshake fails (a key is not the configured one),
        `PeerTimeout` naming the parties not heard from after `timeout` seconds.
        """
        for j in range(self.me):
            peer = self.peers[j]
            address = (addresses or {}).get(j, peer.address)
            if not address:
                raise ConfigError(f"party {peer.name} has no address to connect to")
            sock = self._new_socket(zmq.DEALER)
            sock.routing_id = b"m" + os.urandom(15)   # a nonce: it names nothing
            if self.security == "curve":
                sock.curve_serverkey = peer.public_key
                sock.curve_publickey = self.keypair.public
                sock.curve_secretkey = self.keypair.secret
            self._dealers[j], self._dealer_peer[sock] = sock, j
            self._watch(sock, j)
            try:
                sock.connect(address)
            except zmq.ZMQError as exc:
                raise ConfigError(f"cannot connect to party {peer.name} at {address}: {exc}") from exc
            self._send_hello(j)
        waited = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + waited
        resend = time.monotonic() + HELLO_RESEND
        try:
            while any(n is None for n in self._nonces):
                self._check_authentication(time.monotonic() >= deadline)
                if time.monotonic() >= resend:
                    # libzmq drops what a connection had taken when it breaks during set-up and
                    # redials without it: say HELLO again until answered (answers are idempotent).
                    for j in range(self.me):
                        if self._nonces[j] is None:
                            self._resend_hello(j)
                    resend = time.monotonic() + HELLO_RESEND
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    # A plain-TCP peer meeting a CURVE one (or the reverse) fails silently in libzmq;
                    # only a key *mismatch* is seen by the monitors, so name both causes.
                    security = ("CURVE keys" if self.security == "curve" else "plain TCP (--insecure)")
                    raise PeerTimeout(f"no contact within {waited:g} s (is it running, is the address right, "
                                      f"does it use {security} with the right key?)", ", ".join(self._missing()))
                self._receive_one(min(remaining, AUTH_GRACE / 4, max(resend - time.monotonic(), 0.001)))
        except Exception:
            self._failed = True
            raise
        self.session_id = hashlib.sha256(b"mpc-session" + b"".join(self._nonces)).digest()[:16]

    def _missing(self, higher_only: bool = False) -> list[str]:
        return [self.peers[i].name for i, n in enumerate(self._nonces)
                if n is None and (i > self.me or not higher_only)]

    def _check_authentication(self, at_deadline: bool) -> None:
        if self._auth_error is not None:
            raise self._auth_error
        if self._refused is not None and self._missing(higher_only=True):
            first, reason = self._refused
            if at_deadline or time.monotonic() - first >= AUTH_GRACE:
                raise AuthenticationError(reason, ", ".join(self._missing(higher_only=True)))

    def _send_hello(self, peer: int) -> None:
        self._send_control(peer, wire.KIND_HELLO, self._nonces[self.me] + self._digest)

    def _resend_hello(self, peer: int) -> None:
        """HELLO again if libzmq takes it at once; while the connection is down there is nothing
        to resend to (a DEALER without a connection would block), and the first is still queued."""
        header = wire.pack_header(wire.KIND_HELLO, self.me, peer, wire.NO_SESSION, 0, "ctl")
        try:
            self._dealers[peer].send_multipart([header, self._nonces[self.me] + self._digest], zmq.NOBLOCK)
        except zmq.ZMQError:
            pass

    def _on_hello(self, peer: int, payload: list[memoryview]) -> None:
        candidate, self._candidate = self._candidate, None
        if len(payload) != 1 or payload[0].nbytes != _HELLO_BYTES:
            return self._drop(f"malformed HELLO from party {peer}")
        nonce, digest = bytes(payload[0][:16]), bytes(payload[0][16:])
        if self._nonces[peer] is not None:
            if nonce != self._nonces[peer] or digest != self._digest:
                return self._drop(f"repeated HELLO from party {peer}")
            if peer > self.me:  # its HELLO again: our answer may have been lost, so answer again
                self._send_hello(peer)
            return None
        if digest != self._digest:
            raise ProtocolError("uses a different party configuration (names, keys or security)",
                                self.peer_name(peer))
        if peer > self.me:  # the connection is proven to be party `peer`'s from now on
            rid = candidate[0]
            self._party_rid[peer], self._rid_party[rid] = rid, peer
        self._nonces[peer] = nonce
        self._heard[peer] = time.monotonic()
        low, high = sorted((self.me, peer))
        self._pair_session[peer] = hashlib.sha256(
            b"mpc-pair" + self._nonces[low] + self._nonces[high]).digest()[:16]
        if peer > self.me:  # it connected to us: answer so that it learns our nonce
            self._send_hello(peer)
        return None

    # -- moving frames -----------------------------------------------------------------------------
    def _transmit(self, peer: int, frames: list, block: bool = True) -> None:
        """Send one message whole or not at all (protocols/wire.md, "Sending is whole or not at all")."""
        if peer < self.me:
            sock, prefix = self._dealers.get(peer), []
        else:
            sock, prefix = self._listener, [self._party_rid[peer]]
        if sock is None or None in prefix:
            raise PeerTimeout("not connected (no HELLO from it yet)", self.peer_name(peer))
        try:  # everything that can fail for want of memory or descriptors, before the first frame
            parts = [zmq.Frame(f) for f in (*prefix, *frames)]
        except (zmq.ZMQError, OSError, MemoryError) as exc:
            raise TransportError(f"cannot prepare a message for it: {exc}", self.peer_name(peer)) from exc
        last = len(parts) - 1
        for i, part in enumerate(parts):
            try:
                self._send_part(sock, part, (zmq.SNDMORE if i < last else 0)
                                | (0 if block or i else zmq.NOBLOCK))
            except BaseException as exc:
                if i > 0:  # libzmq holds the first frames unsent; the next message would join them
                    self._break_socket(sock, exc)
                if isinstance(exc, zmq.Again) and i == 0:
                    raise PeerTimeout(f"not accepting messages for {self.timeout:g} s",
                                      self.peer_name(peer)) from exc
                if isinstance(exc, zmq.ZMQError) and exc.errno == errno.EHOSTUNREACH and i == 0:
                    raise PeerTimeout("not connected", self.peer_name(peer)) from exc
                if isinstance(exc, (zmq.ZMQError, OSError, MemoryError)):
                    raise TransportError(f"sending failed after {i} of {last + 1} frames: {exc}",
                                         self.peer_name(peer)) from exc
                raise

    @staticmethod
    def _send_part(sock: zmq.Socket, part: zmq.Frame, flags: int) -> None:
        sock.send(part, flags, copy=False)

    def _break_socket(self, sock: zmq.Socket, exc: BaseException) -> None:
        peers = [j for j, s in self._dealers.items() if s is sock] if sock is not self._listener \
            else [k for k in range(self.me + 1, self.parties)]
        for peer in peers:
            self._broken[peer] = f"a message cut after its first frame: {type(exc).__name__}: {exc}"
        self._failed = True

    def _poll(self, timeout: float):
        sockets = self._data_sockets
        for k in range(len(sockets)):  # a queued message needs no poll: one system call less per message
            sock = sockets[(self._turn + k) % len(sockets)]
            try:
                frames = sock.recv_multipart(zmq.NOBLOCK, copy=False)
            except zmq.Again:
                continue
            self._turn += 1
            return self._attribute(sock, frames)
        for sock, _ in self._poller.poll(max(1, int(timeout * 1000))):
            if sock in self._monitors:
                self._on_monitor(sock)
            else:
                return self._attribute(sock, sock.recv_multipart(copy=False))
        return None

    def _attribute(self, sock: zmq.Socket, frames: list):
        """(party the connection is proven to be, or -1; the message's frames)."""
        self._candidate = None
        if sock is not self._listener:
            return self._dealer_peer[sock], [frame.buffer for frame in frames]  # we dialled it: pinned key, or no security
        rid, frames = frames[0].bytes, frames[1:]
        party = self._rid_party.get(rid)
        if party is None:
            party = self._claim(rid, frames)
        elif frames and not self._authentic(party, frames[0]):
            party = -1
        return party, [frame.buffer for frame in frames]

    def _claim(self, rid: bytes, frames: list) -> int:
        """The party an unproven connection's HELLO names, if it may (under CURVE: its key's party)."""
        if not frames:
            return -1
        try:
            header = wire.parse_header(frames[0].buffer)
        except ProtocolError:
            return -1
        party = header.sender
        if (header.kind != wire.KIND_HELLO or not self.me < party < self.parties
                or self._party_rid[party] is not None or not self._authentic(party, frames[0])):
            return -1
        self._candidate = (rid, party)
        return party

    def _authentic(self, party: int, frame: zmq.Frame) -> bool:
        if self.security != "curve":
            return True
        try:
            return frame.get("User-Id") == self.peers[party].name
        except zmq.ZMQError:
            return False

    def _on_monitor(self, monitor: zmq.Socket) -> None:
        event = parse_monitor_message(monitor.recv_multipart())
        kind, value, peer = event["event"], event["value"], self._monitors[monitor]
        if kind == zmq.EVENT_HANDSHAKE_SUCCEEDED:
            if peer >= 0:
                self._handshake_failures[peer] = 0
            return
        if peer < 0:
            if kind == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
                reason = "connection refused: its CurveZMQ key is not the public key configured for it"
            elif kind == zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL and value == _CRYPTOGRAPHIC:
                reason = (f"CurveZMQ handshake failed: it has another public key configured for "
                          f"{self.peer_name(self.me)} than {self.peer_name(self.me)}'s own")
            else:
                return
            if all(n is not None for n in self._nonces):   # a stranger after the start: counted
                return self._drop(f"a connecting party: {reason}")
            log.warning("party %s: a connecting party: %s", self.me, reason)
            if self._refused is None:
                self._refused = (time.monotonic(), reason)
            return
        if self._nonces[peer] is not None:  # a reconnection after the session opened: counted
            return self._drop(f"CurveZMQ handshake with {self.peer_name(peer)} failed (event {kind})")
        if kind == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
            self._auth_error = AuthenticationError(
                f"refused this party's CurveZMQ key (ZAP status {value}): it has another public key "
                f"configured for {self.peer_name(self.me)}", self.peer_name(peer))
        else:
            self._handshake_failures[peer] += 1
            if self._handshake_failures[peer] >= 2:
                self._auth_error = AuthenticationError(
                    "the CurveZMQ handshake failed twice: its public key in the configuration is "
                    "not the key it uses", self.peer_name(peer))

    def _shutdown(self) -> None:
        for sock in self._data_sockets:
            if self.security == "curve":
                try:
                    sock.disable_monitor()
                except zmq.ZMQError:
                    pass
            sock.close(linger=0)
        for monitor in self._monitors:
            monitor.close(linger=0)
        if self._zap is not None and not self._zap.close():
            log.warning("party %s: the ZAP thread did not stop; its ZeroMQ context is left open", self.me)
            return
        self._context.term()
