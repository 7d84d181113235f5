"""Runtime layer: sessions, party configuration, the local launcher (../DESIGN.md layer 5)."""
from mpc.runtime.config import PartyConfig, load_config, parse_config
from mpc.runtime.launcher import run_local
from mpc.runtime.session import Session, open_session, pair_session, session_from_config

__all__ = ["PartyConfig", "Session", "load_config", "open_session", "pair_session", "parse_config",
           "run_local", "session_from_config"]
