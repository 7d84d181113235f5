"""Oblivious transfer between two parties: base OT over P-256 and IKNP OT extension.

For garbled circuits (correlated OT with a global Δ), Beaver/Gilboa triples (correlated OT over
Z_2^64) and anyone who needs bulk 1-out-of-2 OT.  Specs: protocols/ot-base.md, protocols/ot-iknp.md.
Roles take a Channel to the peer and a randomness source (mpc.prg.Prg or None for os.urandom).
"""
from mpc.ot.base import BaseOtReceiver, BaseOtSender
from mpc.ot.costs import base_ot_bytes, iknp_bytes
from mpc.ot.iknp import IknpReceiver, IknpSender

__all__ = ["BaseOtReceiver", "BaseOtSender", "IknpReceiver", "IknpSender", "base_ot_bytes", "iknp_bytes"]
