"""mpc: secure multi-party computation for Python with a C core.

Private set intersection (`mpc.psi`, `mpc psi`), secret sharing and joint computation over a
`Session`, two-party garbled circuits (`mpc.gc`), oblivious transfer (`mpc.ot`), and benchmarks
(`mpc bench`).  See README.md.
"""
from mpc._version import __version__
from mpc.errors import (ConfigError, InputError, MpcError, PartyFailed, PeerTimeout, ProtocolError)
from mpc.runtime import Session, load_config, pair_session, run_local, session_from_config

__all__ = ["__version__", "ConfigError", "InputError", "MpcError", "PartyFailed", "PeerTimeout",
           "ProtocolError", "Session", "load_config", "pair_session", "run_local",
           "session_from_config"]
