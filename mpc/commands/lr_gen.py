"""`mpc lr-gen`: two CSV files for trying vertical logistic regression after PSI (README example).

    mpc lr-gen --bank-rows 1200 --invoice-rows 1000 --common 800

bank.csv: tax_id, defaulted (0/1) and 10 numeric features; invoices.csv: tax_id and 20 numeric
features of partly the same companies, in another order, so `mpc psi` must find and align the
common rows first.  The default depends on features of both files (a logistic model over all 30).
Deterministic for a --seed (the AES-CTR PRG seeded from it: test data, not secrets).
"""
from __future__ import annotations

import csv
import hashlib
import json
import math
import os

import numpy as np

from mpc.errors import InputError

BANK_FEATURES = ["revenue", "employees", "age_years", "credit_lines", "overdraft_days", "loan_amount",
                 "equity_ratio", "cash_ratio", "payroll_growth", "branch_visits"]
INVOICE_FEATURES = [f"inv_{name}" for name in (
    "issued", "paid_on_time", "late_30", "late_90", "disputed", "mean_amount", "max_amount", "clients",
    "suppliers", "months_active", "tax_filings", "corrections", "credit_notes", "export_share",
    "payment_days", "cancelled", "new_clients", "lost_clients", "seasonality", "growth")]


def register(commands) -> None:
    p = commands.add_parser("lr-gen", help="two test CSV files for mpc psi + mpc lr",
                            description="Write bank.csv (labels and 10 features) and invoices.csv (20 features) "
                            "of partly the same companies, for the vertical logistic regression example.")
    p.add_argument("--bank-rows", type=int, default=1200)
    p.add_argument("--invoice-rows", type=int, default=1000)
    p.add_argument("--common", type=int, default=800, help="companies in both files")
    p.add_argument("--bank-out", default="bank.csv")
    p.add_argument("--invoices-out", default="invoices.csv")
    p.add_argument("--seed", default="1", help="seed of the data (default 1)")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _normal(prg, count: int) -> np.ndarray:
    """Standard normals by Box-Muller from the PRG's uniforms."""
    u = (prg.uint64(2 * count) >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    u1, u2 = np.maximum(u[:count], 2.0 ** -53), u[count:]
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * math.pi * u2)


def _write(path: str, header: list, rows) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(tmp, path)


def run(args) -> int:
    from mpc.prg import Prg
    if not 0 <= args.common <= min(args.bank_rows, args.invoice_rows):
        raise InputError("--common must be at most the smaller of --bank-rows and --invoice-rows")
    for path in (args.bank_out, args.invoices_out):
        if os.path.exists(path) and not args.force:
            raise InputError("exists already; remove it or pass --force", path)
    prg = Prg(hashlib.sha256(f"mpc/lr-gen/{args.seed}".encode()).digest()[:16])
    companies = args.bank_rows + args.invoice_rows - args.common
    features = _normal(prg, companies * 30).reshape(companies, 30)
    beta = _normal(prg, 30) * (np.arange(30) % 3 == 0)          # 10 informative columns, both files
    score = features @ beta * 0.8 - 0.5
    u = (prg.uint64(companies) >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    labels = (u < 1.0 / (1.0 + np.exp(-score))).astype(int)
    ids = [f"DE{100000000 + 7919 * i:09d}" for i in range(companies)]
    bank = np.arange(args.bank_rows)                            # companies 0 .. bank_rows-1
    invoices = np.arange(args.bank_rows - args.common, companies)
    bank = bank[np.argsort(prg.uint64(bank.size), kind="stable")]
    invoices = invoices[np.argsort(prg.uint64(invoices.size), kind="stable")]
    _write(args.bank_out, ["tax_id", "defaulted"] + BANK_FEATURES,
           ([ids[i], labels[i]] + [f"{v:.4f}" for v in features[i, :10] * 10 + 50] for i in bank))
    _write(args.invoices_out, ["tax_id"] + INVOICE_FEATURES,
           ([ids[i]] + [f"{v:.4f}" for v in features[i, 10:] * 3 + 7] for i in invoices))
    summary = {"bank": args.bank_out, "bank_rows": args.bank_rows, "invoices": args.invoices_out,
               "invoice_rows": args.invoice_rows, "common": args.common}
    print(json.dumps(summary) if args.json else
          f"wrote {args.bank_out} ({args.bank_rows} rows) and {args.invoices_out} ({args.invoice_rows} rows), "
          f"{args.common} companies in both", flush=True)
    return 0
