"""Vertical logistic regression with Paillier and secret sharing, no third party (protocol "he"):
what both roles share.  The roles are `HeGuest` (mpc/ml/he_guest.py) and `HeHost` (he_host.py).

For mpc.ml.estimator; spec: protocols/lr-vertical.md, "Protocol he".  After Chen et al. 2020,
"When homomorphic encryption marries secret sharing" (FATE SSHE-LR, SecretFlow HESS-LR): each party
has its own Paillier key; the weights of both parties' features and the intercept are additive
integer shares, statistically masked: every fresh mask is 40 bits wider than a public bound of
what it hides (mpc.ml.he_bounds, tracked by both parties as the shares grow).  Per mini-batch of B rows:

1. forward: each party sends its share of the PEER's weights encrypted under its own key; the
   peer multiplies by its plaintext features homomorphically, subtracts a fresh mask, and sends
   the B ciphertexts back; decryption gives shares of X_peer (my share of w_peer); so z is shared;
2. residual r = 4 (sigma~(z) - y): the hard sigmoid by the same garbled circuit as the ss protocol
   on the shares reduced mod 2^64 (|z| < 2^62), lifted back to integer shares with a 104-bit mask
   (mpc.ml.sigmoid); the guest subtracts 4y; class weights by one more encrypted product;
3. backward: each party sends Enc_own(its share of r) (B ciphertexts); the peer computes
   Enc(X_peer^T r_share) for its d features, masks, returns; decryption gives shares of the gradient;
4. update: each party updates its shares locally, floor(c g / 2^t) with the same constants as the
   ss protocol (error at most 1 unit of 2^-16 per step, deterministic).

Neither party ever decrypts anything but masked values: no plaintext gradient, weight or residual.
"""
from __future__ import annotations

import numpy as np

from mpc.ml import fixedpoint
from mpc.ml.he_bounds import REVEAL_BYTES, HeBounds
from mpc.ml.party import TrainingParty
from mpc.ml.paillier import PublicKey, decrypt, generate_keypair
from mpc.ss.randomness import random_bytes

TAG_KEY = "ml:he:key"
TAG_WEIGHTS = "ml:he:weights"
TAG_FORWARD = "ml:he:forward"
TAG_GRADIENT = "ml:he:gradient"
TAG_SHARES = "ml:he:shares"
FEATURE_OFFSET_BITS = fixedpoint.FEATURE_OFFSET_BITS


