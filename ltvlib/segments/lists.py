"""List segments: frozen member lists persisted in the shop's DuckDB store.

A list has a unique name, a description, its creation time, the date its members refer to
(``as_of``), how it was made (``how``: condition, segment, combine, import, or a module's own word
such as winback) with the details in ``source``, and its members, each in group ``target`` or
``control``. A control group is a seeded random share of the members held out of a campaign; the
seed is recorded so the split can be reproduced. Lists are made four ways: from a condition
(``freeze_condition``), from a condition segment (``freeze_segment``), from other lists by set
operations (``combine``), and from a CSV of e-mails or customer ids (``import_csv``). Names are
unique: replacing a list needs ``overwrite=True``, and deleting one is an explicit ``delete``.
Every write runs in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from ltvlib.segments.language import nearest

if TYPE_CHECKING:
    from ltvlib.segments.evaluate import Segmenter
    from ltvlib.store import Store

__all__ = [
    "GROUPS",
    "OPERATIONS",
    "ImportReport",
    "ListError",
    "all_members",
    "catalog",
    "combine",
    "customer_emails",
    "delete",
    "exists",
    "freeze",
    "freeze_condition",
    "freeze_segment",
    "import_csv",
    "info",
    "load",
]

GROUPS = ("target", "control")
OPERATIONS = ("union", "intersection", "difference")
_DDL = """
CREATE TABLE IF NOT EXISTS segment_lists (
    name VARCHAR NOT NULL, description VARCHAR, how VARCHAR, source VARCHAR, created_at TIMESTAMP,
    as_of DATE, members BIGINT, control_members BIGINT, control_share DOUBLE, seed BIGINT
);
CREATE TABLE IF NOT EXISTS segment_list_members (
    name VARCHAR NOT NULL, customer_key VARCHAR NOT NULL, list_group VARCHAR NOT NULL
);
"""
_INFO_COLUMNS = ["name", "description", "how", "source", "created_at", "as_of", "members", "control_members",
                 "control_share", "seed"]
_EMAIL_HEADERS = ("email", "e-mail", "email address", "mail", "メールアドレス", "メール", "eメール")
_ID_HEADERS = ("customer id", "customer_id", "customerid", "id", "customer_key", "顧客id", "顧客番号")


class ListError(ValueError):
    """A list operation cannot be done as asked (unknown list, name taken, bad share...)."""


def _has_tables(store: Store) -> bool:
    n = store.con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name IN ('segment_lists', 'segment_list_members')"
    ).fetchone()[0]
    return n == 2


def _names(store: Store) -> list[str]:
    if not _has_tables(store):
        return []
    return [r[0] for r in store.con.execute("SELECT name FROM segment_lists ORDER BY name").fetchall()]


def exists(store: Store, name: str) -> bool:
    """Whether a list called ``name`` is in the store."""
    return name in _names(store)


def _missing(store: Store, name: str) -> ListError:
    near = nearest(name, _names(store))
    hint = f" Did you mean '{near}'?" if near else " See `ltv segment list SHOP` for the lists."
    return ListError(f"no list named '{name}' in {store.path}.{hint}")


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip() or name != name.strip() or len(name) > 200 \
            or any(ord(ch) < 32 for ch in name):
        raise ListError(f"invalid list name {name!r}: use a short name without leading/trailing spaces")
    return name


def _split(keys: np.ndarray, control_share: float, seed: int | None,
           control: pd.Index | None = None) -> tuple[np.ndarray, int | None]:
    """Group per key ('target'/'control'): exactly round(share * n) controls drawn with ``seed``, or the
    keys in ``control`` when given. Keys are sorted first, so the same members and seed give the same
    split whatever their order."""
    if not 0.0 <= control_share < 1.0:
        raise ListError(f"control_share must be at least 0 and below 1, got {control_share}")
    groups = np.full(len(keys), "target", dtype=object)
    if control is not None:
        groups[pd.Index(keys).isin(control)] = "control"
        return groups, seed
    if control_share == 0.0:
        return groups, seed
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63 - 1))  # drawn once, then recorded
    n_control = int(round(control_share * len(keys)))
    pick = np.random.default_rng(seed).permutation(len(keys))[:n_control]
    groups[pick] = "control"
    return groups, seed


def freeze(store: Store, name: str, members: pd.Index | Iterable[str], *, description: str, how: str,
           control_share: float = 0.0, seed: int | None = None, overwrite: bool = False,
           as_of: dt.date | None = None, source: Any = None, created_at: dt.datetime | None = None,
           control: pd.Index | None = None) -> dict[str, Any]:
    """Persist ``members`` (customer keys) as list ``name``; return the list's info.

    ``control_share`` holds out that share of the members as a control group, drawn with ``seed``
    (a seed is drawn and recorded when None). ``as_of`` is the date the members refer to (default:
    the creation date); ``source`` (JSON-able) records how exactly the list was made; ``created_at``
    defaults to now (naive values are UTC). ``control`` (instead of a share) names the members that form
    the control group, e.g. those inherited from another list. A taken name raises ListError unless
    ``overwrite``.
    """
    _check_name(name)
    if not how or not isinstance(how, str):
        raise ListError("'how' must say how the list was made, e.g. 'condition'")
    keys = pd.Index(members, dtype=object)
    if keys.isna().any():
        raise ListError(f"list '{name}': {int(keys.isna().sum())} member(s) have no customer key")
    keys = np.sort(keys.unique().to_numpy(dtype=object).astype(str))
    groups, seed = _split(keys, float(control_share), seed, control)
    n_control = int((groups == "control").sum())
    if control is not None:
        control_share = n_control / len(keys) if len(keys) else 0.0
    created_at = created_at or dt.datetime.now(dt.timezone.utc)
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=dt.timezone.utc)
    as_of = as_of or created_at.astimezone(ZoneInfo(store.timezone)).date()
    created_at = created_at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    frame = pd.DataFrame({"name": name, "customer_key": keys, "list_group": groups})
    con = store.con
    try:
        con.execute(_DDL)
    except Exception as e:  # duckdb raises its own error types for a read-only connection
        raise ListError(f"{store.path}: cannot write lists ({e}); open the store with read_only=False") from e
    con.execute("BEGIN TRANSACTION")
    try:
        taken = con.execute("SELECT count(*) FROM segment_lists WHERE name = ?", [name]).fetchone()[0]
        if taken and not overwrite:
            raise ListError(f"a list named '{name}' already exists; pass overwrite (--overwrite) to replace it, "
                            "or choose another name")
        con.execute("DELETE FROM segment_list_members WHERE name = ?", [name])
        con.execute("DELETE FROM segment_lists WHERE name = ?", [name])
        con.execute(
            "INSERT INTO segment_lists VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [name, description or "", how, json.dumps(source, ensure_ascii=False, default=str), created_at,
             as_of, len(keys), n_control, float(control_share), seed],
        )
        con.register("_list_members", frame)
        con.execute("INSERT INTO segment_list_members SELECT name, customer_key, list_group FROM _list_members")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_list_members")
    return info(store, name)


def load(store: Store, name: str) -> pd.DataFrame:
    """Members of list ``name``: columns customer_key, group ('target' or 'control'), sorted by key."""
    if not exists(store, name):
        raise _missing(store, name)
    df = store.con.execute(
        "SELECT customer_key, list_group AS \"group\" FROM segment_list_members WHERE name = ? ORDER BY customer_key",
        [name],
    ).df()
    return df.astype({"customer_key": object, "group": object})


def info(store: Store, name: str) -> dict[str, Any]:
    """The list's record: name, description, how, source, created_at, as_of, members, control_members,
    control_share, seed."""
    if not exists(store, name):
        raise _missing(store, name)
    row = store.con.execute(f"SELECT {', '.join(_INFO_COLUMNS)} FROM segment_lists WHERE name = ?", [name]).fetchone()
    out = dict(zip(_INFO_COLUMNS, row))
    out["source"] = json.loads(out["source"]) if out["source"] else None
    out["seed"] = None if out["seed"] is None else int(out["seed"])
    return out


def catalog(store: Store) -> pd.DataFrame:
    """All lists, one row each (columns as ``info`` without ``source``), sorted by name."""
    cols = [c for c in _INFO_COLUMNS if c != "source"]
    if not _has_tables(store):
        return pd.DataFrame(columns=cols)
    df = store.con.execute(f"SELECT {', '.join(cols)} FROM segment_lists ORDER BY name").df()
    df["as_of"] = pd.to_datetime(df["as_of"]).dt.date
    return df


def all_members(store: Store) -> dict[str, pd.Index]:
    """Every list's members (both groups), for ``segment('list name')`` in conditions."""
    if not _has_tables(store):
        return {}
    df = store.con.execute("SELECT name, customer_key FROM segment_list_members").df()
    return {n: pd.Index(g["customer_key"].to_numpy(dtype=object)) for n, g in df.groupby("name", sort=True)}


