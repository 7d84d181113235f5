"""`mpc psi-gen`: two test CSV files with a known intersection, to try `mpc psi` on.

The server file is bank-style (customers.csv: tax_id,name,balance, UTF-8, LF); the client file is
an Excel export (invoices.csv: 纳税人识别号,发票号码,金额, UTF-8 with BOM, CRLF), with some ids on two
rows.  Identifiers are derived from --seed with SHA-256 (test data, not secrets).
"""
from __future__ import annotations

import csv
import hashlib
import json

from mpc.errors import ConfigError
from mpc.psi.output import atomic_text_file, check_output_path

CLIENT_KEY = "纳税人识别号"
SERVER_KEY = "tax_id"


def register(commands) -> None:
    p = commands.add_parser("psi-gen", help="write two CSV files with a known intersection for `mpc psi`")
    p.add_argument("--rows", type=int, default=1000, help="server rows (default 1000)")
    p.add_argument("--peer-rows", type=int, default=None, help="client rows before duplicates (default --rows)")
    p.add_argument("--common", type=int, default=None, help="ids in both files (default a quarter of --rows)")
    p.add_argument("--duplicates", type=int, default=0, help="client ids written on a second row")
    p.add_argument("--server-out", default="customers.csv", help="server file (default customers.csv)")
    p.add_argument("--client-out", default="invoices.csv", help="client file (default invoices.csv)")
    p.add_argument("--seed", default="mpc-psi-gen", help="seed of the identifiers")
    p.add_argument("--force", action="store_true", help="overwrite existing files")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    p.set_defaults(func=run)


def tax_id(seed: str, i: int) -> str:
    """An 18-character id shaped like a Chinese unified social credit code."""
    digest = hashlib.sha256(f"{seed}/{i}".encode()).hexdigest().upper()
    return "91" + digest[:16]


def generate(rows: int, peer_rows: int, common: int, duplicates: int, seed: str):
    """(server ids, client ids in file order, expected common ids)."""
    if min(rows, peer_rows, common, duplicates) < 0 or common > min(rows, peer_rows) or duplicates > peer_rows:
        raise ConfigError("need 0 <= common <= rows, peer rows and 0 <= duplicates <= peer rows")
    server = [tax_id(seed, i) for i in range(rows)]
    client = server[:common] + [tax_id(seed, rows + i) for i in range(peer_rows - common)]
    # Sorting the hash-derived ids shuffles the common ones among the rest without an RNG.
    server.sort()
    client.sort()
    client = client + client[:duplicates]
    return server, client, sorted(set(server) & set(client))


def write_files(server: list[str], client: list[str], server_out: str, client_out: str, *,
                force: bool = False) -> None:
    with atomic_text_file(server_out, overwrite=force) as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([SERVER_KEY, "name", "balance"])
        for i, ident in enumerate(server):
            w.writerow([ident, f"customer {i}", f"{(i * 7919) % 100000}.{i % 100:02d}"])
    with atomic_text_file(client_out, bom=True, overwrite=force) as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow([CLIENT_KEY, "发票号码", "金额"])
        for i, ident in enumerate(client):
            w.writerow([ident, f"INV{i:08d}", f"{(i * 104729) % 50000}.00"])


def run(args) -> int:
    peer_rows = args.rows if args.peer_rows is None else args.peer_rows
    common = min(args.rows, peer_rows) // 4 if args.common is None else args.common
    check_output_path(args.server_out, others=[args.client_out], force=args.force, flag="--server-out")
    check_output_path(args.client_out, others=[args.server_out], force=args.force, flag="--client-out")
    server, client, expected = generate(args.rows, peer_rows, common, args.duplicates, args.seed)
    write_files(server, client, args.server_out, args.client_out, force=args.force)
    summary = {"server_file": args.server_out, "server_key": SERVER_KEY, "server_rows": len(server),
               "client_file": args.client_out, "client_key": CLIENT_KEY, "client_rows": len(client),
               "intersection_size": len(expected), "duplicate_rows": args.duplicates}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"wrote {args.server_out} ({len(server)} rows, key {SERVER_KEY}) and {args.client_out} "
              f"({len(client)} rows, key {CLIENT_KEY}); {len(expected)} ids in common")
    return 0
