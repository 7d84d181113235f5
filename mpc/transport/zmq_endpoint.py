"""The ZeroMQ transport: one ROUTER socket per party, CurveZMQ between parties (spec: protocols/wire.md).

For the runtime (`mpc.Session`, `mpc.run_local`, `mpc run`).  Party i binds its address and
connects to every party j < i, so each pair shares one connection; party names are the sockets'
routing ids.  With CURVE, the lower party is the CURVE server and its ZAP handler admits only keys
listed in the party configuration, naming the key's party in each frame's User-Id; the endpoint
checks that name against the frame's routing id and header, so no party can send as another.  On
the connecting side the pinned server key authenticates the peer.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass

import zmq

from mpc.errors import ConfigError, PeerTimeout, ProtocolError
from mpc.transport import wire
from mpc.transport.curve import ZAP_DOMAIN, KeyPair, ZapHandler
from mpc.transport.endpoint import DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_TIMEOUT, Endpoint

log = logging.getLogger("mpc.transport")
_HELLO_BYTES = 16 + 32  # nonce, digest of the party configuration


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
        self._routing = {p.name.encode("utf-8"): i for i, p in enumerate(peers)}
        self._nonces: list[bytes | None] = [None] * len(peers)
        self._nonces[me] = os.urandom(16)
        self._digest = self._config_digest()
        self._context = zmq.Context()
        self._zap = None
        self._socket = None
        self.bound_address: str | None = None

    def _config_digest(self) -> bytes:
        text = "|".join(f"{p.name},{p.public_key.decode() if p.public_key else ''}" for p in self.peers)
        return hashlib.sha256(f"mpc-parties/{self.security}/{text}".encode()).digest()

    # -- set-up ----------------------------------------------------------------------------------
    def start(self) -> str | None:
        """Create the socket and bind (if any party connects to this one); returns the bound address."""
        me = self.peers[self.me]
        if self.security == "curve":
            allowed = {p.public_key: p.name for i, p in enumerate(self.peers) if i > self.me}
            self._zap = ZapHandler(self._context, allowed)
        sock = self._context.socket(zmq.ROUTER)
        sock.linger = 0
        sock.routing_id = me.name.encode("utf-8")
        sock.router_mandatory = 1
        sock.sndtimeo = int(self.timeout * 1000)
        sock.maxmsgsize = self.max_message_bytes + 4096
        sock.sndhwm = sock.rcvhwm = 100_000
        self._socket = sock
        if self.me == self.parties - 1:
            return None  # nobody connects to the last party
        where = me.bind or me.address
        if not where:
            raise ConfigError(f"party {me.name} needs an address: parties after it connect to it")
        if self.security == "curve":
            sock.curve_server = True
            sock.curve_publickey = self.keypair.public
            sock.curve_secretkey = self.keypair.secret
            sock.zap_domain = ZAP_DOMAIN
        try:
            sock.bind(where)
        except zmq.ZMQError as exc:
            raise ConfigError(f"party {me.name} cannot listen on {where}: {exc}") from exc
        self.bound_address = sock.last_endpoint.decode()
        return self.bound_address

    def connect(self, addresses: dict[int, str] | None = None, timeout: float | None = None) -> None:
        """Connect to every lower party and wait until every peer has said HELLO."""
        sock = self._socket
        for j in range(self.me):
            peer = self.peers[j]
            address = (addresses or {}).get(j, peer.address)
            if not address:
                raise ConfigError(f"party {peer.name} has no address to connect to")
            if self.security == "curve":
                sock.curve_server = False
                sock.curve_serverkey = peer.public_key
                sock.curve_publickey = self.keypair.public
                sock.curve_secretkey = self.keypair.secret
            sock.setsockopt(zmq.CONNECT_ROUTING_ID, peer.name.encode("utf-8"))
            try:
                sock.connect(address)
            except zmq.ZMQError as exc:
                raise ConfigError(f"cannot connect to party {peer.name} at {address}: {exc}") from exc
            self._send_hello(j)
        waited = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + waited
        while any(n is None for n in self._nonces):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                missing = [self.peers[i].name for i, n in enumerate(self._nonces) if n is None]
                raise PeerTimeout(f"no contact within {waited:g} s (is it running, is the address "
                                  f"and key right?)", ", ".join(missing))
            self._receive_one(remaining)
        self.session_id = hashlib.sha256(b"mpc-session" + b"".join(self._nonces)).digest()[:16]

    def _send_hello(self, peer: int) -> None:
        self._send_control(peer, wire.KIND_HELLO, self._nonces[self.me] + self._digest)

    def _on_hello(self, peer: int, payload: list[memoryview]) -> None:
        if len(payload) != 1 or payload[0].nbytes != _HELLO_BYTES:
            return self._drop(f"malformed HELLO from party {peer}")
        nonce, digest = bytes(payload[0][:16]), bytes(payload[0][16:])
        if digest != self._digest:
            raise ProtocolError("uses a different party configuration (names, keys or security)",
                                self.peer_name(peer))
        if self._nonces[peer] is not None:
            return self._drop(f"repeated HELLO from party {peer}")
        self._nonces[peer] = nonce
        low, high = sorted((self.me, peer))
        self._pair_session[peer] = hashlib.sha256(
            b"mpc-pair" + self._nonces[low] + self._nonces[high]).digest()[:16]
        if peer > self.me:  # it connected to us: answer so that it learns our nonce
            self._send_hello(peer)
        return None

    # -- moving frames -----------------------------------------------------------------------------
    def _transmit(self, peer: int, frames: list) -> None:
        try:
            self._socket.send_multipart([self.peers[peer].name.encode("utf-8"), *frames], copy=False)
        except zmq.Again as exc:
            raise PeerTimeout(f"not accepting messages for {self.timeout:g} s", self.peer_name(peer)) from exc
        except zmq.ZMQError as exc:
            if exc.errno == zmq.EHOSTUNREACH:
                raise PeerTimeout("not connected", self.peer_name(peer)) from exc
            raise

    def _poll(self, timeout: float):
        try:  # a queued message needs no poll: one system call less per message in bulk transfers
            frames = self._socket.recv_multipart(zmq.NOBLOCK, copy=False)
        except zmq.Again:
            if not self._socket.poll(max(1, int(timeout * 1000)), zmq.POLLIN):
                return None
            frames = self._socket.recv_multipart(copy=False)
        source = self._routing.get(frames[0].bytes, -1)
        if len(frames) > 1 and source >= 0 and not self._authentic(source, frames[1]):
            source = -1
        return source, [frame.buffer for frame in frames[1:]]

    def _authentic(self, source: int, frame: zmq.Frame) -> bool:
        if self.security != "curve":
            return True
        try:
            user = frame.get("User-Id")
        except zmq.ZMQError:
            user = None
        if user is None:  # a connection we opened: the pinned server key authenticated it
            return source < self.me
        return source > self.me and user == self.peers[source].name

    def _shutdown(self) -> None:
        if self._socket is not None:
            self._socket.close(linger=0)
        if self._zap is not None:
            self._zap.close()
        self._context.term()
