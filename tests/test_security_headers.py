"""The strict Content-Security-Policy is on every response (pages, error pages, SVG, static files), and
nothing vocapp draws or renders needs inline style or script."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from vocapp import PROJECT_ROOT
from vocapp.web.hygiene import CONTENT_SECURITY_POLICY

STRICT = {"default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
          "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"}


def test_the_policy_is_strict():
    assert set(part.strip() for part in CONTENT_SECURITY_POLICY.split(";")) == STRICT
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY


def test_every_kind_of_response_carries_the_policy(app, client_as):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/test-crash", "test_crash", lambda: 1 / 0)
    client = client_as("admin")
    responses = {url: client.get(url) for url in
                 ["/", "/auth/login", "/no-such-page", "/test-crash", "/static/css/vocapp.css", "/staff"]}
    responses["405"] = client.get("/auth/logout")
    responses["400 (no CSRF)"] = client.post("/staff/invite")
    assert {url: response.status_code for url, response in responses.items()} == {
        "/": 200, "/auth/login": 302, "/no-such-page": 404, "/test-crash": 500, "/static/css/vocapp.css": 200,
        "/staff": 200, "405": 405, "400 (no CSRF)": 400}
    for url, response in responses.items():
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
    assert "Something went wrong" in responses["/test-crash"].get_data(as_text=True)
    assert responses["/static/css/vocapp.css"].headers.get("Cache-Control") != "no-store"


INLINE = re.compile(r"<style|\sstyle\s*=|<script(?![^>]*\ssrc=)|\son[a-z]+\s*=|javascript:", re.I)


def test_no_template_holds_inline_style_script_or_event_handlers():
    offenders = [f"{path.relative_to(PROJECT_ROOT)}: {match.group(0)}"
                 for path in (PROJECT_ROOT / "templates").rglob("*.html")
                 for match in INLINE.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []


def test_server_drawn_svg_has_no_inline_style():
    from vocapp.web import scoring_charts

    charts = [scoring_charts.scree_svg([3.1, 1.9, 0.7, 0.4], [1.3, 1.1, 1.0, 0.9], 2),
              scoring_charts.loadings_svg(pd.DataFrame(np.eye(3), index=["a", "b", "c"], columns=["x", "y", "z"]), {"a"})]
    # (the distributions chart is checked on a real run by tests/test_security_csp_browser.py)
    for svg in charts:
        assert not INLINE.search(svg), INLINE.search(svg).group(0)
        assert 'fill="#ffffff"' in svg  # the styles became presentation attributes, not lost


def test_canvas_picture_has_no_inline_style(app, client_as, tmp_path):
    from canvas_setup import load_generated_base
    from vocapp.services.canvas import place

    load_generated_base(tmp_path, n_accounts=30, seed=2)
    place()
    client = client_as("analyst")
    for url in ["/canvas/", "/canvas/picture.svg", "/canvas/canvas.svg"]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert not INLINE.search(body), (url, INLINE.search(body).group(0))
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("url", ["/static/js/survey.js", "/static/css/canvas.css"])
def test_scripts_and_styles_are_local_files(client, url):
    assert client.get(url).status_code == 200