def customer_emails(store: Store) -> pd.Series:
    """Each customer's latest e-mail seen on an order (index customer_key), for exports."""
    df = store.con.execute(
        "SELECT customer_key, arg_max(lower(trim(email)), ordered_at) AS email FROM orders "
        "WHERE customer_key IS NOT NULL AND email IS NOT NULL AND trim(email) <> '' GROUP BY 1"
    ).df()
    return pd.Series(df["email"].to_numpy(dtype=object), index=pd.Index(df["customer_key"], name="customer_key"),
                     name="email")


def delete(store: Store, name: str) -> int:
    """Delete list ``name`` and its members; return how many members it had."""
    if not exists(store, name):
        raise _missing(store, name)
    con = store.con
    con.execute("BEGIN TRANSACTION")
    try:
        n = con.execute("SELECT members FROM segment_lists WHERE name = ?", [name]).fetchone()[0]
        con.execute("DELETE FROM segment_list_members WHERE name = ?", [name])
        con.execute("DELETE FROM segment_lists WHERE name = ?", [name])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return int(n)


# -- the four ways to make a list -----------------------------------------------------------------------
def freeze_condition(store: Store, name: str, segmenter: Segmenter, condition: str, as_of: dt.date, *,
                     description: str = "", control_share: float = 0.0, seed: int | None = None,
                     overwrite: bool = False) -> dict[str, Any]:
    """Freeze the customers matching ``condition`` at ``as_of`` (how='condition')."""
    member = segmenter.evaluate(condition, as_of)
    return freeze(store, name, member.index[member.to_numpy()], description=description or condition,
                  how="condition", control_share=control_share, seed=seed, overwrite=overwrite, as_of=as_of,
                  source={"condition": condition})


