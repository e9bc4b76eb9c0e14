"""Response-quality flags: straight-lining, speeding and too many missing answers."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .key import ItemKey
from .matrix import raw_item_matrix

MAX_MISSING_SHARE = 0.30
SPEEDING_SHARE_OF_MEDIAN = 1 / 3
MIN_ANSWERED_FOR_STRAIGHTLINING = 5
MIN_TIMINGS_FOR_SPEEDING = 10
FLAG_COLUMNS = ("straightlining", "speeding", "too_many_missing")


def quality_flags(
    raw_matrix: pd.DataFrame, key: ItemKey, durations: pd.Series | None = None
) -> pd.DataFrame:
    """Flag low-quality responses; flagged responses are left out of fitting but still scored.

    - ``straightlining``: the same raw answer on every Likert item answered, with at least
      ``min(5, number of items)`` answered (reverse-keyed items make this inconsistent answering).
    - ``speeding``: total duration (seconds, ``durations`` indexed by response id) below a third of the
      median duration; only when at least 10 responses have a timing. Responses without a timing are
      not flagged.
    - ``too_many_missing``: more than 30% of the Likert items unanswered.

    Returns a frame indexed like ``raw_matrix`` with the three bool columns, ``flags`` (comma-separated
    names, "" when clean) and ``excluded`` (any flag).
    """
    raw = raw_item_matrix(raw_matrix, key).to_numpy()
    n_items = raw.shape[1]
    answered = ~np.isnan(raw)
    n_answered = answered.sum(axis=1)
    with np.errstate(invalid="ignore"):
        spread = np.nanmax(np.where(answered, raw, -np.inf), axis=1) - np.nanmin(
            np.where(answered, raw, np.inf), axis=1
        )
    straight = (n_answered >= min(MIN_ANSWERED_FOR_STRAIGHTLINING, n_items)) & (spread == 0)
    too_many_missing = (n_items - n_answered) > MAX_MISSING_SHARE * n_items
    speeding = np.zeros(len(raw), dtype=bool)
    if durations is not None:
        seconds = pd.to_numeric(durations.reindex(raw_matrix.index), errors="coerce").to_numpy(float)
        timed = seconds[np.isfinite(seconds) & (seconds > 0)]
        if timed.size >= MIN_TIMINGS_FOR_SPEEDING:
            threshold = np.median(timed) * SPEEDING_SHARE_OF_MEDIAN
            speeding = np.isfinite(seconds) & (seconds < threshold)
    frame = pd.DataFrame(
        {"straightlining": straight, "speeding": speeding, "too_many_missing": too_many_missing},
        index=raw_matrix.index,
    )
    bools = frame[list(FLAG_COLUMNS)].to_numpy()
    codes = bools @ (1 << np.arange(len(FLAG_COLUMNS)))
    labels = {
        code: ",".join(n for j, n in enumerate(FLAG_COLUMNS) if code >> j & 1) for code in set(codes.tolist())
    }
    frame["flags"] = pd.Series(codes, index=frame.index).map(labels).astype(object)
    frame["excluded"] = bools.any(axis=1)
    return frame
