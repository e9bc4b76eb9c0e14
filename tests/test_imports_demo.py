"""`vocapp demo` loads its synthetic base through the import machinery (recorded import runs)."""
from __future__ import annotations

from sqlalchemy import create_engine, text

from vocapp import create_app


def test_demo_imports_accounts_contacts_transactions_and_responses(tmp_path):
    database = tmp_path / "demo.db"
    runner = create_app({"TESTING": True}, instance_path=str(tmp_path / "instance")).test_cli_runner()
    result = runner.invoke(args=["demo", "--no-serve", "--accounts", "20", "--database", str(database)])
    assert result.exit_code == 0, result.output
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        runs = connection.execute(text("SELECT kind, status, counts FROM import_runs ORDER BY id")).all()
        tables = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("accounts", "contacts", "transactions", "responses")}
        sources = {row[0] for row in connection.execute(text("SELECT DISTINCT source FROM responses"))}
    engine.dispose()
    assert [(kind, status) for kind, status, _ in runs] == [
        ("contacts", "succeeded"), ("transactions", "succeeded"), ("responses", "succeeded")]
    assert tables["accounts"] == 20
    contacts_files = (tmp_path / "instance" / "demo-files" / "contacts.csv").read_text().splitlines()
    assert tables["contacts"] == len(contacts_files) - 1
    assert tables["transactions"] > 0 and tables["responses"] > 0
    assert sources == {"import"}
    assert f"imported 20 accounts, {tables['contacts']} contacts and {tables['transactions']} transactions" \
        in result.output
