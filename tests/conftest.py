"""Shared fixtures: ``app``, ``client``, ``runner``, ``db`` on SQLite and (when configured) PostgreSQL.

Every test that uses ``app`` runs once per backend: always SQLite, and PostgreSQL too when
``VOCAPP_TEST_POSTGRES_URL`` is set (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``). The
suite then makes its own throw-away database on that server, so parallel runs do not collide, and
fails at once, rather than skipping, when the server cannot be reached.
"""
from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from helpers import login as login_client
from vocapp import create_app
from vocapp.extensions import db as _db

POSTGRES_URL_ENV = "VOCAPP_TEST_POSTGRES_URL"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_URL_ENV) else [])
STAFF_PASSWORD = "correct horse battery staple"
CHROMIUM = os.environ.get("VOCAPP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_report_header(config: pytest.Config) -> str:
    return "vocapp database backends: " + ", ".join(BACKENDS)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail loudly when PostgreSQL was asked for but cannot be reached."""
    url = os.environ.get(POSTGRES_URL_ENV)
    if not url:
        return
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure here must stop the run
        pytest.exit(f"{POSTGRES_URL_ENV}={url} but PostgreSQL cannot be reached: {exc}", returncode=3)


class _Databases:
    """Creates each backend's test database on first use, with the schema built from the models."""

    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir
        self.urls: dict[str, str] = {}
        self.created: list[str] = []

    def url(self, backend: str) -> str:
        if backend not in self.urls:
            self.urls[backend] = self.new_database(backend)
            engine = create_engine(self.urls[backend])
            _db.metadata.create_all(engine)
            engine.dispose()
        return self.urls[backend]

    def new_database(self, backend: str) -> str:
        """A fresh, empty database for ``backend``; the caller owns it."""
        if backend == "sqlite":
            return f"sqlite:///{self.tmp_dir / f'vocapp-{uuid.uuid4().hex[:8]}.db'}"
        server = make_url(os.environ[POSTGRES_URL_ENV])
        name = f"vocapp_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.created.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.created:
            return
        admin = create_engine(make_url(os.environ[POSTGRES_URL_ENV]), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Databases]:
    """The per-backend test databases of this session (created lazily, dropped at the end)."""
    registry = _Databases(tmp_path_factory.mktemp("databases"))
    yield registry
    registry.drop_all()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend this test runs on: 'sqlite' or 'postgresql'."""
    return request.param


@pytest.fixture
def app(backend: str, databases: _Databases, tmp_path: Path) -> Iterator[Flask]:
    """The app on an empty schema of ``backend``; every table is emptied again afterwards."""
    application = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": databases.url(backend), "SECRET_KEY": "test-secret",
         "BASE_URL": "http://127.0.0.1"},
        instance_path=str(tmp_path / "instance"),
    )
    isolate_requests(application)
    with application.app_context():
        yield application
        from vocapp.jobs import wait_for_threads

        # a job a request started (e.g. the route walk's POSTs) must end before the tables are emptied:
        # on PostgreSQL its open transaction and TRUNCATE would otherwise wait for each other for ever
        wait_for_threads(timeout=120)
        _db.session.remove()
        _empty_all_tables()
        _db.engine.dispose()


def isolate_requests(application: Flask) -> None:
    """Requests made while a test holds the app context share its ``g``, where Flask-Login caches the user
    it loaded and Flask-WTF the CSRF token: empty ``g`` before each request, so every request loads its own
    user and token from its own cookies (as in production, where each request has its own app context)."""
    from flask import g

    @application.before_request
    def fresh_request_globals() -> None:
        g.__dict__.clear()


def _empty_all_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def db(app: Flask):
    """The Flask-SQLAlchemy handle, bound to the test app's empty schema."""
    return _db


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make_staff(db) -> Callable[..., object]:
    """Factory: ``make_staff(role, email=None)`` creates a staff user whose password is STAFF_PASSWORD."""
    from vocapp.services.staff import create_staff

    def _make(role: str = "admin", email: str | None = None):
        return create_staff(email or f"{role}-{uuid.uuid4().hex[:6]}@example.org", role, STAFF_PASSWORD)

    return _make


@pytest.fixture
def client_as(client, make_staff) -> Callable[[str], object]:
    """Factory: ``client_as(role)`` logs a new staff user of that role in and returns the client."""

    def _as(role: str):
        user = make_staff(role)
        login_client(client, user.email, STAFF_PASSWORD)
        return client

    return _as


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served on a free loopback port, for browser tests; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("VOCAPP_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


#: a content-security-policy violation as Chromium reports it on the console
CSP_CONSOLE_WORDS = "Content Security Policy"


@pytest.fixture
def page(browser):
    """A fresh browser tab; screenshots go to test-artifacts/. Every browser test also checks the strict
    Content-Security-Policy: a violation reported on the console (``tab.csp_violations``) fails it."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.csp_violations = []
    tab.on("console", lambda message: tab.csp_violations.append(f"{tab.url}: {message.text}")
           if message.type == "error" and CSP_CONSOLE_WORDS in message.text else None)
    yield tab
    violations = list(tab.csp_violations)
    context.close()
    assert violations == [], "Content-Security-Policy violations"


@pytest.fixture
def artifacts_dir() -> Path:
    """Where tests save screenshots and other artefacts a person may want to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say how many tests passed on each database backend, so CI output shows both ran."""
    passed = terminalreporter.stats.get("passed", [])
    counts = {name: sum(1 for report in passed if f"[{name}" in report.nodeid or f"-{name}]" in report.nodeid
                        or f"-{name}-" in report.nodeid) for name in BACKENDS}
    pure = len(passed) - sum(counts.values())
    parts = ", ".join(f"{counts[name]} on {name}" for name in BACKENDS)
    terminalreporter.write_line(f"vocapp: passed {parts}, {pure} without a database")
