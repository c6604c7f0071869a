"""Hand-off of list segments to marketing tools: an e-mail CSV and a Shopify customer CSV with a tag.

Only the ``target`` group is exported by default: the control group must not receive the campaign.
Every text cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) is prefixed with ``'`` (CSV injection, ``ltvlib.io.csvout``); the number of
neutralised cells is reported. Members without a known e-mail are returned in ``missing``, never
dropped silently. Files are written with ``ltvlib.io.csvout.write_csv``.

Shopify's customer import matches existing customers by e-mail and, when overwriting, replaces their
tags with the file's ``Tags``. To keep the tags a customer already has, pass the shop's own customer
export (Customers > Export): its rows are reused with the new tag added. Members missing from it get
a minimal row and are counted in ``not_in_existing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ltvlib.io.csvout import neutralise

__all__ = [
    "SHOPIFY_CUSTOMER_COLUMNS",
    "Export",
    "email_csv",
    "merge_tags",
    "shopify_customer_csv",
]

SHOPIFY_CUSTOMER_COLUMNS = (
    "First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Company",
    "Default Address Address1", "Default Address Address2", "Default Address City",
    "Default Address Province Code", "Default Address Country Code", "Default Address Zip",
    "Default Address Phone", "Phone", "Accepts SMS Marketing", "Tags", "Note", "Tax Exempt",
)  # fmt: skip


@dataclass
class Export:
    """An export ready to write: ``frame`` (cells neutralised), members without e-mail, counts."""

    frame: pd.DataFrame
    missing: pd.DataFrame
    neutralised: int
    not_in_existing: int = 0


def _targets(members: pd.DataFrame, groups: Sequence[str]) -> pd.DataFrame:
    return members.loc[members["group"].isin(list(groups))]


def email_csv(members: pd.DataFrame, emails: pd.Series, *, groups: Sequence[str] = ("target",)) -> Export:
    """Column ``Email`` for the members of ``groups``. ``members`` as ``lists.load``; ``emails`` maps
    customer_key to e-mail (``lists.customer_emails``)."""
    m = _targets(members, groups)
    mail = m["customer_key"].map(emails)
    missing = m.loc[mail.isna(), ["customer_key"]].reset_index(drop=True)
    frame = pd.DataFrame({"Email": mail.dropna().to_numpy(dtype=object)}).drop_duplicates(ignore_index=True)
    frame, n = neutralise(frame)
    return Export(frame, missing, n)


def merge_tags(existing: str | None, tag: str) -> str:
    """Shopify's comma-separated ``Tags`` with ``tag`` added once (tags compare case-insensitively)."""
    tags = [t.strip() for t in str(existing or "").split(",") if t.strip()]
    if tag.lower() not in {t.lower() for t in tags}:
        tags.append(tag)
    return ", ".join(tags)


def _check_tag(tag: str) -> str:
    tag = tag.strip()
    if not tag or "," in tag or len(tag) > 255:
        raise ValueError(f"invalid tag {tag!r}: one non-empty tag without commas, up to 255 characters")
    return tag


def shopify_customer_csv(members: pd.DataFrame, emails: pd.Series, tag: str, *,
                         existing: pd.DataFrame | None = None, groups: Sequence[str] = ("target",)) -> Export:
    """Shopify customer import rows that add ``tag`` to the members of ``groups``.

    ``existing`` is the shop's Shopify customer export (all text): members found in it by ``Email``
    (or ``Customer ID`` = customer_key) keep their row and tags; the others get a row with Email and Tags.
    """
    tag = _check_tag(tag)
    m = _targets(members, groups)
    mail = m["customer_key"].map(emails)
    missing = m.loc[mail.isna(), ["customer_key"]].reset_index(drop=True)
    m = m.assign(email=mail).dropna(subset=["email"]).drop_duplicates("email")
    if existing is None:
        frame = pd.DataFrame({c: "" for c in SHOPIFY_CUSTOMER_COLUMNS}, index=range(len(m)))
        frame["Email"] = m["email"].to_numpy(dtype=object)
        frame["Tags"] = tag
        not_found = len(m)
    else:
        if "Email" not in existing.columns or "Tags" not in existing.columns:
            raise ValueError("the existing customers file needs 'Email' and 'Tags' columns (Shopify's "
                             f"Customers > Export); it has: {', '.join(existing.columns)}")
        ex = existing.fillna("").astype(str)
        by_email = {e.strip().lower(): i for i, e in zip(ex.index, ex["Email"]) if e.strip()}
        by_id = ({v.strip().lstrip("'"): i for i, v in zip(ex.index, ex["Customer ID"]) if v.strip()}
                 if "Customer ID" in ex.columns else {})
        rows, new = [], []
        for key, email in zip(m["customer_key"], m["email"]):
            at = by_id.get(str(key), by_email.get(str(email).strip().lower()))
            if at is None:
                new.append(email)
            else:
                row = ex.loc[at].copy()
                row["Tags"] = merge_tags(row["Tags"], tag)
                rows.append(row)
        frame = pd.DataFrame(rows, columns=ex.columns)
        extra = pd.DataFrame({c: "" for c in ex.columns}, index=range(len(new)))
        extra["Email"], extra["Tags"] = new, tag
        frame = pd.concat([frame, extra], ignore_index=True)
        not_found = len(new)
    frame, n = neutralise(frame.reset_index(drop=True))
    return Export(frame, missing, n, not_found)
