"""`vocapp surveys check` takes files and directories; problems go to standard error (each line says
`error:` or `warning:`), the summary of a file without errors to standard output."""
from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from vocapp import PROJECT_ROOT
from vocapp.cli import cli

DEFINITIONS = PROJECT_ROOT / "survey_definitions"
BROKEN = PROJECT_ROOT / "tests" / "data" / "definitions_broken"


def check(*paths: Path):
    return CliRunner().invoke(cli, ["surveys", "check", *map(str, paths)])


def test_a_directory_of_definitions_is_checked_file_by_file(tmp_path):
    for name in ("b2b_relationship.yaml", "b2b_pulse.yaml", "schema.json"):
        shutil.copy(DEFINITIONS / name, tmp_path / name)
    shutil.copy(BROKEN / "construct_too_few_items.yaml", tmp_path / "warned.yaml")
    (tmp_path / "notes.txt").write_text("not a definition")
    result = check(tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{tmp_path / 'b2b_pulse.yaml'}: 0 error(s), 3 warning(s)",
                                          f"{tmp_path / 'b2b_relationship.yaml'}: no problems",
                                          f"{tmp_path / 'warned.yaml'}: 0 error(s), 1 warning(s)"]
    warnings = result.stderr.splitlines()
    assert [line.split(":")[:2] for line in warnings] == [["warning", f" {tmp_path / 'b2b_pulse.yaml'}"]] * 3 + [
        ["warning", f" {tmp_path / 'warned.yaml'}"]]


def test_errors_go_to_standard_error_and_fail_the_check(tmp_path):
    shutil.copy(DEFINITIONS / "b2b_relationship.yaml", tmp_path / "good.yaml")
    shutil.copy(BROKEN / "show_if_later_item.yaml", tmp_path / "broken.yaml")
    result = check(tmp_path, DEFINITIONS / "b2b_relationship.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{tmp_path / 'good.yaml'}: no problems",
                                          f"{DEFINITIONS / 'b2b_relationship.yaml'}: no problems"]
    stderr = result.stderr.splitlines()
    assert stderr[0].startswith(f"error: {tmp_path / 'broken.yaml'}:10: pages[0].items[0].show_if.item:")
    assert stderr[-1].startswith(f"{tmp_path / 'broken.yaml'}: 1 error(s)")


def test_an_empty_directory_is_an_error(tmp_path):
    result = check(tmp_path)
    assert result.exit_code == 1
    assert f"{tmp_path}: no definition files" in result.stderr


def test_check_needs_no_database(tmp_path, monkeypatch):
    monkeypatch.setenv("VOCAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("VOCAPP_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    assert check(DEFINITIONS / "b2b_relationship.yaml").exit_code == 0
    assert not (tmp_path / "none.db").exists()
