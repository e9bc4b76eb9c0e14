"""One call from raw answers to flagged, scored responses (used by services, demo and benchmarks)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .errors import InsufficientDataError
from .frozen import FrozenModel
from .key import ItemKey
from .matrix import response_matrix, scale_mean_scores
from .model import ConstructScorer
from .quality import quality_flags


@dataclass
class ScoringOutcome:
    """Matrix, flags and scores of one scoring pass; ``scorer`` is None when a frozen model was applied
    or when the data only allowed unit-weighted scale means (then ``warning`` says why)."""

    matrix: pd.DataFrame
    flags: pd.DataFrame
    scores: pd.DataFrame
    model: dict | None
    scorer: ConstructScorer | None = None
    warnings: list[str] = field(default_factory=list)


def score_responses(
    answers: pd.DataFrame,
    key: ItemKey,
    durations: pd.Series | None = None,
    model: dict | None = None,
    scorer: ConstructScorer | None = None,
    allow_scale_means: bool = True,
) -> ScoringOutcome:
    """Flag responses, fit ``scorer`` on the unflagged ones (or apply the stored ``model``), score all.

    When there are too few responses to fit and ``allow_scale_means`` is true, every response gets
    unit-weighted 0-100 scale means (z scores NaN) and the outcome carries a warning instead.
    """
    matrix = response_matrix(answers, key)
    flags = quality_flags(answers, key, durations)
    if model is not None:
        scores = FrozenModel.from_dict(model).transform(matrix)
        return ScoringOutcome(matrix, flags, scores, model)
    scorer = scorer or ConstructScorer()
    try:
        scorer.fit(matrix[~flags["excluded"].to_numpy()], key)
    except InsufficientDataError as exc:
        if not allow_scale_means:
            raise
        scores = scale_mean_scores(matrix, key)
        for c in key.constructs:
            scores[f"{c}_z"] = float("nan")
        return ScoringOutcome(matrix, flags, scores, None, None, [str(exc)])
    return ScoringOutcome(matrix, flags, scorer.transform(matrix), scorer.model_, scorer)
