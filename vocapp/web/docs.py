"""The method documentation (docs/*.md), served to staff as pages so a link from a run or an import
page works on any install, not only in a repository checkout."""
from __future__ import annotations

import functools
import re

from flask import Blueprint, abort, render_template, url_for
from markupsafe import Markup

from vocapp.core.resources import resource_dir
from vocapp.web.security import role_required

bp = Blueprint("docs", __name__)
NAME = re.compile(r"^[a-z][a-z0-9-]*$")


def _names() -> list[str]:
    return sorted(path.stem for path in resource_dir("docs").glob("*.md") if NAME.match(path.stem))


@functools.lru_cache(maxsize=32)
def _rendered(name: str, mtime: float) -> tuple[str, str]:
    """(title, HTML) of docs/<name>.md; raw HTML in the source is not passed through."""
    from markdown_it import MarkdownIt

    text = (resource_dir("docs") / f"{name}.md").read_text(encoding="utf-8")
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(text)
    for token in tokens:
        for child in token.children or []:
            href = child.attrGet("href") if child.type == "link_open" else None
            match = re.fullmatch(r"(?:\.?/?docs/)?([a-z][a-z0-9-]*)\.md(#.*)?", str(href or ""))
            if match and match.group(1) in _names():
                child.attrSet("href", url_for("docs.page", name=match.group(1)) + (match.group(2) or ""))
    title = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("# ")), name)
    return title, parser.renderer.render(tokens, parser.options, {})


@bp.route("/")
@role_required("designer", "analyst")
def index():
    """Every documentation page, by title."""
    pages = [(name, _rendered(name, (resource_dir("docs") / f"{name}.md").stat().st_mtime)[0]) for name in _names()]
    return render_template("docs/index.html", pages=pages)


@bp.route("/<name>")
@role_required("designer", "analyst")
def page(name: str):
    """One documentation page (``name`` without .md, e.g. ``scoring``)."""
    if name not in _names():
        abort(404)
    title, html = _rendered(name, (resource_dir("docs") / f"{name}.md").stat().st_mtime)
    return render_template("docs/page.html", title=title, body=Markup(html), name=name)
