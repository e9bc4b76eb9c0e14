"""Reading CSV / XLSX / Parquet into string frames, and file-level located errors."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from imports_corpus import build_corpus
from vocapp.core.imports import ImportFileError, ImportIssue, iter_table_chunks, read_table, table_format


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("corpus"))


def file_error(source, filename=None, **kwargs) -> list[str]:
    with pytest.raises(ImportFileError) as caught:
        read_table(source, filename, **kwargs)
    return [str(issue) for issue in caught.value.issues]


def test_issue_str_names_file_row_and_column():
    assert str(ImportIssue("a.csv", 7, "email", "bad")) == "a.csv: row 7, column email: bad"
    assert str(ImportIssue("a.csv", None, None, "the file is empty")) == "a.csv: the file is empty"


def test_values_stay_text_with_leading_zeros_and_blanks_missing():
    frame = read_table(b"account_id,amount,note\n00042, 1.50 ,\n007,1e3,  \n", "t.csv")
    assert frame.loc[2, "account_id"] == "00042"
    assert frame.loc[2, "amount"] == "1.50"
    assert frame.loc[3, "amount"] == "1e3"
    assert frame["note"].isna().all()
    assert list(frame.index) == [2, 3]


def test_blank_lines_keep_spreadsheet_row_numbers():
    frame = read_table(b"a,b\n1,2\n\n,\n5,6\n", "t.csv")
    assert list(frame.index) == [2, 5]
    assert frame.loc[5, "a"] == "5"


@pytest.mark.parametrize("text, delimiter", [("a;b;c\n1;2,5;3\n", ";"), ("a\tb\n1\t2\n", "\t"), ("a,b\n1,2\n", ",")])
def test_delimiter_is_sniffed(text, delimiter):
    frame = read_table(text.encode(), "t.csv")
    assert list(frame.columns) == text.splitlines()[0].split(delimiter)


def test_utf8_bom_is_removed_from_first_header(corpus):
    frame = read_table(corpus / "contacts" / "utf8_bom.csv")
    assert frame.columns[0] == "email"


def test_utf16_with_bom_and_tabs(corpus):
    frame = read_table(corpus / "contacts" / "utf16.csv")
    assert frame.columns[0] == "email"
    assert frame.loc[4, "first_name"] == "Carys"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(encoding):
    frame = read_table("email;name\r\nzoe@x.example;Zoë\r\n".encode(encoding), "t.csv")
    assert list(frame.columns) == ["email", "name"]
    assert frame.loc[2, "name"] == "Zoë"


def test_cp1252_accents_decode_correctly(corpus):
    frame = read_table(corpus / "contacts" / "cp1252.csv")
    assert frame.loc[2, "first_name"] == "José"
    assert frame.loc[2, "last_name"] == "Señor"
    assert frame.loc[3, "account_name"] == "Brûlée & Façade"


def test_damaged_utf8_names_the_row(corpus):
    # rows 2-3 hold valid UTF-8 accents; row 4 has a lone cp1252 byte 0xE9 ("Caf\xe9")
    messages = file_error(corpus / "contacts" / "damaged_utf8.csv")
    assert len(messages) == 1
    assert messages[0].startswith("damaged_utf8.csv: row 4: the file is UTF-8 but byte(s) e9 at byte ")
    assert messages[0].endswith("are not valid UTF-8; re-save the file as UTF-8")


@pytest.mark.parametrize("kind", ["contacts", "responses", "transactions"])
def test_empty_and_header_only_files(corpus, kind):
    assert file_error(corpus / kind / "empty.csv") == ["empty.csv: the file is empty"]
    assert file_error(corpus / kind / "header_only.csv") == ["header_only.csv: the file has a header row but no data rows"]


def test_header_only_parquet(corpus):
    assert file_error(corpus / "transactions" / "header_only.parquet") == [
        "header_only.parquet: the file has a header row but no data rows"]


def test_wrong_extensions(corpus):
    assert file_error(corpus / "contacts" / "contacts.xls") == [
        "contacts.xls: the old Excel .xls format is not supported; save the workbook as .xlsx or CSV"]
    assert file_error(b"{}", "contacts.json") == [
        "contacts.json: unsupported file type '.json'; accepted: .csv, .parquet, .pq, .tsv, .txt, .xlsm, .xlsx"]
    assert file_error(b"a,b\n1,2\n", "t.parquet", formats=("csv", "xlsx")) == [
        "t.parquet: unsupported file type '.parquet'; accepted: .csv, .tsv, .txt, .xlsm, .xlsx"]
    assert file_error(corpus / "transactions" / "parquet_named.csv") == [
        "parquet_named.csv: the file is a Parquet file but its name ends like a CSV file; rename it"]
    assert table_format("X.XLSX") == "xlsx"


def test_ragged_rows_repeated_headers_and_unclosed_quotes():
    assert file_error(b"a,b\n1,2\n1,2,3\n", "t.csv") == ["t.csv: row 3: the row has 3 values but the header has 2 columns"]
    assert file_error(b"Email,name, Email \n1,2,3\n", "t.csv") == [
        "t.csv: row 1, column Email: column C repeats the header of column A ('Email'); each column may appear once"]
    assert file_error(b'a,b\n1,2\n3,"4\n', "t.csv") == ['t.csv: row 3: a quoted value is never closed (missing ")']
    assert file_error(b"a,,c\n1,x,3\n", "t.csv") == ["t.csv: row 2, column B: the column holds values but its header cell is blank"]


def test_xlsx_formulas_are_errors_naming_sheet_and_cell(corpus):
    assert file_error(corpus / "contacts" / "formulas.xlsx") == [
        'formulas.xlsx: row 3, column account_name: cell Contacts!E3 holds a formula (=UPPER("acme ltd")); '
        "only values can be imported - copy the cells and paste them as values",
        "formulas.xlsx: row 4, column email: cell Contacts!A4 holds a formula (=A2); "
        "only values can be imported - copy the cells and paste them as values",
    ]


def test_xlsx_values_as_text(corpus):
    frame = read_table(corpus / "contacts" / "valid.xlsx")
    assert frame.loc[2, "account_id"] == "00042"
    assert frame.loc[2, "Member Since"] == "2019"
    assert frame.loc[3, "Member Since"] == "2020.5"
    assert pd.isna(frame.loc[3, "role"])


def test_xlsx_leading_blank_rows_keep_sheet_row_numbers(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet["B3"], sheet["C3"] = "a", "b"
    sheet["B4"], sheet["C4"] = "x", 1
    book.save(tmp_path / "t.xlsx")
    frame = read_table(tmp_path / "t.xlsx")
    assert list(frame.index) == [4]
    assert frame.loc[4, "b"] == "1"


def test_parquet_values_become_text(corpus):
    frame = read_table(corpus / "transactions" / "valid.parquet")
    assert frame.loc[2].tolist()[:4] == ["ACME", "2024-01-15", "1200", "membership_fee"]
    assert frame.loc[3, "amount"] == "-150.25"
    assert frame.loc[4, "account_id"] == "00042"


def test_chunks_cover_every_row_with_continuous_numbers():
    text = "a,b\n" + "".join(f"{i},{i * 2}\n" for i in range(25))
    chunks = list(iter_table_chunks(text.encode(), "t.csv", chunk_rows=10))
    assert len(chunks) == 3 and all(len(chunk) <= 10 for chunk in chunks)
    assert [row for chunk in chunks for row in chunk.index] == list(range(2, 27))
    assert chunks[-1].loc[26, "b"] == "48"
