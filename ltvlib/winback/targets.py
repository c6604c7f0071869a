"""The lapsed base in bands, the target list with its control group, its CSV exports, and freezing it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ltvlib.privacy import redact

if TYPE_CHECKING:
    from ltvlib.store import Store

__all__ = ["EXPORT_COLUMNS", "EXPORT_FILES", "LAPSE_BANDS", "assign_groups", "export_table", "freeze_targets",
           "lapsed_summary", "select_targets", "write_target_exports"]

# days since lapsing: (lower bound, key); the last band is open-ended
LAPSE_BANDS = [(0, "0-89"), (90, "90-179"), (180, "180-364"), (365, "365-729"), (730, "730+")]


def lapsed_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Lapsed customers by days since lapsing (``LAPSE_BANDS``).

    Columns: customers, share, net_revenue (their past revenue), mean_p_return, expected_returns
    (sum of p_return), expected_return_value (sum); index: the band keys (empty bands kept).
    """
    lows = [b[0] for b in LAPSE_BANDS]
    keys = [b[1] for b in LAPSE_BANDS]
    band = pd.Categorical.from_codes(np.searchsorted(lows, scores["days_lapsed"].to_numpy(), side="right") - 1,
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
    out.index.name = "days_lapsed"
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


EXPORT_FILES = {"target": "winback_targets.csv", "control": "winback_control.csv"}
EXPORT_COLUMNS = ("rank", "group", "p_return", "expected_return_value", "days_lapsed", "last_order_date", "orders",
                  "net_revenue", "reason_1", "reason_2", "reason_3", "p_alive", "predicted_clv")


def export_table(targets: pd.DataFrame, groups: pd.Series, *, language: str, lapsed_days: int,
                 show_personal_data: bool, secret: bytes) -> pd.DataFrame:
    """The target list as an export table (``EXPORT_COLUMNS``, one row per customer, by rank): ``group``
    'target' or 'control', reasons (``driver_1..3``) in words in ``language``, numbers rounded, dates as
    text; customer keys pseudonymised unless the shop's params allow personal data (``ltvlib.privacy.redact``)."""
    from ltvlib.winback.narrative import driver_text

    t = targets.sort_values("rank", kind="stable")
    table = pd.DataFrame({"rank": t["rank"].to_numpy(), "group": groups.reindex(t.index).to_numpy(dtype=object)},
                         index=t.index)
    for col, digits in (("p_return", 4), ("expected_return_value", 2)):
        table[col] = t[col].astype(float).round(digits)
    table["days_lapsed"] = t["days_lapsed"].to_numpy()
    table["last_order_date"] = pd.to_datetime(t["last_order_date"]).dt.strftime("%Y-%m-%d")
    table["orders"] = t["orders"].to_numpy()
    table["net_revenue"] = t["net_revenue"].astype(float).round(2)
    for i in (1, 2, 3):
        col = f"driver_{i}"
        table[f"reason_{i}"] = ([driver_text(d, language, lapsed_days) for d in t[col]] if col in t
                                else [""] * len(t))
    for col, digits in (("p_alive", 4), ("predicted_clv", 2)):
        if col in t:
            table[col] = t[col].astype(float).round(digits)
    table.index.name = "customer_key"
    return redact(table, show_personal_data=show_personal_data, secret=secret).reset_index()


def write_target_exports(table: pd.DataFrame, folder: str | Path) -> dict[str, Path]:
    """Write ``export_table`` rows as two CSV files in ``folder``: ``winback_targets.csv`` (the target group:
    contact them) and ``winback_control.csv`` (the control group: no offer), through the project's CSV writer
    (``ltvlib.io.csvout``: cells that a spreadsheet would run as formulas are neutralised; atomic write).
    Returns the path of each group's file."""
    from ltvlib.io.csvout import write_csv

    out = {}
    for group, name in EXPORT_FILES.items():
        path = Path(folder) / name
        write_csv(table.loc[table["group"] == group].reset_index(drop=True), path)
        out[group] = path
    return out


def freeze_targets(store: Store, name: str, groups: pd.Series, *, as_of: dt.date, seed: int, description: str,
                   source: Any = None, overwrite: bool = False) -> dict[str, Any]:
    """Freeze the target list (``groups``: 'target'/'control' per customer key) as list segment ``name``
    (``ltvlib.segments.lists``, how 'winback'), keeping this control group. A list of that name is replaced
    only with ``overwrite`` (else ``ListError``: a campaign's list is what it is measured against later).
    Returns the list's info."""
    from ltvlib.segments import lists

    return lists.freeze(store, name, groups.index, description=description, how="winback", seed=seed,
                        overwrite=overwrite, as_of=as_of, source=source, control=groups.index[groups == "control"])
