"""Scoring core: response matrix, quality flags, diagnostics, factor model, reliability, accounts.

Pure analysis code (pandas/numpy/scipy/factor_analyzer); no Flask or SQLAlchemy here.
"""
from .accounts import DEFAULT_ROLE_WEIGHTS, aggregate_accounts
from .errors import (ConstantItemError, InsufficientDataError, KeyMismatchError, ScoringDataError,
                     SingularMatrixError)
from .frozen import FrozenModel
from .key import ItemKey, build_item_key, common_item_key
from .matrix import raw_item_matrix, response_matrix, scale_mean_scores, weighted_scale_scores
from .model import ConstructScorer
from .pipeline import ScoringOutcome, score_responses
from .quality import quality_flags

__all__ = [
    "DEFAULT_ROLE_WEIGHTS", "aggregate_accounts", "ConstantItemError", "InsufficientDataError",
    "KeyMismatchError", "ScoringDataError", "SingularMatrixError", "FrozenModel", "ItemKey",
    "build_item_key", "common_item_key", "raw_item_matrix", "response_matrix", "scale_mean_scores",
    "weighted_scale_scores", "ConstructScorer", "ScoringOutcome", "score_responses", "quality_flags",
]
