"""Exact traffic and rounds of KKRT-PSI, as stated in protocols/psi-kkrt.md ("Costs").

For tests and benchmarks, which check these against the transport's counters (the protocol's own
tags plus the base OTs' `ot-base:*`).  Every message costs its payload plus a wire header of
33 + len(tag) bytes (protocols/wire.md).
"""
from __future__ import annotations

from mpc.ot.base import TAG_REPLY, TAG_SETUP
from mpc.psi import messages as shared
from mpc.psi.costs import message_count
from mpc.psi.kkrt import messages as msg
from mpc.psi.kkrt import params
from mpc.transport.wire import header_bytes

ROW_BYTES = 64
POINT_BYTES = 33     # a compressed P-256 point of the base OTs
SETUP_BYTES = 66


def psi_bytes(n_server: int, n_client: int, *, server_distinct: int | None = None, matches: int = 0,
              reveal: str = shared.REVEAL_BOTH, bins: int | None = None) -> dict:
    """Bytes the server and the client send in one run (and `total`); `bins` is the client's
    cuckoo table (params.bin_count(n_client) unless given)."""
    shared.reveal_code(reveal)
    distinct = n_server if server_distinct is None else server_distinct
    active = n_client > 0 and n_server > 0
    bins = params.bin_count(n_client) if bins is None else bins
    width = params.value_bytes(n_client, n_server)
    client = header_bytes(msg.TAG_CLIENT_HELLO) + msg.CLIENT_HELLO_BYTES
    server = (header_bytes(msg.TAG_SERVER_HELLO) + msg.SERVER_HELLO_BYTES
              + header_bytes(msg.TAG_SERVER_COUNT) + 8)
    if active:
        client += (header_bytes(TAG_SETUP) + SETUP_BYTES
                   + message_count(bins, msg.ROWS_PER_MESSAGE) * header_bytes(msg.TAG_U) + ROW_BYTES * bins)
        server += (header_bytes(TAG_REPLY) + POINT_BYTES * msg.BASE_OTS
                   + message_count(distinct, msg.ITEMS_PER_MESSAGE) * header_bytes(msg.TAG_VALUES)
                   + 3 * width * distinct)
    if reveal == shared.REVEAL_BOTH:
        client += (header_bytes(msg.TAG_MATCH_COUNT) + 8
                   + message_count(matches, msg.MATCHES_PER_MESSAGE) * header_bytes(msg.TAG_MATCHES) + 8 * matches)
    return {"server": server, "client": client, "total": server + client}


def psi_rounds(n_server: int, n_client: int, *, server_distinct: int | None = None, matches: int = 0,
               reveal: str = shared.REVEAL_BOTH) -> int:
    """The transport's round counter summed over both parties (each tag flows one way): hellos 2,
    server-count 1, and when both sets are non-empty base-OT set-up and reply 2, u 1, values 1;
    match-count 1 and matches 1 (if M > 0) with reveal both."""
    distinct = n_server if server_distinct is None else server_distinct
    active = n_client > 0 and n_server > 0
    rounds = 3 + (3 + (distinct > 0) if active else 0)
    if reveal == shared.REVEAL_BOTH:
        rounds += 1 + (matches > 0)
    return rounds
