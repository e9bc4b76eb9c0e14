"""`vocapp demo` builds a working demo database from nothing and prints a login that works."""
import re
from email import message_from_bytes, policy
from pathlib import Path

from vocapp import create_app
from helpers import login


def test_demo_builds_a_database_and_prints_a_working_login(tmp_path):
    database = tmp_path / "demo.db"
    runner = create_app({"TESTING": True}, instance_path=str(tmp_path / "instance")).test_cli_runner()
    result = runner.invoke(args=["demo", "--no-serve", "--accounts", "40", "--database", str(database)])
    assert result.exit_code == 0, result.output
    match = re.search(r"Log in at http://127.0.0.1:5000/ as (\S+) with password (\S+)", result.output)
    assert match, result.output
    assert database.exists()
    demo_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"},
                          instance_path=str(tmp_path / "instance"))
    client = demo_app.test_client()
    with demo_app.app_context():
        page = login(client, match.group(1), match.group(2)).get_data(as_text=True)
    assert f"Welcome, {match.group(1)}" in page
    outbox = re.search(r"Demo e-mails \(.*\): (\S+)", result.output).group(1)
    files = sorted(Path(outbox).glob("*.eml"))
    assert files, result.output
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    token = re.search(r"http://127.0.0.1:5000/s/(\S+)", message.get_body(("plain",)).get_content()).group(1)
    with demo_app.app_context():
        from vocapp.services.campaigns import find_invitation
        assert find_invitation(token) is not None
