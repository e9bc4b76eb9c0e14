"""The peer `bench/score.py` compares `vocapp score` with: the script an analyst would write by hand.

    python bench/score_peer.py DATABASE_URL SURVEY_ID

One SQL read of the survey's complete answers (``read_sql``, each answers document parsed by ``json``),
factor_analyzer (minres, oblimin, 3 factors) fitted and applied on the complete rows, one bulk write
(``to_sql``; the JSON made by pandas) of a score row per response into ``contact_scores`` under a new
``scoring_runs`` row. No quality flags, diagnostics,
parallel analysis, CFA, reliability, frozen model, 0-100 scores or account scores: that is what
`vocapp score` adds on top.
"""
import json
import sys
import warnings

import pandas as pd
from factor_analyzer import FactorAnalyzer
from sqlalchemy import JSON, create_engine, text

url, survey = sys.argv[1], sys.argv[2]
engine = create_engine(url, json_serializer=str)  # the JSON text is made by pandas (below)
with engine.begin() as conn:
    survey_pk = conn.execute(text("SELECT id FROM surveys WHERE slug = :s"), {"s": survey}).scalar_one()
    rows = pd.read_sql(text(
        "SELECT r.id, CAST(r.answers AS TEXT) AS answers FROM responses r "
        "JOIN survey_versions v ON v.id = r.survey_version_id "
        "WHERE v.survey_id = :s AND r.status = 'complete' ORDER BY r.id"), conn, params={"s": survey_pk})
    answers = pd.DataFrame([json.loads(a) for a in rows["answers"]], index=rows["id"]).astype(float)
    # (the bench survey's only answers are its items)
    complete = answers.dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fa = FactorAnalyzer(n_factors=3, rotation="oblimin", method="minres").fit(complete)
        factors = pd.DataFrame(fa.transform(complete), index=complete.index,
                               columns=["trust", "appetite", "innovation"]).reindex(answers.index)
    run_id = conn.execute(text(
        "INSERT INTO scoring_runs (survey_id, created_at, method, parameters, model, diagnostics, refit, "
        "n_responses, n_flagged, status) VALUES (:s, CURRENT_TIMESTAMP, 'peer', '{}', '{}', '{}', true, :n, 0, "
        "'ok') RETURNING id"), {"s": survey_pk, "n": len(answers)}).scalar_one()
    as_json = factors.to_json(orient="records", lines=True).splitlines()  # NaN: null
    out = pd.DataFrame({"run_id": run_id, "response_id": factors.index, "scores": as_json,
                        "factor_scores": as_json, "excluded": False})
    out.to_sql("contact_scores", conn, if_exists="append", index=False,
               dtype={"scores": JSON, "factor_scores": JSON})
print(f"peer: {len(complete)} of {len(answers)} responses scored, run {run_id}")
