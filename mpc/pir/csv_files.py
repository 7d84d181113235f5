"""CSV files of keyword PIR: the server's table, the client's queries, the client's FOUND file.

For the CLI `mpc pir` (spec: protocols/pir.md, "Files and service (CLI)").  Parsing is mpc.psi.csv_input's (header
required, UTF-8 with or without BOM or another `encoding`, RFC 4180 with `delimiter`, errors naming
file and line; the same checks of --encoding and --delimiter as `mpc psi`).  Keys: the --key
columns, normalised by stripping surrounding Unicode whitespace (`normalize="strip"`, the default),
also NFKC-folded (`"nfkc"`) or compared exactly as written (`"none"`), combined by mpc.psi.ids's
length-prefixed encoding; the packed ids record the mode, which the PIR hellos carry.  A
table row whose key columns are all empty takes no part; two table rows with the same key are an
`InputError` naming both lines.  A query row with an empty key is answered `found = 0` without
being sent.  The FOUND file has one row per query data row, in order: the query's key columns as
written, `found` (1/0), then the table's other columns (empty when absent); written atomically in
the query file's encoding and delimiter (and BOM, line ending).  A server value that the query
file's encoding cannot represent is an `InputError` naming the FOUND file, line and column.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass

from mpc.errors import InputError, ProtocolError
from mpc.psi.csv_input import open_keyed_rows, sniff_style
from mpc.psi.ids import IdBuilder, PackedIds, encode_column
from mpc.psi.ids import normalize_value as normalize
from mpc.psi.output import atomic_text_file, check_output_path

MAX_KEY_BYTES = 65535  # an OPRF input (RFC 9497): the encoded key columns


def _encoded_key(key: list[str], path: str, line: int) -> bytes:
    encoded = b"".join(encode_column(v) for v in key)
    if len(encoded) > MAX_KEY_BYTES:
        raise InputError(f"the key is {len(encoded)} bytes encoded, more than {MAX_KEY_BYTES}", path, line)
    return encoded


@dataclass
class TableFile:
    path: str
    key_columns: list[str]
    value_columns: list[str]
    ids: PackedIds
    values: list[tuple[str, ...]]   # the other columns of each keyed row
    total_rows: int
    skipped_empty: int


def read_table(path: str, key_columns: list[str], normalize_mode: str = "strip", *, encoding: str = "utf-8",
               delimiter: str = ",") -> TableFile:
    encoding, delimiter, header, where, rows = open_keyed_rows(path, key_columns, normalize_mode, encoding, delimiter)
    others = [i for i in range(len(header)) if i not in where]
    builder = IdBuilder(len(key_columns), normalize_mode)
    values: list[tuple[str, ...]] = []
    first_line: dict[bytes, int] = {}
    total = skipped = 0
    for line, index, row in rows:
        total = index + 1
        key = [normalize(row[i], normalize_mode) for i in where]
        if not any(key):
            skipped += 1
            continue
        encoded = _encoded_key(key, path, line)
        if encoded in first_line:
            raise InputError(f"the key {', '.join(map(repr, key))} is also on line {first_line[encoded]}; "
                             "a PIR table needs distinct keys (protocols/pir.md, duplicate keys)", path, line)
        first_line[encoded] = line
        builder.add(encoded)
        values.append(tuple(row[i] for i in others))
    return TableFile(path, list(key_columns), [header[i] for i in others], builder.build(), values, total, skipped)


@dataclass
class QueryFile:
    path: str
    header: list[str]
    key_columns: list[str]
    ids: PackedIds                  # the non-empty keys, in file order
    written_keys: list[list[str]]   # each data row's key columns as written
    sent: list[int]                 # for each data row: its position in ids, or -1 (empty key)
    has_bom: bool
    line_ending: str
    encoding: str = "utf-8"         # the FOUND file is written like the query file
    delimiter: str = ","


def read_queries(path: str, key_columns: list[str], normalize_mode: str = "strip", *, encoding: str = "utf-8",
                 delimiter: str = ",") -> QueryFile:
    encoding, delimiter, header, where, rows = open_keyed_rows(path, key_columns, normalize_mode, encoding, delimiter)
    builder = IdBuilder(len(key_columns), normalize_mode)
    written, sent = [], []
    for line, _index, row in rows:
        raw = [row[i] for i in where]
        key = [normalize(v, normalize_mode) for v in raw]
        written.append(raw)
        if any(key):
            sent.append(len(builder))
            builder.add(_encoded_key(key, path, line))
        else:
            sent.append(-1)
    has_bom, line_ending = sniff_style(path)
    return QueryFile(path, header, list(key_columns), builder.build(), written, sent,
                     has_bom and encoding == "utf-8", line_ending, encoding, delimiter)


def write_found(queries: QueryFile, values: list, value_columns: list[str], path: str, force: bool) -> int:
    """Write the FOUND file; `values[i]` is the tuple of the i-th sent key or None.  Returns rows found."""
    check_output_path(path, force=force)   # again at the end: the file may have appeared meanwhile
    found = 0
    header = queries.key_columns + ["found"] + value_columns
    with atomic_text_file(path, bom=queries.has_bom, encoding=queries.encoding) as f:
        writer = csv.writer(f, lineterminator=queries.line_ending, delimiter=queries.delimiter)
        _check_encodable(header, header, queries.encoding, path, 1)
        writer.writerow(header)
        for line, (raw, position) in enumerate(zip(queries.written_keys, queries.sent), start=2):
            value = values[position] if position >= 0 else None
            if value is None:
                writer.writerow(raw + ["0"] + [""] * len(value_columns))
                continue
            if not isinstance(value, tuple) or len(value) != len(value_columns):
                raise ProtocolError("the server's row does not have the columns it announced")
            found += 1
            row = raw + ["1"] + list(value)
            _check_encodable(row, header, queries.encoding, path, line)
            writer.writerow(row)
    return found


def _check_encodable(row: list[str], header: list[str], encoding: str, path: str, line: int) -> None:
    """The server's text may hold characters the query file's encoding lacks: say where, write nothing."""
    if encoding == "utf-8":
        return
    for name, field in zip(header, row):
        try:
            field.encode(encoding)
        except UnicodeEncodeError as exc:
            where = "the header" if line == 1 else f"column {name!r}"
            raise InputError(f"{where} holds {field[exc.start:exc.end]!r}, which {encoding} cannot "
                             "represent (the FOUND file is written in the query file's --encoding): convert "
                             "the query file to UTF-8 and pass --encoding utf-8", path, line) from None
