"""The attack suite's hostile files against every importer, the designer upload and the canvas definition.

Every case ends in its located message and exit code 1, a recorded failed import run, no file left in
instance/uploads and an unchanged database; the big ones also run in a subprocess whose peak memory is
measured (bound: MEMORY_BOUND_MB for the whole process, interpreter and libraries included).
"""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

import hostile_files as hostile
from imports_corpus import data_snapshot
from vocapp import PROJECT_ROOT
from vocapp.models import AuditEntry, ImportRun, Survey

MEMORY_BOUND_MB = 1024
XLSX_NOTE = "no cell may hold more than 32,767 characters"
#: hostile for every importer alike: builder -> the located message
EVERY_IMPORTER = {
    "long_header_line_csv": "long_header_line.csv: row 1: the header row is longer than 256 KiB",
    "huge_attribute_csv": f"huge_attribute.csv: line 2 is longer than 4 MiB; {XLSX_NOTE}",
    "empty_csv": "empty.csv: the file is empty",
    "bom_only_csv": "bom_only.csv: the file is empty",
    "inline_bomb_xlsx": f"inline_bomb.xlsx: row 2, column B: the cell holds more than 256 KiB of text; {XLSX_NOTE}",
    "shared_string_bomb_xlsx": "shared_string_bomb.xlsx: row 2, column B: the cell holds more than 256 KiB of text",
    "shared_strings_too_large_xlsx": "shared_strings_too_large.xlsx: part xl/sharedStrings.xml of the workbook "
                                     "expands to 300 MiB, more than 256 MiB",
    "doctype_xlsx": "doctype.xlsx: part xl/worksheets/sheet1.xml of the workbook has an XML document type declaration",
    "not_a_workbook_xlsx": "not_a_workbook.xlsx: not a valid .xlsx workbook",
}
ONE_IMPORTER = {
    ("contacts", "long_column_name_csv"): "long_column_name.csv: row 1, column H: the column name is 204,800 "
                                          "characters long; at most 200",
    ("contacts", "long_cell_csv"): "long_cell.csv: row 2, column notes: the value is 100,000 characters long; "
                                   f"{XLSX_NOTE}",
    ("contacts", "long_attribute_csv"): "long_attribute.csv: row 2, column notes: the value is longer than 1,000 characters",
    ("contacts", "duplicate_headers_csv"): "duplicate_headers.csv: row 1, column email: column B repeats the header "
                                           "of column A ('email')",
    ("contacts", "beyond_header_xlsx"): "beyond_header.xlsx: row 5, column H: a value beyond the last header column",
    ("contacts", "formulas_xlsx"): 'formulas.xlsx: row 2, column account_name: cell Sheet!E2 holds a formula '
                                   '(=HYPERLINK("http://evil.example","x"))',
    ("responses", "long_answer_csv"): "long_answer.csv: row 2, column comment: the value is longer than 5000 characters",
    ("transactions", "parquet_huge_cell"): f"huge_cell.parquet: row 2, column description: the value is 52,428,800 "
                                           f"characters long; {XLSX_NOTE}",
    ("transactions", "parquet_dictionary_bomb"): "dictionary_bomb.parquet: row 2: rows 2 to 100,001 expand to "
                                                 "2,863 MiB of text, more than 512 MiB",
}
CASES = [(kind, name, message) for kind in ("contacts", "responses", "transactions")
         for name, message in EVERY_IMPORTER.items()] + [(kind, name, message) for (kind, name), message in ONE_IMPORTER.items()]
#: files whose reading could take memory without the bounds: measured in a subprocess
BIG = ["huge_attribute_csv", "inline_bomb_xlsx", "shared_string_bomb_xlsx", "parquet_huge_cell",
       "parquet_dictionary_bomb"]


def long_cell_csv(folder: Path) -> Path:
    return hostile.write(folder, "long_cell.csv", ",".join(hostile.CONTACT_HEADER + ["notes"]) + "\n"
                         + ",".join(hostile.CONTACT_ROW + ["c" * 100_000]) + "\n")


def long_answer_csv(folder: Path) -> Path:
    return hostile.write(folder, "long_answer.csv", "email,submitted_at,comment\n"
                         f"ann@example.org,2024-03-01T10:00:00Z,{'q' * 6000}\n")


