"""Hostile files for the attack suite, generated at test time (nothing big is committed).

Each builder writes one file into a folder and returns its path. Imports: CSV, XLSX and Parquet files
that try to exhaust memory or confuse the readers; definitions: YAML and JSON that nest, expand or
smuggle tags. The expected outcome of each lives in the tests (tests/test_security_hostile_files.py).
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

CONTACT_HEADER = ["email", "first_name", "last_name", "account_id", "account_name", "relationship", "role"]
CONTACT_ROW = ["ann@example.org", "Ann", "Jones", "A1", "Acme", "member", "user"]
MIB = 1 << 20


def _csv(rows: list[list[str]]) -> str:
    return "".join(",".join(row) + "\n" for row in rows)


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- CSV -------------------------------------------------------------------------------------------------

def long_column_name_csv(folder: Path) -> Path:
    """A header line over 128 KiB (the csv module's field limit): one column name of 200 KiB."""
    return write(folder, "long_column_name.csv", _csv([CONTACT_HEADER + ["n" * (200 * 1024)], CONTACT_ROW + ["x"]]))


def long_header_line_csv(folder: Path) -> Path:
    """A header line of 300 KiB without a line break in sight."""
    return write(folder, "long_header_line.csv", ",".join(f"c{i:06d}" for i in range(300 * 1024 // 8)) + "\nx\n")


def huge_attribute_csv(folder: Path, megabytes: int = 50) -> Path:
    """A free attribute column (``notes``) holding one 50 MB value."""
    path = folder / "huge_attribute.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(",".join(CONTACT_HEADER + ["notes"]) + "\n" + ",".join(CONTACT_ROW) + ",")
        block = "y" * MIB
        for _ in range(megabytes):
            handle.write(block)
        handle.write("\n")
    return path


def long_attribute_csv(folder: Path) -> Path:
    return write(folder, "long_attribute.csv", _csv([CONTACT_HEADER + ["notes"], CONTACT_ROW + ["z" * 2000]]))


def duplicate_headers_csv(folder: Path) -> Path:
    return write(folder, "duplicate_headers.csv", _csv([["email", "email"] + CONTACT_HEADER[1:], ["a@example.org"] + CONTACT_ROW]))


def empty_csv(folder: Path) -> Path:
    return write(folder, "empty.csv", b"")


def bom_only_csv(folder: Path) -> Path:
    return write(folder, "bom_only.csv", b"\xef\xbb\xbf")


def utf16_csv(folder: Path) -> Path:
    """A valid contacts file saved as UTF-16 with a byte-order mark (Excel's "Unicode text")."""
    rows = [CONTACT_HEADER, ["zoe@example.org", "Zoë", "Ørsted", "A1", "Acme", "member", "user"]]
    return write(folder, "utf16.csv", _csv(rows).encode("utf-16"))


def latin1_csv(folder: Path) -> Path:
    """A valid contacts file in Latin-1 / Windows-1252 (old Excel on Western-European Windows)."""
    rows = [CONTACT_HEADER, ["rene@example.org", "René", "Müller", "A1", "Acme", "member", "user"]]
    return write(folder, "latin1.csv", _csv(rows).encode("cp1252"))


# --- XLSX ------------------------------------------------------------------------------------------------

def _workbook_parts(header: list[str]) -> dict[str, bytes]:
    """Every part of a small valid workbook written by openpyxl (one header row)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Contacts"
    book.active.append(header)
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_row(header: list[str]) -> str:
    from openpyxl.utils import get_column_letter

    return '<row r="1">' + "".join(_cell(f"{get_column_letter(i + 1)}1", name) for i, name in enumerate(header)) + "</row>"


SHEET_OPEN = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_CLOSE = "</sheetData></worksheet>"


def _write_xlsx(path: Path, parts: dict[str, bytes], streamed: dict[str, tuple[bytes, bytes, int]] | None = None) -> Path:
    """Write ``parts``; each ``streamed`` part is (before, after, MiB of 'A' between them), deflated as it goes."""
    streamed = streamed or {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in parts.items():
            if name not in streamed:
                archive.writestr(name, data)
        for name, (before, after, mebibytes) in streamed.items():
            with archive.open(name, "w", force_zip64=True) as part:
                part.write(before)
                block = b"A" * MIB
                for _ in range(mebibytes):
                    part.write(block)
                part.write(after)
    return path


def inline_bomb_xlsx(folder: Path, mebibytes: int = 1024) -> Path:
    """Cell B2 holds one inline text that expands to 1 GiB (the file itself is about 5 MB)."""
    parts = _workbook_parts(CONTACT_HEADER)
    before = (SHEET_OPEN + _header_row(CONTACT_HEADER) + '<row r="2">' + _cell("A2", "ann@example.org")
              + '<c r="B2" t="inlineStr"><is><t>').encode()
    after = ("</t></is></c>" + "".join(_cell(f"{letter}2", value) for letter, value in zip("CDEFG", CONTACT_ROW[2:]))
             + "</row>" + SHEET_CLOSE).encode()
    return _write_xlsx(folder / "inline_bomb.xlsx", parts, {"xl/worksheets/sheet1.xml": (before, after, mebibytes)})


def _shared_strings_xlsx(path: Path, mebibytes: int) -> Path:
    parts = _workbook_parts(CONTACT_HEADER)
    sheet = (SHEET_OPEN + _header_row(CONTACT_HEADER) + '<row r="2">' + _cell("A2", "ann@example.org")
             + '<c r="B2" t="s"><v>0</v></c>' + "</row>" + SHEET_CLOSE)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                     b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = "xl/_rels/workbook.xml.rels"
    if b"sharedStrings" not in parts[rels]:
        parts[rels] = parts[rels].replace(
            b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/'
                                 b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    before = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
    return _write_xlsx(path, parts, {"xl/sharedStrings.xml": (before, b"</t></si></sst>", mebibytes)})


def shared_string_bomb_xlsx(folder: Path) -> Path:
    """Cell B2 shows shared string 0, which expands to 64 MiB (within the part limit: found by its cell)."""
    return _shared_strings_xlsx(folder / "shared_string_bomb.xlsx", 64)


def shared_strings_too_large_xlsx(folder: Path) -> Path:
    """The shared strings part expands to 300 MiB (beyond MAX_SHARED_STRINGS_BYTES)."""
    return _shared_strings_xlsx(folder / "shared_strings_too_large.xlsx", 300)


def doctype_xlsx(folder: Path) -> Path:
    """An entity-expansion ("billion laughs") document type declaration in the worksheet."""
    parts = _workbook_parts(CONTACT_HEADER)
    entities = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>"
    parts["xl/worksheets/sheet1.xml"] = (SHEET_OPEN.replace("?><worksheet", "?>" + entities + "<worksheet")
                                         + _header_row(CONTACT_HEADER) + '<row r="2">' + _cell("A2", "&i;")
                                         + "</row>" + SHEET_CLOSE).encode()
    return _write_xlsx(folder / "doctype.xlsx", parts)


def beyond_header_xlsx(folder: Path) -> Path:
    """Row 5 holds a value in column H, right of the last header column (G)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(CONTACT_HEADER)
    for number in range(3):
        sheet.append([f"p{number}@example.org"] + CONTACT_ROW[1:])
    sheet.append(["p9@example.org"] + CONTACT_ROW[1:] + ["stray"])
    path = folder / "beyond_header.xlsx"
    book.save(path)
    return path


def formulas_xlsx(folder: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(CONTACT_HEADER)
    book.active.append(CONTACT_ROW[:4] + ['=HYPERLINK("http://evil.example","x")'] + CONTACT_ROW[5:])
    path = folder / "formulas.xlsx"
    book.save(path)
    return path


def not_a_workbook_xlsx(folder: Path) -> Path:
    return write(folder, "not_a_workbook.xlsx", b"PK\x03\x04 this is not really a zip file" * 10)


# --- Parquet ---------------------------------------------------------------------------------------------

def parquet_huge_cell(folder: Path, megabytes: int = 50) -> Path:
    """A transactions file whose description is one 50 MB text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"account_id": ["A1"], "date": ["2024-01-31"], "amount": ["10.00"], "category": ["fees"],
                      "description": ["d" * (megabytes * MIB)]})
    path = folder / "huge_cell.parquet"
    pq.write_table(table, path, compression="zstd")
    return path


def parquet_dictionary_bomb(folder: Path) -> Path:
    """200,000 rows that all repeat one 30,000-character text: 6 GB of text from a small file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 200_000
    text = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["t" * 30_000]))
    table = pa.table({"account_id": pa.array(["A1"] * rows), "date": pa.array(["2024-01-31"] * rows),
                      "amount": pa.array(["1.00"] * rows), "category": pa.array(["fees"] * rows), "description": text})
    path = folder / "dictionary_bomb.parquet"
    pq.write_table(table, path, compression="zstd")
    return path


# --- Definitions -----------------------------------------------------------------------------------------

def nested_yaml(folder: Path, depth: int = 900) -> Path:
    return write(folder, "nested.yaml", "id: nested\n" + "".join("  " * level + "k:\n" for level in range(depth))
                 + "  " * depth + "v\n")


def nested_flow_yaml(folder: Path, depth: int = 900) -> Path:
    return write(folder, "nested_flow.yaml", "id: nested\npages: " + "[" * depth + "]" * depth + "\n")


def nested_json(folder: Path, depth: int = 900) -> Path:
    return write(folder, "nested.json", '{"id": "nested", "pages": ' + "[" * depth + "]" * depth + "}")


def alias_bomb_yaml(folder: Path) -> Path:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join('*' + chr(97 + i) for _ in range(9))}]" for i in range(8)]
    return write(folder, "alias_bomb.yaml", "\n".join(lines) + "\n")


def python_tag_yaml(folder: Path) -> Path:
    return write(folder, "python_tag.yaml", "id: x\ntitle: !!python/object/apply:os.system ['touch /tmp/vocapp-pwned']\n")


def huge_item_text_yaml(folder: Path, megabytes: int = 20) -> Path:
    """The default questionnaire's first item text replaced by 20 MB."""
    return _definition_with_item_text(folder, "huge_item_text.yaml", "w" * (megabytes * MIB))


def long_item_text_yaml(folder: Path) -> Path:
    return _definition_with_item_text(folder, "long_item_text.yaml", "w" * 6000)


def _definition_with_item_text(folder: Path, name: str, text: str) -> Path:
    import yaml

    from vocapp import PROJECT_ROOT

    definition = yaml.safe_load((PROJECT_ROOT / "survey_definitions" / "b2b_pulse.yaml").read_text(encoding="utf-8"))
    definition["pages"][0]["items"][0]["text"] = "PLACEHOLDER"
    return write(folder, name, yaml.safe_dump(definition, width=10**9, allow_unicode=True).replace("PLACEHOLDER", text))


def utf16_yaml(folder: Path) -> Path:
    return write(folder, "utf16.yaml", "id: x\ntitle: y\n".encode("utf-16"))


def empty_yaml(folder: Path) -> Path:
    return write(folder, "empty.yaml", "")
