"""Garbled circuits between two real processes over ZeroMQ loopback (mpc.run_local, CurveZMQ).

Spec: protocols/gc-halfgates.md.  FIPS-197 AES-128 through garble, OT and evaluate, and the
millionaires' comparison, each party in its own process with a Session (`.channel`, `.rng`).
"""
import mpc
import mpc.gc as gc

KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
PLAIN = bytes.fromhex("00112233445566778899aabbccddeeff")


def _job(session):
    channel = session.channel(1 - session.me)
    party = (gc.Garbler if session.me == 0 else gc.Evaluator)(channel, session.rng)
    if session.me == 0:
        cipher = gc.aes128(channel, "garbler", key=KEY, party=party)
        richer = gc.millionaires(channel, "garbler", 10**9 + 7, party=party)
    else:
        cipher = gc.aes128(channel, "evaluator", plaintext=PLAIN, party=party)
        richer = gc.millionaires(channel, "evaluator", 10**9, party=party)
    return cipher.hex(), richer, channel.stats.protocol("gc").bytes_sent


def test_aes_and_millionaires_between_processes():
    (c0, r0, sent0), (c1, r1, sent1) = mpc.run_local(_job, parties=2, timeout=60)
    assert c0 == c1 == "69c4e0d86a7b0430d8cdb78070b4c55a"
    assert r0 is True and r1 is True
    assert sent0 > 32 * 6400  # the garbler sent the AES tables
