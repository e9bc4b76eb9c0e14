"""Demo step: score the imported synthetic responses and check the scores against the known truth."""
from __future__ import annotations

import numpy as np
import pandas as pd
from vocapp.services.contacts import external_ids
from vocapp.services.scoring import run_scoring
from vocapp.services.scoring_data import account_scores_frame


def truth_recovery(run_id: int, truth: pd.DataFrame, constructs: list[str]) -> dict[str, float]:
    """Correlation between each construct's account score and the generator's true latent value."""
    scores = account_scores_frame(run_id)
    scores["external_id"] = scores["account_id"].map(external_ids())
    wide = scores.pivot(index="external_id", columns="construct", values="score").reset_index()
    merged = wide.merge(truth.assign(external_id=truth["account_id"].astype(str)), on="external_id",
                        suffixes=("", "_true"))
    return {c: float(np.corrcoef(merged[c], merged[f"{c}_true"])[0, 1])
            for c in constructs if c in merged and f"{c}_true" in merged and len(merged) > 2}


def run(context) -> str:
    survey_id = context.shared.get("survey_id", "b2b_relationship")
    scoring_run = run_scoring(survey_id)
    context.shared["scoring_run_id"] = scoring_run.id
    d = scoring_run.diagnostics
    parts = [f"run {scoring_run.id}: {scoring_run.n_responses} responses, {scoring_run.n_flagged} flagged"]
    if scoring_run.method == "scale_means":
        parts.append("too few to fit a factor model, unit-weighted scale means")
    else:
        alphas = [r["alpha"] for r in d["reliability"].values() if r.get("alpha") is not None]
        parts.append(f"KMO {d['kmo']:.2f}, {d['suggested_factors']} factors suggested / "
                     f"{d['declared_constructs']} declared, alpha {min(alphas):.2f}-{max(alphas):.2f}")
    base = context.shared.get("base")
    if base is not None:
        recovery = truth_recovery(scoring_run.id, base.truth, d.get("constructs", []))
        if recovery:
            parts.append("account scores vs true latent r = " +
                         ", ".join(f"{c} {r:.2f}" for c, r in recovery.items()))
    return "; ".join(parts)
