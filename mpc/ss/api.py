"""The user-facing entry points over a session: `input`, `reveal`, `configure`, `prepare_triples`.

For users and for `mpc.Session`, whose `input`/`reveal` methods delegate here.  A session gets one
`SharingContext` (created on first use with the defaults: OT-generated triples, 16 fractional bits,
threshold floor((n-1)/2) for Shamir); `configure` changes that before first use.
Specs: protocols/ss-additive.md, protocols/ss-shamir.md.
"""
from __future__ import annotations

import math
import weakref

import numpy as np

from mpc.errors import ProtocolError, SessionMismatch
from mpc.ss import additive, fixed_point, shamir, shamir_protocol
from mpc.ss.array import ADDITIVE, SHAMIR, SharedArray
from mpc.ss.context import SharingContext

TAG_INPUT = "ss:input"
MAX_DIMENSIONS = 8
MAX_ELEMENTS = 1 << 28
_KIND_CODES = {ADDITIVE: 0, SHAMIR: 1}

_contexts: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_strong_contexts: dict = {}


def configure(session, **options) -> SharingContext:
    """Set the sharing options of a session (before its first shared value): triples="ot" or
    "insecure-dealer" (tests/benchmarks only), fractional_bits=16, threshold=None."""
    ctx = SharingContext(session, **options)
    try:
        _contexts[session] = ctx
    except TypeError:            # a session type without weak references
        _strong_contexts[id(session)] = (session, ctx)
    return ctx


def context(session) -> SharingContext:
    if isinstance(session, SharingContext):
        return session
    try:
        ctx = _contexts.get(session)
    except TypeError:
        entry = _strong_contexts.get(id(session))
        ctx = entry[1] if entry and entry[0] is session else None
    return ctx if ctx is not None else configure(session)


def prepare_triples(session, count: int) -> None:
    """Offline phase ahead of use: make `count` Beaver triples now (all parties call it)."""
    context(session).triples.prepare(count)


def input(session, value, owner: int = 0, *, kind: str = ADDITIVE, fractional_bits: int | None = None) -> SharedArray:
    """Secret-share `value` held by party `owner`; every party calls this, others pass None.

    Integer arrays are shared exactly; float arrays as fixed point with the session's fractional
    bits (or `fractional_bits`).  kind="shamir" uses Shamir sharing (n >= 3, integers only).
    The shape and the encoding are public; the owner tells the others.
    """
    ctx = context(session)
    if not 0 <= owner < ctx.parties:
        raise ValueError(f"owner {owner} is not a party of this {ctx.parties}-party session")
    if kind not in _KIND_CODES:
        raise ValueError(f"kind must be {ADDITIVE!r} or {SHAMIR!r}, not {kind!r}")
    if ctx.me == owner:
        return _input_owner(ctx, value, owner, kind, fractional_bits)
    return _input_other(ctx, owner, kind)


def _encode(ctx, value, kind: str, fractional_bits):
    if value is None:
        raise ValueError(f"party {ctx.me} is the owner of this input and must pass a value")
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cannot secret-share a {array.dtype} array; give integers or floats")
    if array.ndim > MAX_DIMENSIONS or array.size > MAX_ELEMENTS:
        raise ValueError(f"input of shape {array.shape} is too large to share")
    if kind == SHAMIR:
        if array.dtype.kind == "f":
            raise TypeError("Shamir sharing holds integers; use kind='additive' for fixed point")
        return shamir.encode_integers(array), 0
    if array.dtype.kind == "f" or (fractional_bits or 0) > 0:
        bits = ctx.fractional_bits if fractional_bits is None else fixed_point.check_fractional_bits(fractional_bits)
        return fixed_point.encode(array, bits), bits
    return additive.to_ring(array), 0


def _input_owner(ctx, value, owner, kind, fractional_bits) -> SharedArray:
    encoded, bits = _encode(ctx, value, kind, fractional_bits)
    header = np.array([_KIND_CODES[kind], bits, encoded.ndim, *encoded.shape], dtype=np.int64)
    for peer in ctx.peers:
        ctx.channel(peer).send(TAG_INPUT + ":header", header)
    if kind == SHAMIR:
        share = shamir_protocol.input_shares(ctx, encoded, owner, encoded.shape)
    else:
        shares = additive.share(encoded, ctx.parties, ctx.rng)
        for peer in ctx.peers:
            ctx.channel(peer).send(TAG_INPUT, shares[peer])
        share = shares[owner]
    return SharedArray(ctx, share, kind, bits)


def _input_other(ctx, owner, kind) -> SharedArray:
    channel = ctx.channel(owner)
    raw = channel.recv_bytes(TAG_INPUT + ":header", max_size=8 * (3 + MAX_DIMENSIONS))
    if raw.nbytes % 8 or raw.nbytes < 24:
        raise ProtocolError("malformed input header", owner)
    header = np.frombuffer(raw, dtype=np.int64)
    kind_code, bits, ndim = (int(v) for v in header[:3])
    shape = tuple(int(d) for d in header[3:])
    if (kind_code != _KIND_CODES[kind] or not 0 <= bits <= 30 or ndim != len(shape) or ndim > MAX_DIMENSIONS
            or any(not 0 <= d <= MAX_ELEMENTS for d in shape) or math.prod(shape) > MAX_ELEMENTS):
        raise ProtocolError(f"input header does not describe a valid {kind} array: {header.tolist()}", owner)
    if kind == SHAMIR:
        share = shamir_protocol.input_shares(ctx, None, owner, shape)
    else:
        share = channel.recv_exact(TAG_INPUT, np.uint64, shape).copy()
    return SharedArray(ctx, share, kind, bits)


def reveal(*args, to=None):
    """Open a SharedArray to parties `to` (all by default; an int or a list); None at the others.

    Called as `reveal(x, to=...)` or `reveal(session, x, to)` (the form `Session.reveal` uses; the
    session must be x's).  Integers come back as int64 arrays, fixed point as float64, 0-d results
    as numpy scalars.
    """
    if not args or len(args) > 3:
        raise TypeError("reveal(x, to=None) or reveal(session, x, to=None)")
    if isinstance(args[0], SharedArray):
        value, rest = args[0], args[1:]
    else:
        if len(args) < 2 or not isinstance(args[1], SharedArray):
            raise TypeError(f"reveal takes a SharedArray, not {type(args[-1]).__name__}")
        session, value, rest = args[0], args[1], args[2:]
        mine = context(session)
        if not mine.same_session(value.context):
            raise SessionMismatch(f"cannot reveal a value of session {value.context.session_id.hex()} "
                                  f"in session {mine.session_id.hex()}")
    if rest:
        if to is not None:
            raise TypeError("`to` given twice")
        to = rest[0]
    ctx = value.context
    receivers = None if to is None else ([to] if isinstance(to, (int, np.integer)) else list(to))
    if value.kind == SHAMIR:
        opened = shamir_protocol.open_value(ctx, value.share, receivers)
        return None if opened is None else _scalar(shamir.decode_integers(opened))
    opened = ctx.open_sum("ss:reveal", value.share, receivers)
    if opened is None:
        return None
    if value.fractional_bits:
        return _scalar(fixed_point.decode(opened, value.fractional_bits))
    return _scalar(additive.from_ring(opened))


def _scalar(array: np.ndarray):
    return array[()] if array.ndim == 0 else array
