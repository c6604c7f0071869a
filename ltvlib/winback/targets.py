"""The dormant base in bands, the frozen target list with its control group, and its CSV export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ltvlib.privacy import redact
from ltvlib.report import atomic_write_text

if TYPE_CHECKING:
    from ltvlib.store import Store

__all__ = ["DORMANCY_BANDS", "assign_groups", "dormant_summary", "freeze_targets", "select_targets",
           "write_targets_csv"]

# days since going dormant: (lower bound, key); the last band is open-ended
DORMANCY_BANDS = [(0, "0-89"), (90, "90-179"), (180, "180-364"), (365, "365-729"), (730, "730+")]


def dormant_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Dormant customers by days since going dormant (``DORMANCY_BANDS``).

    Columns: customers, share, net_revenue (their past revenue), mean_p_return, expected_returns
    (sum of p_return), expected_return_value (sum); index: the band keys (empty bands kept).
    """
    lows = [b[0] for b in DORMANCY_BANDS]
    keys = [b[1] for b in DORMANCY_BANDS]
    band = pd.Categorical.from_codes(np.searchsorted(lows, scores["days_dormant"].to_numpy(), side="right") - 1,
                                     categories=keys)
    g = scores.groupby(band, observed=False)
    out = pd.DataFrame({
        "customers": g.size(),
        "net_revenue": g["net_revenue"].sum(),
        "mean_p_return": g["p_return"].mean(),
        "expected_returns": g["p_return"].sum(),
        "expected_return_value": g["expected_return_value"].sum(),
    })
    out.insert(1, "share", out["customers"] / max(len(scores), 1))
    out.index.name = "days_dormant"
    return out


def select_targets(scores: pd.DataFrame, *, top_n: int | None = None, min_score: float | None = None) -> pd.DataFrame:
    """The head of the ranked scores: the first ``top_n`` rows, keeping only ``p_return >= min_score``."""
    out = scores.sort_values("rank", kind="stable")
    if min_score is not None:
        out = out.loc[out["p_return"] >= min_score]
    if top_n is not None:
        out = out.head(top_n)
    return out


def assign_groups(targets: pd.DataFrame, control_share: float, seed: int) -> pd.Series:
    """'target' or 'control' per customer, the control drawn at random within rank strata so both groups
    have the same score profile; exactly ``round(control_share * n)`` controls, reproducible with ``seed``."""
    n = len(targets)
    k = int(round(control_share * n))
    group = np.full(n, "target", dtype=object)
    if k:
        bounds = np.floor(np.arange(k + 1) * n / k).astype(np.int64)
        u = np.random.default_rng(seed).random(k)
        pick = bounds[:-1] + np.floor(u * (bounds[1:] - bounds[:-1])).astype(np.int64)
        order = np.argsort(targets["rank"].to_numpy(), kind="stable")
        group[order[pick]] = "control"
    return pd.Series(group, index=targets.index, name="group")


def write_targets_csv(targets: pd.DataFrame, groups: pd.Series, path: str | Path, *, show_personal_data: bool,
                      shop: str) -> Path:
    """Write the target list (rank, group, scores, drivers) as CSV, atomically; customer keys are
    pseudonymised unless the shop's params allow personal data (``ltvlib.privacy.redact``)."""
    cols = [c for c in ("rank", "p_return", "expected_return_value", "days_dormant", "last_order_date", "orders",
                        "net_revenue", "driver_1", "driver_2", "driver_3", "p_alive", "predicted_clv")
            if c in targets.columns]
    table = targets[cols].join(groups)
    table = redact(table, show_personal_data=show_personal_data, shop=shop).reset_index()
    path = Path(path)
    atomic_write_text(path, table.to_csv(index=False, float_format="%.6g", date_format="%Y-%m-%d"))
    return path


def freeze_targets(store: Store, name: str, groups: pd.Series, *, as_of: dt.date, seed: int, description: str,
                   source: Any = None) -> dict[str, Any]:
    """Freeze the target list (``groups``: 'target'/'control' per customer key) as list segment ``name``
    (``ltvlib.segments.lists``, how 'winback'), keeping this control group; replaces a list of that name.
    Returns the list's info."""
    from ltvlib.segments import lists

    return lists.freeze(store, name, groups.index, description=description, how="winback", seed=seed,
                        overwrite=True, as_of=as_of, source=source, control=groups.index[groups == "control"])
