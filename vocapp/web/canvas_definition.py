"""The canvas definition page: map transaction categories and set the cuts, saved as a new version.

Registered on the canvas blueprint (analyst role) at /canvas/definition. Validation is the same as
for a definition file; problems are shown on the page and nothing is saved.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from vocapp.core.canvas.editing import CATEGORY_KINDS, CUTS, cut_values, with_categories, with_cuts
from vocapp.web.security import role_required

#: blank category rows offered on the page for categories that have no transactions yet
EXTRA_ROWS = 3


@role_required("analyst")
def definition():
    """Show the definition in force; a POST saves the edited mapping and cuts as a new version."""
    from vocapp.services import canvas_definitions as definitions

    current = definitions.current_definition()
    problems: list = []
    if request.method == "POST":
        raw, errors = _edited(current.raw)
        problems.extend(errors)
        if not errors:
            try:
                version, created = definitions.save_version(raw, current_user, request.form.get("note", ""))
            except definitions.CanvasDefinitionInvalid as error:
                problems.extend(f"{p.path}: {p.message}" if p.path else p.message for p in error.problems)
            else:
                flash(f"Saved canvas definition version {version.number}: the next placement uses it."
                      if created else f"No change: the definition is version {version.number} already.", "success")
                return redirect(url_for("canvas.definition"))
    return render_template("canvas/definition.html", categories=definitions.category_rows(current),
                           kinds=CATEGORY_KINDS,
                           cuts=[(name, label, value) for (name, (label, _)), value
                                 in zip(CUTS.items(), cut_values(current.raw).values())],
                           extra_rows=EXTRA_ROWS, versions=definitions.list_versions(), source=current.source,
                           problems=problems), (400 if problems else 200)


def _edited(raw: dict) -> tuple[dict, list[str]]:
    """The definition as the form edits it, and messages for fields that could not be read."""
    errors: list[str] = []
    mapping: dict[str, str] = {}
    for name, kind in zip(request.form.getlist("category"), request.form.getlist("kind")):
        name = name.strip()
        if not name or kind == "unmapped":
            continue
        if kind not in CATEGORY_KINDS:
            errors.append(f"category {name!r}: choose membership fee, commercial service or ignore")
            continue
        mapping[name.lower()] = kind
    values: dict[str, float] = {}
    for name, (label, _) in CUTS.items():
        text = (request.form.get(name) or "").strip()
        try:
            values[name] = float(text)
        except ValueError:
            errors.append(f"{label}: '{text}' is not a number")
    return with_cuts(with_categories(raw, mapping), values), errors
