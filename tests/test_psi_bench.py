"""The bytes and rounds of PSI runs equal the formulas of protocols/psi-rsa.md ("Costs").

Checks mpc.psi.costs against the transport's counters over the in-process transport (odd batch
sizes, duplicates, empty sides, both reveal modes) and `mpc bench psi` at a small size over real
ZeroMQ processes, whose rows must carry measured bytes equal to the expected ones.
"""
from __future__ import annotations

import pytest

import mpc.psi as psi
from mpc.bench import BenchOptions
from mpc.bench import psi as bench_psi
from mpc.psi.costs import psi_bytes, psi_rounds
from mpc.psi.ids import PackedIds
from mpc.transport import run_threads


def test_bench_ids_are_the_packed_decimal_strings():
    packed = bench_psi.bench_ids(98, 5)
    reference = PackedIds.from_values([f"{i:018d}" for i in range(98, 103)])
    assert packed.data == reference.data and packed.offsets.tolist() == reference.offsets.tolist()


@pytest.mark.parametrize("server_ids, client_ids, batch, reveal", [
    ([f"s{i}" for i in range(70)], [f"s{i}" for i in range(40, 95)], 16, "both"),
    ([f"s{i}" for i in range(33)], [f"s{i}" for i in range(20)], 7, "client"),
    (["a", "b", "a", "c", "a", "d"], ["b", "a", "x", "b"], 4, "both"),
    ([], ["a", "b"], 3, "both"),
    (["a", "b", "c"], [], 2, "both"),
    (["a", "b"], ["x", "y"], 1, "both"),
])
def test_measured_traffic_equals_the_formula(server_ids, client_ids, batch, reveal):
    def party(endpoint):
        if endpoint.me == 0:
            return psi.server(endpoint, server_ids, reveal=reveal, batch_size=batch)
        return psi.client(endpoint, client_ids, reveal=reveal)
    server, client = run_threads(party, parties=2, timeout=30)
    distinct, matches = len(set(server_ids)), len(set(server_ids) & set(client_ids))
    expected = psi_bytes(len(server_ids), len(client_ids), 256, batch, server_distinct=distinct,
                         matches=matches, reveal=reveal)
    assert server.outcome.bytes_sent == expected["server"] == client.outcome.bytes_received
    assert client.outcome.bytes_sent == expected["client"] == server.outcome.bytes_received
    assert server.outcome.rounds + client.outcome.rounds == psi_rounds(
        len(server_ids), len(client_ids), server_distinct=distinct, matches=matches, reveal=reveal)


def test_bench_psi_rows_match_the_spec_between_processes():
    rows = bench_psi.run(BenchOptions(quick=True, sizes=[300], repeat=1))
    by_case = {row["case"]: row for row in rows}
    assert set(by_case) == {"openssl-rsa-private", "psi-rsa-sign-kernel", "psi-rsa"}
    row = by_case["psi-rsa"]
    assert row["n"] == 300 and row["intersection"] == row["expected_intersection"] == 150
    assert row["bytes_sent"] == row["bytes_received"] == row["bytes_expected"]
    assert (row["bytes_server"], row["bytes_client"]) == (row["bytes_server_expected"], row["bytes_client_expected"])
    assert row["rounds"] == row["rounds_expected"]
    assert row["ratio_to_openssl"] > 0 and by_case["openssl-rsa-private"]["ops_per_s"] > 0


@pytest.mark.parametrize("protocol", ["ecdh", "kkrt"])
def test_bench_psi_fast_rows_match_the_spec_between_processes(protocol):
    """`mpc bench psi --protocol P --json`: one psi-P row whose bytes and rounds equal the formula."""
    import contextlib
    import io
    import json
    from mpc.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["bench", "psi", "--protocol", protocol, "--sizes", "300", "--repeat", "1", "--json"]) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [row["case"] for row in rows] == [f"psi-{protocol}"]
    row = rows[0]
    assert row["n"] == 300 and row["intersection"] == row["expected_intersection"] == 150
    assert row["bytes_sent"] == row["bytes_received"] == row["bytes_expected"]
    assert (row["bytes_server"], row["bytes_client"]) == (row["bytes_server_expected"], row["bytes_client_expected"])
    assert row["rounds"] == row["rounds_expected"] and row["seconds"] > 0
