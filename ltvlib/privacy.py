"""Personal data in client reports: shown only where the shop's params allow it.

For Shopify exports ``customer_key`` *is* the e-mail address, so hiding the ``email`` column alone
is not enough: keys are replaced by stable pseudonyms (the same customer gets the same pseudonym in
every report of the shop, so lists can still be matched by the shop itself).
"""

from __future__ import annotations

import hashlib

import pandas as pd

__all__ = ["PERSONAL_COLUMNS", "pseudonym", "redact"]

PERSONAL_COLUMNS = ("email", "customer_key", "name", "first_name", "last_name", "phone")


def pseudonym(keys: pd.Series | pd.Index, shop: str) -> pd.Series:
    """Stable pseudonyms like ``C-3f9a2b71`` for customer keys (salted with the shop id)."""
    values = pd.Series(keys, dtype=object)
    return values.map(
        lambda k: None if k is None or k != k else "C-" + hashlib.sha256(f"{shop}:{k}".encode()).hexdigest()[:8]
    )


def redact(df: pd.DataFrame, *, show_personal_data: bool, shop: str) -> pd.DataFrame:
    """A copy of ``df`` fit for a report: personal columns dropped and keys pseudonymised unless allowed.

    ``customer_key`` (column or index name) becomes a pseudonym; ``email``, names and phone are dropped.
    """
    if show_personal_data:
        return df.copy()
    out = df.copy()
    if out.index.name == "customer_key":
        out.index = pd.Index(pseudonym(out.index, shop).to_numpy(), name="customer")
    if "customer_key" in out.columns:
        out.insert(out.columns.get_loc("customer_key"), "customer", pseudonym(out["customer_key"], shop).to_numpy())
    return out.drop(columns=[c for c in PERSONAL_COLUMNS if c in out.columns])
