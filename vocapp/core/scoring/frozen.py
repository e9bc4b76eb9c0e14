"""A fitted scoring model as plain data: everything needed to score new responses identically."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .errors import KeyMismatchError
from .key import ItemKey
from .matrix import weighted_scale_scores

MODEL_FORMAT = "vocapp.scoring.frozen_model/1"


@dataclass
class FrozenModel:
    """Applies a stored model: 0-100 scale scores and standardised (z) regression factor scores.

    ``data`` is the JSON-serialisable dict produced by ``ConstructScorer.model_``.
    """

    data: Mapping[str, Any]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "FrozenModel":
        """Wrap a stored model dict after checking it is a vocapp frozen model."""
        if data.get("format") != MODEL_FORMAT:
            raise KeyMismatchError(
                f"not a vocapp scoring model (format {data.get('format')!r}, expected {MODEL_FORMAT!r})"
            )
        return cls(data)

    def to_dict(self) -> dict[str, Any]:
        """The stored dict (JSON-serialisable)."""
        return dict(self.data)

    @property
    def key(self) -> ItemKey:
        """Item key the model was fitted with."""
        return ItemKey.from_records(self.data["key"], construct_order=self.data["constructs"])

    @property
    def constructs(self) -> list[str]:
        """Constructs scored by the model, in declaration order."""
        return list(self.data["constructs"])

    def transform(self, matrix: pd.DataFrame) -> pd.DataFrame:
        """Score a reverse-keyed response matrix: columns ``<construct>`` (0-100) then ``<construct>_z``.

        z scores: items standardised with the fitted means/SDs (a missing answer counts as the item
        mean), multiplied by the regression score weights, then standardised with the fitting sample's
        score mean and SD. A construct with none of its items answered gets NaN.
        """
        key = self.key
        items = list(key.items)
        missing = [i for i in items if i not in matrix.columns]
        if missing:
            raise KeyMismatchError(
                "the responses lack item(s) the stored model needs: " + ", ".join(missing)
                + "; refit the model on the items the survey versions share"
            )
        x = matrix.loc[:, items].to_numpy(dtype=float)
        means = np.array([self.data["item_means"][i] for i in items])
        sds = np.array([self.data["item_sds"][i] for i in items])
        z_items = np.nan_to_num((x - means) / sds, nan=0.0)
        answered = ~np.isnan(x)
        scores = weighted_scale_scores(matrix, key, self.data["scale_weights"])
        out = {c: scores[c].to_numpy() for c in self.constructs}
        weights = self.data["score_weights"]
        for c in self.constructs:
            own = np.array([key.construct[i] == c for i in items])
            if c not in weights:
                out[f"{c}_z"] = np.full(len(x), np.nan)
                continue
            w = np.array([weights[c][i] for i in items])
            raw = z_items @ w
            z = (raw - self.data["score_means"][c]) / self.data["score_sds"][c]
            out[f"{c}_z"] = np.where(answered[:, own].any(axis=1), z, np.nan)
        columns = self.constructs + [f"{c}_z" for c in self.constructs]
        return pd.DataFrame(out, index=matrix.index)[columns]
