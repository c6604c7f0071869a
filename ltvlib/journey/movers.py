"""The customers behind a flow: their key attributes, what they have in common, and CSV exports."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ltvlib.io.csvout import write_csv
from ltvlib.journey.flows import JourneyWindow
from ltvlib.privacy import redact

__all__ = ["MOVER_COLUMNS", "export_flows", "export_movers", "export_name", "flow_profile", "mover_profile",
           "movers_table"]

MOVER_COLUMNS = [
    "email", "first_product", "first_product_line", "first_channel", "last_channel", "first_discount_code",
    "orders", "net_revenue", "first_order_at", "last_order_at",
]  # fmt: skip
PROFILE_ATTRIBUTES = ("first_product_line", "first_channel", "used_discount", "first_product")


def movers_table(window: JourneyWindow, source: str, target: str, summary: pd.DataFrame) -> pd.DataFrame:
    """The customers of one flow with their attributes at the window's end.

    ``summary`` is ``customer_summary(orders, window.end, line_items)``. Index customer_key; columns
    ``MOVER_COLUMNS`` (those the summary has), sorted by net revenue, largest first.
    """
    keys = window.movers(source, target)
    cols = [c for c in MOVER_COLUMNS if c in summary.columns]
    out = summary.reindex(keys)[cols]
    return out.sort_values("net_revenue", ascending=False, kind="stable")


def _value_counts(df: pd.DataFrame, attribute: str) -> pd.Series | None:
    """Customers of ``df`` per value of a profile attribute (None when ``df`` lacks its column): missing values
    count as ``(none)``, ``used_discount`` is yes / no. Counted on the one column it reads, never a copy of
    the frame (the origin segment of a flow can be millions of customers)."""
    if attribute == "used_discount":
        if "first_discount_code" not in df:
            return None
        used = int(df["first_discount_code"].notna().sum())
        counts = pd.Series({"yes": used, "no": len(df) - used})
        return counts[counts > 0].sort_values(ascending=False, kind="stable")
    if attribute not in df:
        return None
    counts = df[attribute].value_counts(dropna=False)
    counts.index = counts.index.astype(object).where(counts.index.notna(), "(none)").astype(str)
    return counts.groupby(level=0, sort=False).sum().sort_values(ascending=False, kind="stable")


def mover_profile(movers: pd.DataFrame, base: pd.DataFrame, *, top: int = 3,
                  attributes: Sequence[str] = PROFILE_ATTRIBUTES) -> pd.DataFrame:
    """What the movers have in common compared with a base group (e.g. everyone in the origin segment).

    For each attribute (first product line, first channel, ``used_discount`` = the first order had a
    discount code, first product) the ``top`` values most common among movers. Columns: attribute,
    value, movers, movers_share, base_share, lift (movers_share / base_share; > 1 = over-represented).
    """
    rows = []
    for col in attributes:
        counts = _value_counts(movers, col)
        if counts is None or not len(movers):
            continue
        base_counts = _value_counts(base, col) if len(base) else None
        for value, n in counts.head(top).items():
            ms = n / len(movers)
            bs = float(base_counts.get(value, 0) / len(base)) if base_counts is not None else 0.0
            rows.append((col, value, int(n), ms, bs, ms / bs if bs else np.nan))
    return pd.DataFrame(rows, columns=["attribute", "value", "movers", "movers_share", "base_share", "lift"])


def flow_profile(window: JourneyWindow, source: str, target: str, summary: pd.DataFrame, *,
                 top: int = 3) -> pd.DataFrame:
    """``mover_profile`` of the customers who moved from ``source`` to ``target`` in ``window`` against
    everyone in ``source`` at the window's start; reads only the profile's columns of ``summary``."""
    cols = [c for c in (*PROFILE_ATTRIBUTES, "first_discount_code", "net_revenue") if c in summary.columns]
    start = window.membership("start")
    base = summary[cols].reindex(start.index[start[source].to_numpy()])
    return mover_profile(movers_table(window, source, target, summary[cols]), base, top=top)


def export_name(journey: str, source: str, target: str) -> str:
    """A file name for one flow's list, e.g. ``journey-status_grid-first_active-to-first_at_risk.csv``."""
    def slug(s: str) -> str:
        return re.sub(r"[^\w-]+", "-", s).strip("-") or "x"

    return f"journey-{slug(journey)}-{slug(source)}-to-{slug(target)}.csv"


def export_movers(table: pd.DataFrame, out_dir: str | Path, name: str, *, show_personal_data: bool,
                  secret: bytes) -> Path:
    """Write a movers table to ``<out_dir>/exports/<name>`` (UTF-8 with BOM for spreadsheet apps).

    Personal data is pseudonymised with ``ltvlib.privacy.redact`` (under the shop's ``secret``) unless
    ``show_personal_data``; written
    with ``ltvlib.io.csvout.write_csv`` (formula-like cells neutralised, whole file or none).
    """
    path = Path(out_dir) / "exports" / name
    write_csv(redact(table, show_personal_data=show_personal_data, secret=secret), path, encoding="utf-8-sig",
              index=True)
    return path


def export_flows(window: JourneyWindow, journey: str, summary: pd.DataFrame, out_dir: str | Path, *,
                 show_personal_data: bool, secret: bytes,
                 kinds: Sequence[str] = ("move", "entry", "exit")) -> dict[tuple[str, str], str]:
    """Export the movers of every non-empty flow of ``kinds`` (stays are left out: they are large and
    nobody moved). Returns (source, target) -> path relative to ``out_dir`` (``exports/<name>``)."""
    f = window.flows
    f = f.loc[f["kind"].isin(kinds) & (f["customers"] > 0)]
    out = {}
    for a, b in zip(f["source"], f["target"]):
        name = export_name(journey, a, b)
        export_movers(movers_table(window, a, b, summary), out_dir, name, show_personal_data=show_personal_data,
                      secret=secret)
        out[(a, b)] = f"exports/{name}"
    return out
