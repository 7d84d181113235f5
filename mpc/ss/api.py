"""The user-facing entry points over a session: `input`, `reveal`, `configure`, `prepare_triples`.

For users and for `mpc.Session`, whose `input`/`reveal` methods delegate here.  A session gets one
`SharingContext` (created on first use with the defaults: OT-generated triples, reals in Z_2^128
with 20 fractional bits, integers in Z_2^64, threshold floor((n-1)/2) for Shamir); `configure`
changes that before the first shared value and raises afterwards.
Specs: protocols/ss-additive.md, protocols/ss-shamir.md.
"""
from __future__ import annotations

import logging
import math
import weakref

import numpy as np

from mpc.errors import ConfigError, ProtocolError, SessionMismatch
from mpc.ss import fixed_point, shamir, shamir_protocol
from mpc.ss.array import ADDITIVE, SHAMIR, SharedArray
from mpc.ss.context import SharingContext
from mpc.ss.ring import RING64, ring_for_bits

log = logging.getLogger("mpc.ss")

TAG_INPUT = "ss:input"
MAX_DIMENSIONS = 8
MAX_ELEMENTS = 1 << 28
_KIND_CODES = {ADDITIVE: 0, SHAMIR: 1}

_contexts: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_strong_contexts: dict = {}


def configure(session, **options) -> SharingContext:
    """Set the sharing options of a session (before its first shared value, else ConfigError):
    triples="ot" or "insecure-dealer" (tests/benchmarks only), ring=128 (the ring of reals; 64 as
    an explicit, weaker option), fractional_bits=None (20 in Z_2^128, 16 in Z_2^64),
    truncation="auto" ("local" 2 parties / "masked" any n), threshold=None (Shamir)."""
    existing = _existing(session)
    if existing is not None and existing.used:
        raise ConfigError("configure() must come before the session's first shared value; "
                          "this session already shares values with the current options")
    ctx = SharingContext(session, **options)
    try:
        _contexts[session] = ctx
    except TypeError:            # a session type without weak references
        _strong_contexts[id(session)] = (session, ctx)
    return ctx


def _existing(session):
    if isinstance(session, SharingContext):
        return session
    try:
        return _contexts.get(session)
    except TypeError:
        entry = _strong_contexts.get(id(session))
        return entry[1] if entry and entry[0] is session else None


def context(session) -> SharingContext:
    ctx = _existing(session)
    return ctx if ctx is not None else configure(session)


def prepare_triples(session, count: int, ring: int = 128) -> None:
    """Offline phase ahead of use: make `count` Beaver triples in Z_2^ring now (all parties call it)."""
    context(session).triples.prepare(count, ring_for_bits(ring))


def input(session, value, owner: int = 0, *, kind: str = ADDITIVE, fractional_bits: int | None = None,
          ring: int | None = None) -> SharedArray:
    """Secret-share `value` held by party `owner`; every party calls this, others pass None.

    Integer arrays are shared exactly modulo 2^64 (numpy int64 semantics: sums and products wrap)
    unless ring=128 (modulo 2^128); float arrays as fixed point in the session's ring of reals
    (Z_2^128 by default) with the session's fractional bits (or `fractional_bits`), and raise
    `mpc.errors.RangeError` beyond the range |x| < 2^40 (defaults; protocols/ss-additive.md).
    kind="shamir" uses Shamir sharing (n >= 3, integers modulo p = 2^61 - 1).  The shape, ring and
    encoding are public; the owner tells the others (all parties pass the same kind and ring).
    """
    ctx = context(session)
    if not 0 <= owner < ctx.parties:
        raise ValueError(f"owner {owner} is not a party of this {ctx.parties}-party session")
    if kind not in _KIND_CODES:
        raise ValueError(f"kind must be {ADDITIVE!r} or {SHAMIR!r}, not {kind!r}")
    if ring is not None:
        ring_for_bits(ring)
    ctx.used = True
    if ctx.me == owner:
        return _input_owner(ctx, value, owner, kind, fractional_bits, ring)
    return _input_other(ctx, owner, kind, ring)


def _warn_weak_reals(ctx, ring, bits: int) -> None:
    params = ctx.real_params(ring.bits, bits)
    if not params.meets_standard() and not getattr(ctx, "_warned_weak_reals", False):
        ctx._warned_weak_reals = True
        log.warning("party %d: %s, below the 2^-40 standard; the default ring of reals is Z_2^128",
                    ctx.me, params.describe())


