"""10^7 random fixed-point products at the edge of the documented range (|x y| in [2^38.8, 2^40),
reals in Z_2^128 with 20 fractional bits), with 2 and with 3 parties, through the real protocol
(mpc.ss.checks.products_at_edge): prints how many products are off by more than the stated
truncation error ([0, 1] ulp for two parties' local truncation, [0, n] ulps for the masked opening).

Parties run as threads over the in-process transport; triples come from the insecure dealer (the
online phase and the truncation, which are what is checked, do not depend on who made the
triples).  Run:  python benchmarks/fixed_point_edge.py [--count 10000000] [--parties 2 3]
(spec: protocols/ss-additive.md, "Fixed point"; about a minute per party count on 2 cores).
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mpc.ss import api, checks  # noqa: E402
from mpc.transport import run_threads  # noqa: E402
from ss_session import ThreadSession  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000_000)
    parser.add_argument("--parties", type=int, nargs="+", default=[2, 3])
    parser.add_argument("--truncation", default="auto", choices=["auto", "local", "masked"])
    args = parser.parse_args(argv)
    logging.getLogger("mpc.ss").setLevel(logging.ERROR)     # the dealer's warning, once per party
    failures = 0
    for parties in args.parties:
        def body(endpoint):
            session = ThreadSession(endpoint)
            api.configure(session, triples="insecure-dealer", truncation=args.truncation)
            return checks.products_at_edge(session, args.count)
        start = time.perf_counter()
        report = run_threads(body, parties=parties, timeout=3600)[0]
        report["seconds"] = round(time.perf_counter() - start, 1)
        print(json.dumps(report))
        print(f"{parties} parties: {report['checked']:,} products at the edge of the range, "
              f"{report['wrong']} off by more than {report['allowed_ulps']} ulp "
              f"(worst {report['worst_ulps']} ulp, {report['truncation']} truncation)", flush=True)
        failures += report["wrong"]
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