class _Files:
    """Each hostile file built once per test session, on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built: dict[str, Path] = {}

    def __call__(self, name: str) -> Path:
        if name not in self.built:
            builder = globals().get(name) or getattr(hostile, name)
            self.built[name] = builder(self.folder)
        return self.built[name]


@pytest.fixture(scope="session")
def hostile_file(tmp_path_factory) -> _Files:
    return _Files(tmp_path_factory.mktemp("hostile"))


def _cli_args(kind: str, path: Path) -> list[str]:
    extra = {"responses": ["--survey", "b2b_relationship"], "transactions": ["--create-accounts"]}.get(kind, [])
    return [kind, "import", str(path)] + extra


@pytest.fixture
def with_survey(app):
    from vocapp.services.surveys import load_definition_file

    load_definition_file(PROJECT_ROOT / "survey_definitions" / "b2b_relationship.yaml")


def _runs(db) -> list[ImportRun]:
    db.session.expire_all()
    return db.session.scalars(select(ImportRun).order_by(ImportRun.id)).all()


KINDS = ["contacts", "responses", "transactions"]


def _cases(kind: str) -> list[tuple[str, str]]:
    return [(name, message) for case_kind, name, message in CASES if case_kind == kind]


@pytest.mark.parametrize("kind", KINDS)
def test_cli_import_of_each_hostile_file_fails_located_recorded_and_writes_nothing(
        runner, db, with_survey, hostile_file, kind):
    for name, message in _cases(kind):
        path = hostile_file(name)
        before, runs = data_snapshot(db), len(_runs(db))
        result = runner.invoke(args=_cli_args(kind, path))
        assert result.exit_code == 1, (name, result.output)
        assert message in result.output, (name, result.output)
        assert data_snapshot(db) == before, name
        recorded = _runs(db)
        assert len(recorded) == runs + 1 and recorded[-1].status == "failed" and recorded[-1].kind == kind, name
        assert any(message in error for error in recorded[-1].errors), (name, recorded[-1].errors)


@pytest.mark.parametrize("kind", ["contacts", "transactions"])
def test_web_upload_of_each_hostile_file_shows_the_error_and_keeps_no_file(app, client_as, db, hostile_file, kind):
    from markupsafe import escape

    from helpers import csrf_token

    client = client_as("admin")
    uploads = Path(app.instance_path) / "uploads"
    for name, message in _cases(kind):
        before, runs = data_snapshot(db), len(_runs(db))
        path = hostile_file(name)
        with open(path, "rb") as handle:
            response = client.post(f"/imports/{kind}", data={"file": (handle, path.name), "create_accounts": "y",
                                                             "csrf_token": csrf_token(client, "/imports/")},
                                   content_type="multipart/form-data", follow_redirects=True)
        assert response.status_code == 200, name
        assert str(escape(message)) in response.get_data(as_text=True), name
        assert not uploads.exists() or list(uploads.iterdir()) == [], name
        assert data_snapshot(db) == before, name
        assert len(_runs(db)) == runs + 1 and _runs(db)[-1].status == "failed", name


@pytest.mark.parametrize("name", ["utf16_csv", "latin1_csv"])
def test_utf16_and_latin1_contacts_import_with_their_accents(runner, db, hostile_file, name):
    from vocapp.models import Contact

    result = runner.invoke(args=["contacts", "import", str(hostile_file(name))])
    assert result.exit_code == 0, result.output
    contact = db.session.scalars(select(Contact)).one()
    assert (contact.first_name, contact.last_name) in {("Zoë", "Ørsted"), ("René", "Müller")}


DEFINITION_CASES = {
    "nested_yaml": "nested.yaml:34: the document is nested more than 32 levels deep",
    "nested_flow_yaml": "nested_flow.yaml:2: the document is nested more than 32 levels deep",
    "nested_json": "nested.json:1: the document is nested more than 32 levels deep",
    "alias_bomb_yaml": "alias_bomb.yaml: the YAML expands to more than 100,000 values",
    "python_tag_yaml": "python_tag.yaml:2: YAML syntax error: could not determine a constructor for the tag "
                       "'tag:yaml.org,2002:python/object/apply:os.system'",
    "huge_item_text_yaml": "huge_item_text.yaml: the file is larger than 4,194,304 bytes, the most a definition may have",
    "long_item_text_yaml": "long_item_text.yaml:22: pages[0].items[0].text: is longer than 5000 characters",
    "utf16_yaml": "utf16.yaml:1: file is not UTF-8 text",
    "empty_yaml": "empty.yaml:1: the definition is empty",
}


def _survey_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Survey))


def test_hostile_definitions_are_refused_by_the_cli(runner, db, hostile_file):
    for name, message in DEFINITION_CASES.items():
        path = hostile_file(name)
        for command in (["surveys", "check", str(path)], ["surveys", "load", str(path)]):
            result = runner.invoke(args=command)
            assert result.exit_code == 1 and message in result.output, (command, result.output)
    assert _survey_count(db) == 0


def test_hostile_definitions_are_refused_by_the_designer_upload_and_audited(client_as, db, hostile_file):
    from markupsafe import escape

    from helpers import csrf_token

    client = client_as("designer")
    for name, message in DEFINITION_CASES.items():
        path = hostile_file(name)
        response = client.post("/surveys/upload", data={"file": (io.BytesIO(path.read_bytes()), path.name),
                                                        "csrf_token": csrf_token(client, "/surveys/")},
                               content_type="multipart/form-data")
        assert response.status_code == 400, name
        shown = message.rsplit(": ", 1)[-1]  # the page words the place in the designer's terms
        assert str(escape(shown)) in response.get_data(as_text=True), name
    assert _survey_count(db) == 0
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "survey.upload_refused")).all()
    assert [entry.details["filename"] for entry in entries] == [hostile_file(name).name for name in DEFINITION_CASES]


def test_hostile_canvas_definitions_are_refused(runner, db, hostile_file):
    from vocapp.models import PlacementRun

    for name in ["nested_yaml", "nested_json", "alias_bomb_yaml", "python_tag_yaml", "huge_item_text_yaml"]:
        result = runner.invoke(args=["canvas", "place", "--definition", str(hostile_file(name))])
        assert result.exit_code == 1, name
        assert f"Error: canvas definition has 1 problem(s): {hostile_file(name)}" in result.output, result.output
        assert DEFINITION_CASES[name].split(": ", 1)[-1] in result.output, result.output
    assert db.session.scalar(select(func.count()).select_from(PlacementRun)) == 0


WRAPPER = """
import resource, runpy, sys
sys.argv = ["vocapp"] + sys.argv[1:]
code = 0
try:
    runpy.run_module("vocapp", run_name="__main__")
