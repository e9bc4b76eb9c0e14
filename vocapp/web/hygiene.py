"""Request hygiene for every page: bounded whole numbers from URLs, no NUL characters, security headers
(a strict Content-Security-Policy on every response, ``Cache-Control: no-store`` on pages).

Whole numbers from URLs are bounded to what a database integer column holds.

A number beyond that (``/contacts/accounts/99999999999999999999``, ``?page=1e30`` spelt out) would
overflow the database driver and end in a server error; it can never name a row, so it is a 404.
"""
from __future__ import annotations

from flask import abort, request
from werkzeug.routing import IntegerConverter

#: the largest value of a (32-bit) INTEGER column on every supported database
MAX_DB_INT = 2**31 - 1


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` that matches only 0..MAX_DB_INT (anything larger is a 404)."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's parameter name
        kwargs.setdefault("max", MAX_DB_INT)
        super().__init__(map, *args, **kwargs)


def int_arg(name: str, default: int | None = None) -> int | None:
    """Query argument ``name`` as an int: absent or not a number gives ``default``; out of range aborts 404."""
    value = request.args.get(name, type=int)
    if value is None:
        return default
    if abs(value) > MAX_DB_INT:
        abort(404)
    return value


def reject_nul_characters() -> None:
    """400 for a NUL character in the path, query or form fields: PostgreSQL text cannot store one."""
    fields = [request.path]
    for source in (request.args, request.form):
        for key, values in source.lists():
            fields.append(key)
            fields.extend(values)
    if any("\x00" in field for field in fields):
        abort(400, description="The request contains a NUL character.")


#: scripts, styles, images, forms and frames from this site only; no inline script or style anywhere
#: (pages, error pages and SVG alike), no plugins, no <base>, no framing by any site
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
#: sent with every response: no framing by other sites (clickjacking of staff forms), no MIME sniffing
SECURITY_HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Frame-Options": "DENY",
                    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


#: sent with every page opened by a token in its URL (survey, unsubscribe and set-password links): the
#: token never leaks to another site in a Referer, no cache keeps a copy, no search engine lists it
TOKEN_PAGE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
                      "X-Robots-Tag": "noindex, nofollow"}


def token_page_headers(response):
    """after_request hook for token pages: TOKEN_PAGE_HEADERS on every answer, refusals included."""
    response.headers.update(TOKEN_PAGE_HEADERS)
    return response


def add_security_headers(response):
    """after_request hook: SECURITY_HEADERS on everything; pages (and anything else that did not choose a
    cache policy, except static files) are never stored by browsers or proxies: they show member data."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html" or (request.endpoint != "static" and "Cache-Control" not in response.headers):
        response.headers["Cache-Control"] = "no-store"
    return response
