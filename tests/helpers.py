"""Small helpers for tests that talk HTTP to the app (imported by conftest and tests)."""
from __future__ import annotations

import re

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """GET ``url`` and return the CSRF token of the first form on it."""
    response = client.get(url)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {response.status_code})"
    return match.group(1)


def login(client, email: str, password: str):
    """Log ``email`` in through the real login form; returns the final response."""
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200, response.status_code
    return response


def browser_login(page, base_url: str, email: str, password: str) -> None:
    """Log in through the login page in a Playwright ``page``."""
    page.goto(f"{base_url}/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def get_recording_sql(db, client, url: str):
    """GET ``url`` and return (response, every SQL statement the app sent to the database meanwhile)."""
    from sqlalchemy import event

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return response, statements
