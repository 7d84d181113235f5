"""Transport layer: tagged frames between party ids (spec: protocols/wire.md); knows no protocol."""
from mpc.transport.endpoint import Channel, Endpoint, PeerLeft
from mpc.transport.local import LocalNetwork, run_threads

__all__ = ["Channel", "Endpoint", "LocalNetwork", "PeerLeft", "run_threads"]
