"""Product lines: the grouping of line items that product-level analyses use, set by shop params."""

from __future__ import annotations

import numpy as np
import pandas as pd

UNKNOWN = "Unknown"
OTHER = "Other"


def assign_product_lines(line_items: pd.DataFrame, rules: dict | None) -> pd.DataFrame:
    """Return a copy of ``line_items`` with ``product_line`` set from ``rules``.

    ``None`` or ``{"from": "vendor"}``: the vendor (blank -> ``'Unknown'``).
    ``{"from": "title", "map": {substring: line, ...}}``: the first key that is a case-insensitive
    substring of ``product`` wins, in the map's order; no match -> ``'Other'``.
    """
    out = line_items.copy()
    out["product_line"] = product_line_labels(line_items, rules)
    return out


def product_line_labels(line_items: pd.DataFrame, rules: dict | None) -> np.ndarray:
    """The product line of each row under ``rules`` (see :func:`assign_product_lines`).

    Rules are evaluated once per distinct vendor or product, so they stay fast on millions of rows.
    """
    mode = "vendor" if rules is None else rules.get("from")
    if mode == "vendor":
        codes, vendors = pd.factorize(line_items["vendor"].astype(object), use_na_sentinel=False)
        names = pd.Series(vendors, dtype=object).fillna("").astype(str).str.strip()
        labels = np.where(names == "", UNKNOWN, vendors).astype(object)
    elif mode == "title":
        mapping = rules.get("map")
        if not isinstance(mapping, dict) or not mapping:
            raise ValueError("product_lines: 'from: title' needs a non-empty 'map' of title substring -> line")
        codes, products = pd.factorize(line_items["product"].astype(object).fillna(""))
        lowered = pd.Series(products, dtype=object).astype(str).str.lower()
        labels = np.full(len(products), OTHER, dtype=object)
        open_ = np.ones(len(products), dtype=bool)
        for key, line in mapping.items():
            hit = open_ & lowered.str.contains(str(key).lower(), regex=False).to_numpy()
            labels[hit] = line
            open_ &= ~hit
    else:
        raise ValueError(f"product_lines: 'from' must be 'vendor' or 'title', not {mode!r}")
    return labels[codes] if len(codes) else np.empty(0, dtype=object)
