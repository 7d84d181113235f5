"""The CSV options shared by the commands that read keyed CSV files: `--normalize`, `--encoding`
and `--delimiter`.

For `mpc psi` and `mpc pir serve|query`, so that both accept the same names, defaults and help;
the values are checked where the files are read (mpc.psi.csv_input.check_encoding and
check_delimiter: an `InputError` that names the option).
"""
from __future__ import annotations

SAME_OUTPUT = "the output uses the same"


def add_csv_options(parser, output: str | None = SAME_OUTPUT) -> None:
    """Add --encoding and --delimiter; `output` ends each help text (None: the command writes no CSV)."""
    tail = f"; {output}" if output else ""
    parser.add_argument("--encoding", default="utf-8", help="text encoding of the CSV files (default utf-8, "
                        f"BOM allowed; e.g. gbk for a Chinese Windows export){tail}")
    parser.add_argument("--delimiter", default=",", help="field separator (default ','; ';' for many European "
                        f"exports; 'tab' for TSV){tail}")


def add_normalize_option(parser, checked: str) -> None:
    """Add --normalize (mpc.psi.ids); `checked` says when the two parties' choices are compared."""
    parser.add_argument("--normalize", choices=["strip", "none", "nfkc"], default="strip",
                        help="how key values are compared: strip (default) ignores Unicode whitespace around "
                        "each value (spaces, tabs, NBSP, U+3000); nfkc also folds full-width letters and "
                        f"digits; none compares the bytes as written. Both parties must agree ({checked}). "
                        "Output rows stay as written")
