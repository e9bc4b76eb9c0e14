"""Demo step: load the default questionnaire (and its pulse version) through the survey service."""
from __future__ import annotations

from vocapp.core.resources import resource_dir
from vocapp.services.surveys import load_definition_file

DEFINITIONS = resource_dir("survey_definitions")


def run(context) -> str:
    version, _ = load_definition_file(DEFINITIONS / "b2b_relationship.yaml", source="demo")
    pulse, _ = load_definition_file(DEFINITIONS / "b2b_pulse.yaml", source="demo")
    context.shared["survey_id"] = version.survey.slug
    context.shared["survey_version_id"] = version.id
    context.shared["definition"] = version.definition
    return (f"loaded {version.survey.slug} version {version.number} and {pulse.survey.slug} "
            f"version {pulse.number}")
