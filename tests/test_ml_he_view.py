"""The he protocol of vertical logistic regression (mpc.ml.he_*; protocols/lr-vertical.md, "Protocol
he"): what each party receives in an epoch does not depend on the other party's features or labels,
every mask is 40 bits wider than the value it hides, and the bytes each party sends equal the formula.

The runs use TEST_KEY_BITS (512-bit Paillier): INSECURE, for speed only.  The key size changes no
step of the protocol: only the ciphertext width |c| = key_bits / 4 bytes and the room for plaintexts
(mpc.ml.he_bounds checks the masks fit).  Every statistical check has false-alarm rate ALPHA = 1e-4
under the hypothesis that the view is independent of the peer's data (22 checks: at most 2.2e-3 of
false alarm per run of this file, by the union bound), and each kind has a negative control that the
same check rejects (by p-values below 1e-8 in our runs).  The statistical checks cannot show 40-bit
hiding (a KS test on ~10^3 values sees a shift of ~5 %, not 2^-40); the mask-width test below does,
value by value.
"""
import numpy as np
import pytest
from scipy import stats

from mpc.ml import VerticalLogisticRegression, costs, he_bounds, he_common, he_host
from mpc.ml.paillier import TEST_KEY_BITS
from mpc.runtime import Session
from mpc.transport import run_threads

SEED = np.random.default_rng(20261202)   # test data only; the package uses the session PRG
ALPHA = 1e-4
CHI2_255 = float(stats.chi2.isf(ALPHA, 255))      # 347.7: 255 degrees of freedom at ALPHA
CIPHER_BYTES = TEST_KEY_BITS // 4
CIPHERTEXT_TAGS = ("ml:he:forward:in", "ml:he:forward:out", "ml:he:gradient:in", "ml:he:gradient:out",
                   "ml:he:class", "ml:he:class-back")
GC_FAMILIES = ("iknp:u", "gc:tables", "gc:inputs", "gc:decode")   # party 0 garbles
GUEST, HOST = 0, 1                                  # session party numbers in these runs


class Record:
    """Per party: the frames it received by tag, the values it decrypted (call by call), the
    masks it drew (call by call, with their width) and its traffic counters."""

    def __init__(self):
        self.frames = {GUEST: {}, HOST: {}}
        self.decrypted = {GUEST: [], HOST: []}
        self.masks = {GUEST: [], HOST: []}
        self.keys = {}
        self.sent = {}

    def unmasked(self, watcher: int):
        """(masked value, its mask's width, the raw value) for everything `watcher` decrypted: the
        peer drew the masks in the same order as the watcher decrypts them."""
        peer = 1 - watcher
        assert [len(v) for v in self.decrypted[watcher]] == [len(m) for _, m in self.masks[peer]]
        out = []
        for values, (bits, masks) in zip(self.decrypted[watcher], self.masks[peer]):
            out += [(u, bits, u + rho) for u, rho in zip(values, masks)]   # u = v - rho
        return out


def _fit(guest_x, labels, host_x, monkeypatch, **options) -> Record:
    """One he fit (guest = party 0) with every party's view recorded."""
    record, owner = Record(), {}
    original_mask, original_decrypt = he_common.HeParty._mask, he_common.decrypt

    def mask(self, count, bits):
        masks = original_mask(self, count, bits)
        record.masks[self.me].append((bits, masks))
        owner[int(self.mine.n)] = self.me         # whose key: decrypt is told the public key only
        return masks

    def decrypt(secret, ciphertexts, public):
        values = original_decrypt(secret, ciphertexts, public)
        me = owner[int(public.n)]
        record.decrypted[me].append(values)
        record.keys[me] = int(public.n)
        return values
    monkeypatch.setattr(he_common.HeParty, "_mask", mask)
    monkeypatch.setattr(he_common, "decrypt", decrypt)
    monkeypatch.setattr(he_host, "decrypt", decrypt)
    settings = dict(protocol="he", key_bits=TEST_KEY_BITS, epochs=1, batch_size=128, learning_rate=0.5)
    settings.update(options)

    def job(endpoint):
        s = Session(endpoint)
        original_recv = s.endpoint.recv

        def spy(peer, tag, timeout=None):        # this party's endpoint only (an instance attribute)
            frames = original_recv(peer, tag, timeout)
            if tag != "ml:hello":
                record.frames[s.me].setdefault(tag, []).extend(bytes(f) for f in frames)
            return frames
        s.endpoint.recv = spy
        model = VerticalLogisticRegression(s, **settings)
        model.fit(guest_x, labels) if s.me == GUEST else model.fit(host_x)
        snapshot = s.stats.snapshot()
        record.sent[s.me] = sum(c["bytes_sent"] for tag, c in snapshot.items() if tag != "ml:hello")
    run_threads(job, parties=2, timeout=120)
    return record