def freeze_segment(store: Store, name: str, segmenter: Segmenter, segment: str, as_of: dt.date, *,
                   description: str = "", control_share: float = 0.0, seed: int | None = None,
                   overwrite: bool = False) -> dict[str, Any]:
    """Freeze the members of condition segment ``segment`` at ``as_of`` (how='segment')."""
    d = segmenter.definition(segment)
    col = segmenter.membership(as_of, [segment])[segment]
    return freeze(store, name, col.index[col.to_numpy()], description=description or d.en, how="segment",
                  control_share=control_share, seed=seed, overwrite=overwrite, as_of=as_of,
                  source={"segment": segment, "condition": d.condition})


def combine(store: Store, name: str, op: str, inputs: Sequence[str], *, description: str = "",
            control_share: float = 0.0, seed: int | None = None, overwrite: bool = False,
            as_of: dt.date | None = None) -> dict[str, Any]:
    """A list from other lists' members: ``union``, ``intersection``, or ``difference`` (the first list
    minus all the others, e.g. campaign targets minus an unsubscribe list).

    Without ``control_share``, a difference or intersection keeps the first list's control group (removing
    members does not change who was held out, so the campaign can still be measured); a union has no
    control group. With ``control_share`` a new split is drawn. ``as_of`` defaults to the first list's
    for difference and intersection, to the latest input's for union.
    """
    if op not in OPERATIONS:
        near = nearest(op, OPERATIONS)
        raise ListError(f"unknown set operation '{op}'" + (f"; did you mean '{near}'?" if near else
                                                          f"; use one of {', '.join(OPERATIONS)}"))
    if len(inputs) < (1 if op == "union" else 2):
        raise ListError(f"{op} needs {'one' if op == 'union' else 'two'} or more lists")
    frames = [load(store, n) for n in inputs]
    sets = [pd.Index(f["customer_key"]) for f in frames]
    result = sets[0]
    for other in sets[1:]:
        result = (result.union(other) if op == "union" else result.intersection(other) if op == "intersection"
                  else result.difference(other))
    infos = [info(store, n) for n in inputs]
    control, first_seed = None, None
    if op != "union" and not control_share:
        first = frames[0]
        control = pd.Index(first.loc[first["group"] == "control", "customer_key"])
        first_seed = infos[0]["seed"]
    if as_of is None:
        as_of = max(i["as_of"] for i in infos) if op == "union" else infos[0]["as_of"]
    word = {"union": " ∪ ", "intersection": " ∩ ", "difference": " − "}[op]
    return freeze(store, name, result, description=description or word.join(inputs), how="combine",
                  control_share=control_share, seed=seed if control is None else first_seed, overwrite=overwrite,
                  as_of=as_of, source={"op": op, "inputs": list(inputs)}, control=control)