except SystemExit as exit:
    code = exit.code if isinstance(exit.code, int) else 1
# VmHWM is this program's own peak; ru_maxrss on Linux also keeps the forking parent's size (pytest's)
try:
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write(f"\\nPEAK_RSS_KB {peak}\\n")
sys.exit(code)
"""


def peak_memory_mb(args: list[str], database_url: str, instance: Path) -> tuple[int, str, float]:
    """Run ``vocapp ARGS`` in a fresh interpreter: (exit code, its output, peak resident memory in MB)."""
    env = {**os.environ, "VOCAPP_DATABASE_URL": database_url, "VOCAPP_INSTANCE_PATH": str(instance),
           "VOCAPP_SECRET_KEY": "test-secret"}
    done = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, env=env,
                          cwd=instance, timeout=600)
    peak = int(done.stderr.rsplit("PEAK_RSS_KB ", 1)[1].split()[0]) / 1024
    return done.returncode, done.stdout + done.stderr, peak


@pytest.mark.slow
def test_big_hostile_files_stay_within_the_memory_bound(databases, hostile_file, tmp_path):
    url = databases.url("sqlite")
    tmp_path.joinpath("instance").mkdir()
    baseline = peak_memory_mb(["surveys", "list"], url, tmp_path / "instance")
    figures = {"(interpreter, libraries and app, no file)": baseline[2]}
    for name in BIG:
        kind = "transactions" if name.startswith("parquet") else "contacts"
        code, output, peak = peak_memory_mb(_cli_args(kind, hostile_file(name)), url, tmp_path / "instance")
        assert code == 1 and "nothing imported" in output, output
        figures[f"{name} ({hostile_file(name).stat().st_size / 2**20:,.1f} MiB file)"] = peak
    print("\npeak RSS per hostile file, MB:", *(f"  {name}: {peak:,.0f}" for name, peak in figures.items()), sep="\n")
    assert max(figures.values()) < MEMORY_BOUND_MB, figures


def test_canvas_zone_names_fit_the_column_they_are_stored_in():
    import copy

    from vocapp.core.canvas import load_canvas_definition
    from vocapp.core.canvas.definition import CanvasDefinitionError, build_canvas_definition

    raw = copy.deepcopy(load_canvas_definition().raw)
    raw["zones"][0]["name"] = "n" * 40
    build_canvas_definition(raw, "edited")
    raw["zones"][0]["name"] = "n" * 41
    with pytest.raises(CanvasDefinitionError, match="zones"):
        build_canvas_definition(raw, "edited")