class HeParty(TrainingParty):
    def __init__(self, session, x, d_peer, params, seed, *, key_bits=2048, **options):
        super().__init__(session, x, d_peer, params, seed, **options)
        self.prg = session.rng
        self.key_bits = int(key_bits)
        self.own = [0] * self.d
        self.peer = [0] * self.d_peer
        self.intercept = [0]
        self.epochs_run = 0
        d_guest, d_host = (self.d, self.d_peer) if self.guest else (self.d_peer, self.d)
        self.bounds = HeBounds(d_guest, d_host, self.weighted, self.key_bits)
        from mpc.ml.sigmoid import SharedSigmoid
        from mpc.ml.update import SharedUpdate
        self._stop = SharedUpdate(self.channel, self.prg, session.me)
        self.sigmoid = SharedSigmoid(self.channel, self.prg, session.me, self._stop.party)

    # -- keys -------------------------------------------------------------------------------------
    def _keys(self) -> None:
        public, self.secret = generate_keypair(self.key_bits)
        self.channel.send(TAG_KEY, int(public.n).to_bytes(self.key_bits // 8 + 1, "little"))
        raw = self.channel.recv_bytes(TAG_KEY, self.key_bits // 8 + 1, timeout=self.timeout)
        peer_n = int.from_bytes(bytes(raw), "little")
        if peer_n.bit_length() < self.key_bits - 1 or peer_n % 2 == 0:
            from mpc.errors import ProtocolError
            raise ProtocolError(f"peer's Paillier modulus has {peer_n.bit_length()} bits, expected {self.key_bits}")
        self.mine = PublicKey(int(public.n), self.prg)
        self.theirs = PublicKey(peer_n, self.prg)

    def _mask(self, count: int, bits: int) -> list:
        """`count` fresh masks uniform in [0, 2^bits) (bits a multiple of 8, from mpc.ml.he_bounds)."""
        step = bits // 8
        data = random_bytes(self.prg, count * step)
        return [int.from_bytes(data[i * step:(i + 1) * step], "little") for i in range(count)]

    def _masked(self, ciphertexts: list, masks: list) -> list:
        """c * Enc(-mask) under the peer's key: re-randomised and masked."""
        fresh = self.theirs.encrypt([-m for m in masks])
        n2 = self.theirs.n2
        return [c * f % n2 for c, f in zip(ciphertexts, fresh)]

    def _swap(self, tag: str, outgoing: list, key_out: PublicKey, count_in: int, key_in: PublicKey) -> list:
        self.channel.send(tag, key_out.pack(outgoing))
        raw = self.channel.recv_bytes(tag, count_in * key_in.bytes, timeout=self.timeout)
        return key_in.unpack(raw, count_in)

    # -- one mini-batch ---------------------------------------------------------------------------
    def _cross(self, tag: str, mine_under_my_key: list, matrix: np.ndarray, count_in: int, count_out: int,
               count_back: int, mask_bits: int) -> tuple[list, list]:
        """Send Enc_mine(mine) and receive Enc_peer(v) (count_in); compute Enc_peer(matrix @ v)
        (count_out), mask it (masks below 2^mask_bits) and send it back; receive the peer's masked
        product (count_back).  Returns (my masks = my share of matrix @ v, my decrypted share of
        the peer's product)."""
        enc_mine = self.mine.encrypt(mine_under_my_key)
        enc_peer = self._swap(tag + ":in", enc_mine, self.mine, count_in, self.theirs)
        product = self.theirs.matvec(enc_peer, matrix, FEATURE_OFFSET_BITS)
        masks = self._mask(count_out, mask_bits)
        back = self._swap(tag + ":out", self._masked(product, masks), self.theirs, count_back, self.mine)
        return masks, decrypt(self.secret, back, self.mine)

    def step(self, rows: np.ndarray) -> None:
        xb = self.x[rows]
        count = len(rows)
        objects = xb.astype(object)
        # forward: my features x (peer's share of my weights), peer's features x (my share of theirs)
        masks, theirs = self._cross(TAG_FORWARD, self.peer, xb, self.d, count, count, self.bounds.forward_bits())
        own = objects @ np.array(self.own, dtype=object) if self.d else np.zeros(count, dtype=object)
        z = own + np.array(masks, dtype=object) + np.array(theirs, dtype=object)
        z = z + (self.intercept[0] << fixedpoint.FEATURE_BITS)
        r = self._residual(z, rows)
        r_list = [int(v) for v in r]
        masks, theirs = self._cross(TAG_GRADIENT, r_list, xb.T, count, self.d, self.d_peer,
                                    self.bounds.gradient_bits(count))
        own_gradient = (objects.T @ r if self.d else np.zeros(0, dtype=object)) + np.array(masks, dtype=object)
        peer_gradient = theirs
        intercept_gradient = [sum(r_list) << fixedpoint.FEATURE_BITS]
        self._update(own_gradient, peer_gradient, intercept_gradient, count)

    def _residual(self, z, rows):
        """My share of r = 4 (sigma~(z) - y) (times the class weights when set)."""
        raise NotImplementedError

    def _constants(self, rows: int) -> tuple[int, int, int, int]:
        """(c, t, c2, t2) of the update after a batch of `rows` rows."""
        lr, l2 = float(self.params["learning_rate"]), float(self.params["l2"])
        shift = fixedpoint.gradient_scale(self.weighted) - fixedpoint.WEIGHT_BITS
        c, t = fixedpoint.constant(lr / (4.0 * rows * 2.0 ** shift))
        c2, t2 = fixedpoint.constant(lr * l2) if l2 > 0 else (0, 0)
        return c, t, c2, t2

    def _preflight(self, batch: int) -> None:
        """Run the public bounds through every step first: a shape whose masks would outgrow the
        key fails with ConfigError before any traffic (both parties alike), not in epoch 7."""
        bounds = HeBounds(*self.bounds.dims, self.weighted, self.key_bits)
        sizes = [min(batch, self.n - first) for first in range(0, self.n, batch)]
        for _epoch in range(int(self.params["epochs"])):
            for rows in sizes:
                bounds.forward_bits()
                bounds.after_update(rows, *self._constants(rows))

    def _update(self, own_g, peer_g, intercept_g, rows: int) -> None:
        c, t, c2, t2 = self._constants(rows)
        self.bounds.after_update(rows, c, t, c2, t2)

        def new(shares, gradient, decay=True):
            out = []
            for w, g in zip(shares, gradient):
                w = int(w) - ((c * int(g)) >> t)
                if decay and c2:
                    w -= (c2 * w) >> t2
                out.append(w)
            return out
        self.own = new(self.own, own_g)
        self.peer = new(self.peer, peer_g)
        self.intercept = new(self.intercept, intercept_g, decay=False)

    # -- training ---------------------------------------------------------------------------------
    def run(self) -> dict:
        batch = int(self.params["batch_size"])
        self._preflight(batch)
        self._keys()
        tol = self.params.get("tol")
        stopped = False
        for epoch in range(int(self.params["epochs"])):
            order = self.order(epoch)
            start = (list(self.own), list(self.peer), list(self.intercept))
            for first in range(0, self.n, batch):
                self.step(order[first:first + batch])
            self.epochs_run = epoch + 1
            if self.progress is not None:
                self.progress(self.epochs_run, int(self.params["epochs"]))
            if tol is not None and self._converged(start, float(tol)):
                stopped = True
                break
        result = self.reveal_own()
        result["stopped_early"] = stopped
        return result

    def _converged(self, start, tol: float) -> bool:
        """One bit to both: every weight moved by at most tol.  The change of each share is masked
        by the peer's, so the parties compare |a + b| <= tol through the ss garbled circuit on
        shares reduced mod 2^64 (the change is far below 2^62)."""
        now = self._layout(self.own, self.peer, self.intercept)
        before = self._layout(*start)
        words = lambda values: np.array([int(v) % (1 << 64) for v in values], dtype=np.uint64)
        return self._stop.converged(words(now), words(before), tol)

    def _layout(self, own, peer, intercept):
        return (list(own) + list(peer) if self.guest else list(peer) + list(own)) + list(intercept)

    def reveal_own(self) -> dict:
        outgoing = list(self.peer) + ([] if self.guest else list(self.intercept))
        width = REVEAL_BYTES
        encode = lambda v: int(v).to_bytes(width, "little", signed=True)
        self.channel.send(TAG_SHARES, b"".join(encode(v) for v in outgoing))
        expected = self.d + (1 if self.guest else 0)
        raw = bytes(self.channel.recv_bytes(TAG_SHARES, expected * width, timeout=self.timeout))
        incoming = [int.from_bytes(raw[i * width:(i + 1) * width], "little", signed=True) for i in range(expected)]
        scale = float(1 << fixedpoint.WEIGHT_BITS)
        weights = np.array([(a + b) / scale for a, b in zip(self.own, incoming[:self.d])])
        intercept = (self.intercept[0] + incoming[self.d]) / scale if self.guest else None
        return {"weights": weights, "intercept": intercept, "epochs_run": self.epochs_run}