def _family(tag: str) -> str:
    return tag if tag.startswith("ml:") else ":".join(tag.split(":")[:2])


def _sizes(record: Record, watcher: int) -> dict:
    return {tag: [len(f) for f in frames] for tag, frames in record.frames[watcher].items()}


def _chi_square_uniform_bytes(data: bytes) -> float:
    counts = np.bincount(np.frombuffer(data, np.uint8), minlength=256).astype(np.float64)
    expected = len(data) / 256
    return float(((counts - expected) ** 2 / expected).sum())


def _low_bytes_of_ciphertexts(record: Record, watcher: int) -> bytes:
    """The low half (little-endian first CIPHER_BYTES / 2 bytes) of every ciphertext received: an
    element of Z_{N^2}* is < N^2, so its top bytes are not uniform, but its low 64 bytes are
    within 2^-400 of uniform for a uniform element (and, under DCR, for any Paillier ciphertext)."""
    parts = []
    for tag in CIPHERTEXT_TAGS:
        data = b"".join(record.frames[watcher].get(tag, []))
        assert len(data) % CIPHER_BYTES == 0
        parts += [data[i:i + CIPHER_BYTES // 2] for i in range(0, len(data), CIPHER_BYTES)]
    return b"".join(parts)


def _normalised(view) -> np.ndarray:
    """rho - v over 2^width for each masked u = v - rho: uniform on [0, 1) up to |v| / 2^width."""
    return np.array([float(-u) / 2.0 ** bits for u, bits, _ in view])


def _low_words(values) -> bytes:
    """The low 32 bits of each integer (two's complement): exactly uniform for u = v - rho when the
    mask has >= 32 bits (all do: >= 40), whatever v."""
    return b"".join((int(v) % (1 << 32)).to_bytes(4, "little") for v in values)


def _datasets(rows: int, watcher: int):
    """Two runs that differ only in the peer's data: all zeros vs large informative features (and,
    for the guest as the peer, labels: all 0 vs determined by its own and the host's features)."""
    host_x = SEED.normal(size=(rows, 4)) * 3
    guest_x = SEED.normal(size=(rows, 3)) * 50
    informative = (guest_x[:, 0] + host_x[:, 0] > 0).astype(np.int64)
    if watcher == HOST:      # the host's data is fixed, the guest's varies
        return {"zeros": (np.zeros((rows, 3)), np.zeros(rows, np.int64), host_x),
                "informative": (guest_x, informative, host_x)}
    return {"zeros": (guest_x, informative, np.zeros((rows, 4))),
            "informative": (guest_x, informative, host_x)}


@pytest.mark.parametrize("watcher", [HOST, GUEST], ids=["host-view", "guest-view"])
def test_view_does_not_depend_on_the_peers_data(watcher, monkeypatch):
    """One epoch of 640 rows (5 batches of 128, class weights on so that the class-weight product
    runs too), the peer's data all zero vs large and informative:
    (a) the same tags and message sizes;
    (b) the values the watcher decrypts (masked shares u = v - rho): one-sample KS of
        (rho - v) / 2^width against U[0, 1) in each run and a two-sample KS between the runs,
        p > ALPHA; the low 32 bits of u uniform (chi-square over bytes < CHI2_255);
    (c) the low halves of all Paillier ciphertexts received, and the garbled-circuit / OT traffic,
        uniform bytes (chi-square < CHI2_255).
    Negative controls: the raw values v (the masks taken off) fail the two-sample test and the
    low-bits test; masks made 8 bits narrower than the bound they must exceed by 40 fail both KS
    tests; Paillier "encryptions" without the randomiser fail the ciphertext test."""
    runs = {name: _fit(*data, monkeypatch, class_weight="balanced")
            for name, data in _datasets(640, watcher).items()}
    assert _sizes(runs["zeros"], watcher) == _sizes(runs["informative"], watcher)
    views = {name: run.unmasked(watcher) for name, run in runs.items()}
    assert len(views["zeros"]) > 600        # forward (+ class-weight at the host) and gradient products
    normalised = {name: _normalised(view) for name, view in views.items()}
    for name in runs:
        assert stats.kstest(normalised[name], "uniform").pvalue > ALPHA, name
        assert _chi_square_uniform_bytes(_low_words(u for u, _, _ in views[name])) < CHI2_255, name
        assert _chi_square_uniform_bytes(_low_bytes_of_ciphertexts(runs[name], watcher)) < CHI2_255, name
        families = {_family(tag) for tag in runs[name].frames[watcher]} & set(GC_FAMILIES)
        assert families == ({"iknp:u"} if watcher == 0 else {"gc:tables", "gc:inputs", "gc:decode"})
        for family in families:
            data = b"".join(f for tag, frames in runs[name].frames[watcher].items() if _family(tag) == family
                            for f in frames)
            assert len(data) >= 4096 and _chi_square_uniform_bytes(data) < CHI2_255, (name, family)
    assert stats.ks_2samp(normalised["zeros"], normalised["informative"]).pvalue > ALPHA

    # negative controls: the raw values
    raw = {name: np.array([float(v) / 2.0 ** bits for _, bits, v in view]) for name, view in views.items()}
    assert stats.ks_2samp(raw["zeros"], raw["informative"]).pvalue < ALPHA
    assert _chi_square_uniform_bytes(_low_words(v for _, _, v in views["zeros"])) > CHI2_255
    n = runs["zeros"].keys[watcher]
    deterministic = b"".join(((1 + int(v) * n) % (n * n)).to_bytes(CIPHER_BYTES, "little")[:CIPHER_BYTES // 2]
                             for _, _, v in views["zeros"])
    assert _chi_square_uniform_bytes(deterministic) > CHI2_255
    # negative control: masks too narrow for what they hide
    original = he_bounds.mask_bits
    monkeypatch.setattr(he_bounds, "mask_bits", lambda bound: max(8, original(bound) - 48))
    narrow = _normalised(_fit(*_datasets(640, watcher)["informative"], monkeypatch,
                              class_weight="balanced").unmasked(watcher))
    assert stats.kstest(narrow, "uniform").pvalue < ALPHA
    assert stats.ks_2samp(normalised["zeros"], narrow).pvalue < ALPHA


def test_every_mask_is_40_bits_wider_than_the_value_it_hides(monkeypatch):
    """Small batches, a large learning rate and class weights make the shares grow fastest (with
    the former fixed 200-bit masks some values here were 10 bits wider than their masks): for every value either party masks, |v| < 2^(width - 40)."""
    rows = 96
    x_guest, x_host = SEED.normal(size=(rows, 3)), SEED.normal(size=(rows, 4))
    labels = (x_guest[:, 0] + x_host[:, 1] > 0).astype(np.int64)
    record = _fit(x_guest, labels, x_host, monkeypatch, batch_size=4, epochs=2, l2=0.0, class_weight="balanced")
    for watcher in (GUEST, HOST):
        view = record.unmasked(watcher)
        assert len(view) >= 384          # 2 x 96 forward + 48 x d gradient (+ 192 class-weight at the host)
        worst = min(bits - abs(v).bit_length() for _, bits, v in view)
        assert worst >= he_bounds.STAT_BITS, (watcher, worst)
        # the bounds are not vacuous: the largest values come within 64 bits of the masks
        assert max(abs(v).bit_length() + he_bounds.STAT_BITS + 64 - bits for _, bits, v in view) > 0


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "class-weights"])
def test_he_bytes_equal_the_formula(weighted, monkeypatch):
    """Every byte each party sends in a 2-epoch fit (200 rows, batches of 64 and a last one of 8),
    all but the ml:hello JSON, equals mpc.ml.costs.he_fit_bytes (protocols/lr-vertical.md)."""
    rows, batch, epochs = 200, 64, 2
    x_guest, x_host = SEED.normal(size=(rows, 3)), SEED.normal(size=(rows, 5))
    labels = (x_guest[:, 0] > 0).astype(np.int64)
    record = _fit(x_guest, labels, x_host, monkeypatch, batch_size=batch, epochs=epochs,
                  class_weight="balanced" if weighted else None)
    for me, (d_mine, d_peer) in ((GUEST, (3, 5)), (HOST, (5, 3))):
        formula = costs.he_fit_bytes(rows, batch, epochs, d_mine, d_peer, TEST_KEY_BITS, guest=me == GUEST,
                                     garbler=me == 0, weighted=weighted)
        assert record.sent[me] == formula, (me, record.sent[me] - formula)


def test_masks_that_would_outgrow_the_key_are_refused_before_any_ciphertext():
    """A 192-bit key has no room for the 216-bit gradient masks of weighted batches of 128: both
    parties raise ConfigError before the keys are exchanged (the run stops, nothing is half-masked)."""
    from mpc.errors import ConfigError
    rows = 256
    x_guest, x_host = SEED.normal(size=(rows, 2)), SEED.normal(size=(rows, 2))
    labels = (x_guest[:, 0] > 0).astype(np.int64)

    def job(endpoint):
        s = Session(endpoint)
        model = VerticalLogisticRegression(s, protocol="he", key_bits=192, batch_size=128, class_weight="balanced")
        try:
            model.fit(x_guest, labels) if s.me == GUEST else model.fit(x_host)
        except ConfigError as error:
            return str(error), s.stats.protocol("ml:he").messages_sent
        return None, None
    for message, sent in run_threads(job, parties=2, timeout=60):
        assert message is not None and "larger key_bits" in message and sent == 0
