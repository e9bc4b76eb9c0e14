"""Demo step: import the synthetic base's survey responses as a historical responses file."""
from __future__ import annotations

from vocapp.demo.base import require_ok
from vocapp.services.imports import import_responses


def run(context) -> str:
    base = context.shared["base"]
    responses_file = context.workdir / "responses.csv"
    base.responses.to_csv(responses_file, index=False)
    report = require_ok(import_responses(responses_file, context.shared["survey_id"]))
    return f"imported {report.created} responses to {context.shared['survey_id']} from {responses_file.name}"
