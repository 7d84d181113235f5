"""The examples of mpc/ss/README.md run as written (parties in separate processes) and print what
their comments say."""
import contextlib
import io
import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "mpc" / "ss" / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def run_example(code: str):
    namespace: dict = {"__name__": "__readme__"}
    captured = []
    import mpc
    real = mpc.run_local

    def recording(*args, **kwargs):
        result = real(*args, **kwargs)
        captured.append(result)
        return result
    mpc.run_local = recording
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, str(README), "exec"), namespace)
    finally:
        mpc.run_local = real
    return captured[-1]


def test_there_are_seven_examples():
    assert len(BLOCKS) == 7


def test_shared_arrays_example():
    results = run_example(BLOCKS[0])
    # integer (shared in Z_2^128, the ring of reals) x fixed point needs no truncation: the only
    # error is encoding the bonus rates with 20 fractional bits, so the result equals the sum
    # computed with the encoded rates exactly.
    rates = np.rint(np.array([0.05, 0.10, 0.02]) * 2 ** 20) / 2 ** 20
    total = (np.array([52_000, 61_000, 58_500]) * rates).sum()
    for me, (got_total, above, biggest) in enumerate(results):
        assert got_total == total
        assert list(above) == [0, 1, 1]
        assert (biggest == 61_000) if me == 0 else biggest is None


def test_secure_sum_example():
    assert all(list(r) == [9, 9, 9] for r in run_example(BLOCKS[1]))


def test_mean_variance_example():
    ages = np.array([34.0, 41.0, 29.0, 55.0, 38.0])
    for mean, var in run_example(BLOCKS[2]):
        assert abs(mean - ages.mean()) < 0.01 and abs(var - ages.var()) < 0.1


def test_dot_matmul_example():
    for dot, product in run_example(BLOCKS[3]):
        assert abs(dot - 75.5) < 0.01
        assert np.array_equal(product, [[10, 13], [28, 40]])


def test_millionaires_example():
    assert run_example(BLOCKS[4]) == [0, 0]


def test_shamir_example():
    for product, dot in run_example(BLOCKS[5]):
        assert list(product) == [21, -32, -45] and dot == -56


def test_nonlinear_example():
    score, count = np.array([-2.0, 0.0, 3.5]), np.array([4.0, 8.0, 0.5])
    for sigmoid, ratio, less in run_example(BLOCKS[6]):
        assert np.max(np.abs(sigmoid - 1 / (1 + np.exp(-score)))) < 1e-3
        assert np.max(np.abs(ratio - score / count)) < 1e-3
        assert list(less) == [1, 1, 0]
