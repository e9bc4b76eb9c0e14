"""The benchmark survey's first rows, for the scripts that store one (``from _surveys import ...``)."""
from __future__ import annotations


def store_survey(slug: str, definition: dict, n_accounts: int, external_id: str = "A{:d}"):
    """In an app context: drop and recreate vocapp's tables, then store survey ``slug`` with version 1
    of ``definition`` and accounts 1..``n_accounts`` (CRM id ``external_id.format(id)``, name
    "Account <id>"). Flushed, not committed; returns the survey version."""
    from sqlalchemy import insert

    from vocapp.core.surveys import content_hash
    from vocapp.extensions import db
    from vocapp.models import Account, Survey, SurveyVersion

    db.drop_all()
    db.create_all()
    survey = Survey(slug=slug, title="Benchmark")
    db.session.add(survey)
    db.session.flush()
    version = SurveyVersion(survey_id=survey.id, number=1, definition=definition, content_hash=content_hash(definition))
    db.session.add(version)
    db.session.flush()
    db.session.execute(insert(Account), [{"id": a, "external_id": external_id.format(a), "name": f"Account {a}"}
                                         for a in range(1, n_accounts + 1)])
    return version
