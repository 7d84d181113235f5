"""`mpc bench PROTOCOL --quick --json` runs for every protocol and prints the DESIGN.md row format
(one JSON object per line with protocol, case, n, seconds, ops_per_s, bytes and rounds)."""
import contextlib
import io
import json

import pytest

from mpc.cli import main
from mpc.commands.bench import _protocols

REQUIRED = {"protocol": str, "case": str, "n": int, "seconds": float, "ops_per_s": float,
            "bytes_sent": int, "bytes_received": int, "rounds": int}
CASES = {"transport": {"mpc-plain", "mpc-curve", "raw-pyzmq-plain", "raw-pyzmq-curve",
                       "latency-mpc-plain", "latency-raw-pyzmq-plain"},
         "ot": {"random-ot", "correlated-ot", "chosen-ot", "correlated-ot-z64", "base-ot"},
         "gc": {"garble", "evaluate", "aes-2pc", "aes-2pc-batch", "large-2pc"},
         "ss": {"mul-online", "mul-online-z64", "mul-with-triples", "shamir-mul-3p", "matmul-100",
                "sigmoid", "reciprocal"},
         "pir": {"pir-preprocess", "pir-scan", "pir-hint", "pir-query", "pir-batch"},
         "lr": {"lr-ss", "lr-he"}}
LOCAL_CASES = {"garble", "evaluate", "pir-preprocess", "pir-scan"}  # native or one-party work: no traffic


def test_every_benchmark_module_is_listed():
    assert set(CASES) | {"psi"} == set(_protocols())


@pytest.mark.parametrize("protocol", sorted(CASES))
def test_quick_json_rows(protocol):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["bench", protocol, "--quick", "--json", "--repeat", "1"]) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {row["case"] for row in rows} == CASES[protocol]
    for row in rows:
        assert row["protocol"] == protocol
        for key, kind in REQUIRED.items():
            assert isinstance(row[key], kind), (row["case"], key)
        assert row["n"] > 0 and row["seconds"] > 0
        if protocol == "ss":                                # every ss row names its ring
            assert row["ring"].startswith("Z_"), row["case"]
        if row["case"] not in LOCAL_CASES:                 # native or one-party work sends nothing
            assert row["bytes_sent"] > 0 and row["rounds"] > 0
        if protocol == "lr":   # issue 13's row fields
            assert {"features", "epochs", "auc", "sklearn_auc"} <= set(row)