@dataclass
class ImportReport:
    """What happened to every row of an imported CSV.

    ``rows``: row (spreadsheet row number), value, status ('matched', 'duplicate' = a customer matched
    again, 'unmatched' = no customer with that e-mail/id, 'blank'), customer_key. ``list`` is the
    frozen list's info (None when ``dry_run``).
    """

    column: str
    kind: str
    encoding: str
    rows: pd.DataFrame
    list: dict[str, Any] | None

    def counts(self) -> dict[str, int]:
        c = self.rows["status"].value_counts()
        return {s: int(c.get(s, 0)) for s in ("matched", "duplicate", "unmatched", "blank")}


def _pick_column(table: pd.DataFrame, column: str | None, label: str) -> tuple[str, str]:
    """(column, 'email', 'id' or 'auto') of the CSV to read members from: ``column``, else the e-mail or
    customer id column with the most values (e-mail first on a tie), else the only column."""
    header = list(table.columns)
    if column is not None:
        if column not in header:
            near = nearest(column, header)
            raise ListError(f"{label}: no column '{column}'" + (f"; did you mean '{near}'?" if near else
                                                               f"; the file has: {', '.join(header)}"))
        return column, "email" if column.strip().lower() in _EMAIL_HEADERS else "auto"
    candidates = []
    for h in header:
        name = h.strip().lstrip("\ufeff").lower()
        kind = "email" if name in _EMAIL_HEADERS else "id" if name in _ID_HEADERS else None
        if kind:
            filled = int((table[h].astype(str).str.strip() != "").sum())
            candidates.append((-filled, kind != "email", h, kind))
    if candidates:
        _, _, h, kind = min(candidates)
        return h, kind
    if len(header) == 1:
        return header[0], "auto"
    raise ListError(f"{label}: no e-mail or customer id column among {', '.join(header)}; "
                    "name it with column= (--column)")


def _customer_lookup(store: Store) -> tuple[dict[str, str], set[str]]:
    """(normalised e-mail -> customer key, set of customer keys) from the store's orders."""
    o = store.con.execute(
        "SELECT customer_key, lower(trim(email)) AS email, max(ordered_at) AS last FROM orders "
        "WHERE customer_key IS NOT NULL GROUP BY 1, 2 ORDER BY last"
    ).df()
    by_email = dict(zip(o["email"].dropna(), o.loc[o["email"].notna(), "customer_key"]))  # latest key wins
    return by_email, set(o["customer_key"])


def import_csv(store: Store, name: str, path: str | os.PathLike, *, column: str | None = None,
               description: str = "", control_share: float = 0.0, seed: int | None = None,
               overwrite: bool = False, as_of: dt.date | None = None, dry_run: bool = False) -> ImportReport:
    """Freeze the customers listed in a CSV of e-mails or Shopify customer ids (how='import').

    UTF-8 with or without BOM and cp932 are read (``ltvlib.io.read_text_table``). The column is
    ``column`` or the first header named like an e-mail or customer id column; a one-column file whose
    first line is already an e-mail has no header. E-mails match case-insensitively; ids match customer
    keys (a leading ``'`` that spreadsheets add is ignored). Unmatched, duplicate and blank rows are
    reported in the returned ``ImportReport``, never dropped silently.
    """
    from ltvlib.io import detect_encoding, read_text_table

    _check_name(name)
    label = os.path.basename(str(path))
    table = read_text_table(path, label=label)
    header = list(table.columns)
    headerless = len(header) == 1 and "@" in header[0]
    col, kind = _pick_column(table, column, label)
    values = table[col].astype(str).tolist()
    rows = list(range(2, len(values) + 2))
    if headerless:
        values, rows = [header[0].lstrip("\ufeff"), *values], [1, *rows]
    by_email, keys = _customer_lookup(store)
    seen: set[str] = set()
    out = []
    for row, raw in zip(rows, values):
        value = raw.strip().lstrip("'").strip()
        if not value:
            out.append((row, raw, "blank", None))
            continue
        key = by_email.get(value.lower()) if ("@" in value and kind != "id") else None
        if key is None and value in keys:
            key = value
        status = "unmatched" if key is None else "duplicate" if key in seen else "matched"
        if key is not None:
            seen.add(key)
        out.append((row, raw, status, key))
    report = pd.DataFrame(out, columns=["row", "value", "status", "customer_key"])
    encoding = detect_encoding(path, label=label)
    matched = report.loc[report["status"] == "matched", "customer_key"]
    result = None
    if not dry_run:
        result = freeze(store, name, pd.Index(matched), description=description or f"import {label}", how="import",
                        control_share=control_share, seed=seed, overwrite=overwrite, as_of=as_of,
                        source={"file": label, "column": col, "encoding": encoding, **{
                            k: int(v) for k, v in report["status"].value_counts().items()}})
    return ImportReport(col, "email" if kind == "email" else kind, encoding, report, result)

