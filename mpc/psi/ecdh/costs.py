"""Exact traffic and rounds of ECDH-PSI, as stated in protocols/psi-ecdh.md ("Costs").

For tests and benchmarks, which check these against the bytes the transport counted.  Every
message costs its payload plus one wire header of 33 + len(tag) bytes (protocols/wire.md).
"""
from __future__ import annotations

from mpc.psi import messages as shared
from mpc.psi.costs import message_count
from mpc.psi.ecdh import messages as msg
from mpc.transport.wire import header_bytes


def psi_bytes(n_server: int, n_client: int, batch: int = msg.DEFAULT_BATCH, *, server_distinct: int | None = None,
              matches: int = 0, reveal: str = shared.REVEAL_BOTH) -> dict:
    """Bytes the server and the client send in one run (and `total`); `server_distinct` = D, the
    server's distinct identifiers; `matches` = M, the common distinct identifiers."""
    shared.reveal_code(reveal)
    distinct = n_server if server_distinct is None else server_distinct
    client_batches = message_count(n_client, batch)
    server_batches = message_count(n_server, batch)
    client = (header_bytes(msg.TAG_CLIENT_HELLO) + msg.CLIENT_HELLO_BYTES
              + client_batches * header_bytes(msg.TAG_BLINDED) + msg.POINT_BYTES * n_client)
    if reveal == shared.REVEAL_BOTH:
        client += (header_bytes(msg.TAG_MATCH_COUNT) + 8
                   + message_count(matches, msg.MATCHES_PER_MESSAGE) * header_bytes(msg.TAG_MATCHES) + 8 * matches)
    server = (header_bytes(msg.TAG_SERVER_HELLO) + msg.SERVER_HELLO_BYTES
              + client_batches * header_bytes(msg.TAG_KEYS) + msg.KEY_BYTES * n_client
              + server_batches * (header_bytes(msg.TAG_PROGRESS) + 8)
              + header_bytes(msg.TAG_SERVER_COUNT) + 8
              + message_count(distinct, msg.POINTS_PER_MESSAGE) * header_bytes(msg.TAG_SERVER_POINTS)
              + msg.POINT_BYTES * distinct)
    return {"server": server, "client": client, "total": server + client}


def psi_rounds(n_server: int, n_client: int, *, server_distinct: int | None = None, matches: int = 0,
               reveal: str = shared.REVEAL_BOTH) -> int:
    """The transport's round counter summed over both parties: one per tag that carries a
    message (each tag flows one way): hellos 2, blinded and keys 2 (if n_client > 0), progress 1
    (if n_server > 0), server-count 1, server-points 1 (if D > 0), match-count 1 and matches 1
    (if M > 0) with reveal both."""
    distinct = n_server if server_distinct is None else server_distinct
    rounds = 2 + 2 * (n_client > 0) + (n_server > 0) + 1 + (distinct > 0)
    if reveal == shared.REVEAL_BOTH:
        rounds += 1 + (matches > 0)
    return rounds


def scalar_multiplications(n_server: int, n_client: int, server_distinct: int | None = None) -> dict:
    """Variable-base scalar multiplications per party (the protocol's cost driver)."""
    distinct = n_server if server_distinct is None else server_distinct
    return {"server": n_client + n_server, "client": n_client + distinct}
