"""Exact traffic of blind-RSA PSI, as stated in protocols/psi-rsa.md ("Costs").

For tests and benchmarks, which check these formulas against the bytes the transport counted.
Every message costs its payload plus one wire header of 33 + len(tag) bytes (protocols/wire.md).
"""
from __future__ import annotations

from mpc.psi import messages as msg
from mpc.psi.keycheck import proof_count
from mpc.transport.wire import header_bytes


def message_count(items: int, per_message: int) -> int:
    return -(-items // per_message)


def psi_bytes(n_server: int, n_client: int, modulus_bytes: int = 256, batch: int = msg.DEFAULT_BATCH, *,
              server_distinct: int | None = None, matches: int = 0, reveal: str = msg.REVEAL_BOTH,
              e: int = 65537) -> dict:
    """Bytes the server and the client send in one run (and their sum, `total`).

    `server_distinct` is the number of distinct final hashes of the server (its distinct ids,
    n_server when there are no duplicates); `matches` the number of those the client found (the
    intersection size over distinct ids), sent back only when both parties learn the result."""
    msg.reveal_code(reveal)
    k = modulus_bytes
    distinct = n_server if server_distinct is None else server_distinct
    client_batches = message_count(n_client, batch)
    server_batches = message_count(n_server, batch)
    client = (header_bytes(msg.TAG_CLIENT_HELLO) + msg.CLIENT_HELLO_BYTES
              + client_batches * header_bytes(msg.TAG_BLINDED) + n_client * k)
    if reveal == msg.REVEAL_BOTH:
        client += (header_bytes(msg.TAG_MATCH_COUNT) + 8
                   + message_count(matches, msg.MATCHES_PER_MESSAGE) * header_bytes(msg.TAG_MATCHES) + 8 * matches)
    server = (header_bytes(msg.TAG_SERVER_HELLO) + msg.SERVER_HELLO_FIXED_BYTES + k
              + header_bytes(msg.TAG_KEY_PROOF) + proof_count(e) * k
              + client_batches * header_bytes(msg.TAG_SIGNED) + n_client * k
              + server_batches * (header_bytes(msg.TAG_PROGRESS) + 8)
              + header_bytes(msg.TAG_SERVER_COUNT) + 8
              + message_count(distinct, msg.HASHES_PER_MESSAGE) * header_bytes(msg.TAG_SERVER_HASHES)
              + msg.HASH_BYTES * distinct)
    if reveal == msg.REVEAL_BOTH:
        server += header_bytes(msg.TAG_DONE) + 8
    return {"server": server, "client": client, "total": server + client}


def psi_rounds(n_server: int, n_client: int, *, server_distinct: int | None = None, matches: int = 0,
               reveal: str = msg.REVEAL_BOTH) -> int:
    """The transport's round counter summed over both parties.  Every PSI tag flows one way and its
    messages are never interleaved with a receive on the same tag, so each tag that carries at
    least one message counts one round: hellos 2, key proof 1, blinded and signed 2 (if n_client > 0),
    progress 1 (if n_server > 0), server-count 1, server-hashes 1 (if any), match-count 1, matches 1
    (if any) and done 1 with reveal both."""
    distinct = n_server if server_distinct is None else server_distinct
    rounds = 2 + 1 + 2 * (n_client > 0) + (n_server > 0) + 1 + (distinct > 0)
    if reveal == msg.REVEAL_BOTH:
        rounds += 1 + (matches > 0) + 1
    return rounds


def latency_flights(reveal: str = msg.REVEAL_BOTH) -> int:
    """One-way network latencies on the critical path: the crossing hellos (the key proof travels
    with the server's), blinded -> signed (the batches are pipelined behind the first), the
    server's hashes, and with reveal both the matches and the server's confirmation."""
    return 6 if reveal == msg.REVEAL_BOTH else 4
