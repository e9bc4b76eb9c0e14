"""Build the binary / non-UTF-8 part of the import test corpus, reproducibly.

Text CSV files live next to this script; XLSX, Parquet, cp1252, UTF-16 and BOM
files are generated here (``python build_binary_corpus.py DIR``) so the repository
holds no opaque blobs.  Tests call ``build_corpus(tmp_dir)``, which copies the text
files and writes the generated ones beside them.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
CONTACT_HEADER = ["email", "first_name", "last_name", "account_id", "account_name", "relationship", "role"]
ACCENTED_CONTACTS = (
    "email,first_name,last_name,account_id,account_name,relationship,role\r\n"
    "jose@acme.example,José,Señor,ACME,Acme Ltd,member,user\r\n"
    "zoe@bryn.example,Zoë,Brontë,BRYN,Brûlée & Façade,customer,influencer\r\n"
)


def _workbook(path: Path, rows: list[list[object]], title: str = "Sheet1") -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)


def build_contacts(directory: Path) -> None:
    valid = (HERE / "contacts" / "valid.csv").read_text(encoding="utf-8")
    (directory / "utf8_bom.csv").write_bytes(b"\xef\xbb\xbf" + valid.encode("utf-8"))
    (directory / "utf16.csv").write_bytes(valid.replace(",", "\t").encode("utf-16"))
    (directory / "cp1252.csv").write_bytes(ACCENTED_CONTACTS.encode("cp1252"))
    damaged = ACCENTED_CONTACTS.encode("utf-8") + b"bad@acme.example,Caf\xe9,X,ACME,Acme Ltd,member,user\r\n"
    (directory / "damaged_utf8.csv").write_bytes(damaged)
    (directory / "contacts.xls").write_bytes(b"\xd0\xcf\x11\xe0not really a workbook")
    _workbook(directory / "valid.xlsx", [
        CONTACT_HEADER + ["Member Since"],
        ["ann.lee@acme.example", "Ann", "Lee", "00042", "Orbit Systems", "member", "user", 2019],
        ["bob@acme.example", "Bob", "Stone", "00042", "Orbit Systems", "both", None, 2020.5],
    ])
    _workbook(directory / "formulas.xlsx", [
        CONTACT_HEADER,
        ["ann.lee@acme.example", "Ann", "Lee", "ACME", "Acme Ltd", "member", "user"],
        ["bob@acme.example", "Bob", "Stone", "ACME", '=UPPER("acme ltd")', "member", "user"],
        ["=A2", "Carys", "Jones", "BRYN", "Bryn", "both", "user"],
    ], title="Contacts")


def build_responses(directory: Path) -> None:
    valid = (HERE / "responses" / "valid.csv").read_text(encoding="utf-8")
    (directory / "utf8_bom.csv").write_bytes(b"\xef\xbb\xbf" + valid.encode("utf-8"))
    (directory / "cp1252.csv").write_bytes(
        "email,submitted_at,trust_1,comment\r\nann.lee@acme.example,2024-03-01,4,Très bien – merci\r\n"
        .encode("cp1252"))
    _workbook(directory / "formulas.xlsx", [
        ["email", "submitted_at", "trust_1", "nps"],
        ["ann.lee@acme.example", "2024-03-01", 4, "=SUM(1,2)"],
    ], title="Answers")


def build_transactions(directory: Path) -> None:
    valid = (HERE / "transactions" / "valid.csv").read_text(encoding="utf-8")
    (directory / "utf8_bom.csv").write_bytes(b"\xef\xbb\xbf" + valid.encode("utf-8"))
    (directory / "cp1252.csv").write_bytes(
        "account_id,date,amount,category,description\r\nACME,2024-01-15,99.5,event,Dîner – été\r\n".encode("cp1252"))
    table = pa.table({
        "account_id": ["ACME", "ACME", "00042"],
        "date": pa.array([19737, 19738, 19739], pa.date32()),  # 2024-01-15..17
        "amount": [1200.0, -150.25, 75.0],
        "category": ["membership_fee", "refund", "event"],
        "reference": ["P-1", "P-2", None],
    })
    pq.write_table(table, directory / "valid.parquet")
    pq.write_table(table, directory / "parquet_named.csv")
    bad = pa.table({
        "account_id": ["ACME", None],
        "date": ["2024-01-15", "15/01/2024"],
        "amount": ["12.00", "twelve"],
        "category": ["fee", "fee"],
    })
    pq.write_table(bad, directory / "bad_values.parquet")
    pq.write_table(pa.table({"account_id": pa.array([], pa.string()), "date": pa.array([], pa.string()),
                             "amount": pa.array([], pa.string()), "category": pa.array([], pa.string())}),
                   directory / "header_only.parquet")
    _workbook(directory / "formulas.xlsx", [
        ["account_id", "date", "amount", "category"],
        ["ACME", "2024-01-15", "=100*1.2", "fee"],
    ], title="Ledger")


def build_corpus(target: Path) -> Path:
    """Copy the text corpus to ``target`` and write the generated files there."""
    target = Path(target)
    for kind, build in (("contacts", build_contacts), ("responses", build_responses),
                        ("transactions", build_transactions)):
        shutil.copytree(HERE / kind, target / kind, dirs_exist_ok=True)
        build(target / kind)
    return target


if __name__ == "__main__":
    build_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
