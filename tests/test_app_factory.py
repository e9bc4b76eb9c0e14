"""The app factory and its configuration."""
import pytest

from vocapp import create_app
from vocapp.config import Config


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("VOCAPP_DATABASE_URL", raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'vocapp.db'}"
    assert (tmp_path / "secret_key").exists()
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()


def test_on_the_demo_database_mail_goes_to_the_demo_outbox_unless_a_server_is_set(tmp_path, monkeypatch):
    for name in ("VOCAPP_DATABASE_URL", "VOCAPP_MAIL_OUTBOX", "VOCAPP_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "demo.db").touch()  # only the demo exists: it is the default database
    assert create_app(instance_path=str(tmp_path)).config["MAIL_OUTBOX"] == str(tmp_path / "demo-outbox")
    assert create_app({"SMTP_HOST": "mail.example.org"}, instance_path=str(tmp_path)).config.get("MAIL_OUTBOX") is None
    monkeypatch.setenv("VOCAPP_SMTP_HOST", "mail.example.org")
    assert create_app(instance_path=str(tmp_path)).config.get("MAIL_OUTBOX") is None
    monkeypatch.delenv("VOCAPP_SMTP_HOST")
    (tmp_path / "vocapp.db").touch()  # one's own database: real mail settings apply
    assert create_app(instance_path=str(tmp_path)).config.get("MAIL_OUTBOX") is None


def test_settings_come_from_prefixed_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("VOCAPP_DATABASE_URL", "sqlite:///" + str(tmp_path / "x.db"))
    monkeypatch.setenv("VOCAPP_SMTP_PORT", "2525")
    monkeypatch.setenv("VOCAPP_SMTP_STARTTLS", "yes")
    monkeypatch.setenv("VOCAPP_SECRET_KEY", "from-env")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.db")
    assert app.config["SMTP_PORT"] == 2525 and app.config["SMTP_STARTTLS"] is True
    assert app.config["SECRET_KEY"] == "from-env"


def test_explicit_config_overrides_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("VOCAPP_SMTP_HOST", "mail.example.org")
    app = create_app({"SMTP_HOST": "127.0.0.1"}, instance_path=str(tmp_path))
    assert app.config["SMTP_HOST"] == "127.0.0.1"


def test_bad_number_in_environment_names_the_variable():
    with pytest.raises(ValueError, match="VOCAPP_SMTP_PORT must be a whole number"):
        Config.from_env({"VOCAPP_SMTP_PORT": "twenty-five"})


def test_wsgi_module_exposes_app(tmp_path, monkeypatch):
    monkeypatch.setenv("VOCAPP_INSTANCE_PATH", str(tmp_path))
    import importlib

    import wsgi

    importlib.reload(wsgi)
    assert wsgi.app.name == "vocapp"


def test_pages_use_local_assets_only(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert "/static/css/vocapp.css" in page
    assert "http://" not in page.replace('xmlns="http://', "") and "https://" not in page
    assert 'href="#main"' in page and '<main id="main"' in page
