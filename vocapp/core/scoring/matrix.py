"""Response matrix (reverse-keyed, missing kept missing) and scale-anchored 0-100 scores."""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from .errors import KeyMismatchError
from .key import ItemKey


def _bounds(key: ItemKey) -> tuple[np.ndarray, np.ndarray]:
    lo = np.array([key.scale_min[i] for i in key.items], dtype=float)
    hi = np.array([key.scale_max[i] for i in key.items], dtype=float)
    return lo, hi


def raw_item_matrix(answers: pd.DataFrame, key: ItemKey) -> pd.DataFrame:
    """The key's items from ``answers`` as floats (NaN = missing), values outside the scale set missing."""
    missing = [i for i in key.items if i not in answers.columns]
    if missing:
        raise KeyMismatchError(f"the responses have no column for item(s): {', '.join(missing)}")
    raw = answers.loc[:, list(key.items)]
    if not all(dtype.kind == "f" for dtype in raw.dtypes):  # already floats (the service's read): no parsing
        raw = raw.apply(pd.to_numeric, errors="coerce")
    lo, hi = _bounds(key)
    values = raw.to_numpy(dtype=float, copy=True)
    values[(values < lo) | (values > hi)] = np.nan
    return pd.DataFrame(values, index=answers.index, columns=list(key.items))


def response_matrix(answers: pd.DataFrame, key: ItemKey) -> pd.DataFrame:
    """Item matrix with reverse-keyed items recoded as ``min + max - x``; missing answers stay NaN.

    ``answers`` is indexed by response id with one column per item id (extra columns are ignored).
    Values outside an item's scale (e.g. a not-applicable code) are treated as missing.
    """
    raw = raw_item_matrix(answers, key)
    lo, hi = _bounds(key)
    rev = np.array([key.reverse[i] for i in key.items], dtype=bool)
    values = raw.to_numpy(copy=True)
    values[:, rev] = (lo + hi)[rev] - values[:, rev]
    return pd.DataFrame(values, index=raw.index, columns=raw.columns)


def weighted_scale_scores(
    matrix: pd.DataFrame, key: ItemKey, weights: Mapping[str, Mapping[str, float]]
) -> pd.DataFrame:
    """0-100 scores anchored to the response scale, one column per construct in ``weights``.

    Each item is rescaled to 0-100 by ``(x - min) / (max - min)``; a construct's score is the weighted
    mean over the items the person answered (weights re-normalised over answered items), so answering
    the bottom of the scale on every item gives 0, the top gives 100 and the midpoint 50.
    No answered item gives NaN.
    """
    lo, hi = _bounds(key)
    unit = (matrix.loc[:, list(key.items)].to_numpy(dtype=float) - lo) / (hi - lo) * 100.0
    answered = ~np.isnan(unit)
    filled = np.where(answered, unit, 0.0)
    out = {}
    for construct, item_weights in weights.items():
        w = np.array([float(item_weights.get(i, 0.0)) for i in key.items])
        denom = answered @ w
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (filled @ w) / np.where(denom > 0, denom, 1.0)
        out[construct] = np.where(denom > 0, np.clip(mean, 0.0, 100.0), np.nan)  # clip rounding noise
    return pd.DataFrame(out, index=matrix.index)


def unit_weights(key: ItemKey) -> dict[str, dict[str, float]]:
    """Equal weight for every item of each construct."""
    return {c: {i: 1.0 for i in key.items_of(c)} for c in key.constructs}


def scale_mean_scores(matrix: pd.DataFrame, key: ItemKey) -> pd.DataFrame:
    """Unit-weighted scale means on 0-100: the fallback when the data are too few for a factor model."""
    return weighted_scale_scores(matrix, key, unit_weights(key))