def _encode(ctx, value, kind: str, fractional_bits, ring_bits):
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
        return shamir.encode_integers(array), 0, RING64
    if array.dtype.kind == "f" or (fractional_bits or 0) > 0:
        ring = ctx.real_ring if ring_bits is None else ring_for_bits(ring_bits)
        bits = ctx.fractional_bits if fractional_bits is None else fixed_point.check_fractional_bits(
            fractional_bits, ring.bits)
        _warn_weak_reals(ctx, ring, bits)
        return ring.encode(array, bits, ctx.real_params(ring.bits, bits).encode_bound_bits), bits, ring
    ring = RING64 if ring_bits is None else ring_for_bits(ring_bits)
    return ring.from_int(array), 0, ring


def share_elements(ctx, elements: np.ndarray, ring) -> list:
    """Additive shares of ring elements: shares 1..n-1 uniform from the PRG, share 0 the rest."""
    others = [ring.random(ctx.rng, elements.shape) for _ in range(ctx.parties - 1)]
    first = elements
    for r in others:
        first = ring.sub(first, r)
    return [first, *others]


def input_elements(ctx, elements, owner: int, fractional_bits: int, ring) -> SharedArray:
    """Share ring elements the owner already encoded (others pass None); for mpc.ss.compute."""
    if ctx.me != owner:
        return _input_other(ctx, owner, ADDITIVE, ring.bits)
    return _send_input(ctx, ring.asarray(elements), owner, ADDITIVE, fractional_bits, ring)


def _input_owner(ctx, value, owner, kind, fractional_bits, ring_bits) -> SharedArray:
    encoded, bits, ring = _encode(ctx, value, kind, fractional_bits, ring_bits)
    return _send_input(ctx, encoded, owner, kind, bits, ring)


def _send_input(ctx, encoded, owner, kind, bits, ring) -> SharedArray:
    header = np.array([_KIND_CODES[kind], bits, ring.bits, encoded.ndim, *encoded.shape], dtype=np.int64)
    for peer in ctx.peers:
        ctx.channel(peer).send(TAG_INPUT + ":header", header)
    if kind == SHAMIR:
        share = shamir_protocol.input_shares(ctx, encoded, owner, encoded.shape)
        return SharedArray(ctx, share, kind, bits)
    shares = share_elements(ctx, encoded, ring)
    for peer in ctx.peers:
        ctx.send_all(TAG_INPUT, shares[peer], to=[peer])
    return SharedArray(ctx, shares[owner], kind, bits, ring)


def _input_other(ctx, owner, kind, ring_bits) -> SharedArray:
    channel = ctx.channel(owner)
    raw = channel.recv_bytes(TAG_INPUT + ":header", max_size=8 * (4 + MAX_DIMENSIONS))
    if raw.nbytes % 8 or raw.nbytes < 32:
        raise ProtocolError("malformed input header", owner)
    header = np.frombuffer(raw, dtype=np.int64)
    kind_code, bits, ring_code, ndim = (int(v) for v in header[:4])
    shape = tuple(int(d) for d in header[4:])
    if (kind_code != _KIND_CODES[kind] or ring_code not in (64, 128) or ndim != len(shape) or ndim > MAX_DIMENSIONS
            or not 0 <= bits <= fixed_point.MAX_FRACTIONAL_BITS[ring_code]
            or (ring_bits is not None and ring_code != int(ring_bits)) or (kind == SHAMIR and ring_code != 64)
            or any(not 0 <= d <= MAX_ELEMENTS for d in shape) or math.prod(shape) > MAX_ELEMENTS):
        raise ProtocolError(f"input header does not describe a valid {kind} array: {header.tolist()}", owner)
    ring = ring_for_bits(ring_code)
    if kind == SHAMIR:
        share = shamir_protocol.input_shares(ctx, None, owner, shape)
        return SharedArray(ctx, share, kind, bits)
    share = ctx.recv_from(owner, TAG_INPUT, shape, ring.dtype).copy()
    return SharedArray(ctx, share, kind, bits, ring)


def reveal(*args, to=None):
    """Open a SharedArray to parties `to` (all by default; an int or a list); None at the others.

    Called as `reveal(x, to=...)` or `reveal(session, x, to)` (the form `Session.reveal` uses; the
    session must be x's).  Integers come back as int64 arrays (Z_2^128 integers beyond int64 as
    object arrays of Python ints), fixed point as float64, 0-d results as numpy scalars.
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
        return _scalar(value.ring.decode(opened, value.fractional_bits))
    return _scalar(value.ring.to_int(opened))


def _scalar(array: np.ndarray):
    return array[()] if array.ndim == 0 else array
