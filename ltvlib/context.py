"""What a report notebook needs, from one call: ``report.context(shop, as_of, audience=..., out_dir=...)``.

A :class:`Context` holds the shop's params, the report date (``ShopParams.report_date`` owns the default),
language, currency, thresholds and a label helper, and loads on first use, once: orders (only the columns
asked for) and line items read from the shop's store read-only (a report never writes to the store), the
``OrderHistory`` and the customer summary at ``as_of``.

Computed once per run, across the notebook kernels: ``ltv run`` makes a hidden share folder in its work
folder (``<out_dir>/.shared``, removed before the report is published). A context whose ``out_dir`` has
one shares through it what several pages need (the customer summary; the CLV page's fitted model, read by
the win-back page): the first kernel that needs it computes it under a file lock and writes it with its
key (the store's data version, ``as_of``, time zone, thresholds); the others read it. A file whose key
does not match (another store, an import since, other params) is ignored and replaced, never trusted.
A notebook run on its own (JupyterLab, ``out_dir="."``) has no share folder: it computes everything
itself and writes nothing beside the notebook.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ltvlib.params import ShopParams, load_shop_params

__all__ = ["ITEM_COLUMNS", "SHARE_DIR", "Context", "data_version"]

SHARE_DIR = ".shared"  # in a run's work folder: what the run's kernels compute once and share
ITEM_COLUMNS = ["order_id", "line_no", "product", "product_line"]  # the line item columns the pages read


def data_version(store: Any) -> dict[str, Any]:
    """What identifies the data in a store (``ltvlib.store.Store``): its file, the row counts of its tables
    (``Store.counts``) and its imports (``Store.imports``: how many, the latest's id and time). Every change of
    the orders goes through an import, so an import changes it."""
    row = store.con.execute(
        "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM line_items), "
        "(SELECT count(*) FROM imports), (SELECT max(import_id) FROM imports), "
        "(SELECT CAST(max(imported_at) AS VARCHAR) FROM imports)").fetchall()[0]
    return {"store": str(Path(store.path).resolve()), "orders": int(row[0]), "line_items": int(row[1]),
            "imports": int(row[2]), "last_import": None if row[3] is None else [int(row[3]), str(row[4])]}


class Context:
    """One report page's shop, date and data (see the module docstring). Build it with ``report.context``."""

    def __init__(self, params: ShopParams, as_of: dt.date | str | None = None, *, audience: str | None = None,
                 out_dir: str | Path = ".") -> None:
        self.params = params
        self.as_of: dt.date = params.report_date(as_of)
        self.audience: str = audience or params.report.get("audience", "client")
        self.out_dir = Path(out_dir)
        self._orders: dict[tuple[str, ...] | None, pd.DataFrame] = {}
        self._items: dict[tuple[str, ...], pd.DataFrame] = {}
        self._memo: dict[str, Any] = {}
        self._version: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"Context(shop={self.shop!r}, as_of={self.as_of}, audience={self.audience!r}, out_dir={str(self.out_dir)!r})"

    # -- the shop ------------------------------------------------------------------------------------------
    @property
    def shop(self) -> str:
        return self.params.shop

    @property
    def name(self) -> str:
        return self.params.name

    @property
    def language(self) -> str:
        return self.params.language

    @property
    def currency(self) -> str:
        return self.params.currency

    @property
    def timezone(self) -> str:
        return self.params.timezone

    @property
    def thresholds(self) -> dict[str, Any]:
        return self.params.thresholds

    def label(self, key: str) -> str:
        """The label ``key`` in the shop's language (``ltvlib.labels.label``)."""
        from ltvlib.labels import label

        return label(key, self.language)

    L = label

    @property
    def secret(self) -> bytes:
        """The shop's pseudonym secret (``ltvlib.privacy.shop_secret``)."""
        if "secret" not in self._memo:
            from ltvlib.privacy import shop_secret

            self._memo["secret"] = shop_secret(self.params.store)
        return self._memo["secret"]

    # -- the store, read-only ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def store(self) -> Iterator[Any]:
        """The shop's store opened read-only (a report never writes to it); checks that its data is the data
        this context read before (an import in between would mix two versions on one page)."""
        from ltvlib.store import Store

        with Store(self.params.store, timezone=self.timezone, read_only=True, shop=self.shop) as store:
            version = data_version(store)
            if self._version is None:
                self._version = version
            elif version != self._version:
                raise RuntimeError(f"the store of shop {self.shop} ({self.params.store}) changed while its report "
                                   "was being made (an import?); run the report again")
            yield store

    @property
    def version(self) -> dict[str, Any]:
        """The store's data version (``data_version``), as read with the data."""
        if self._version is None:
            with self.store():
                pass
        return self._version

    def orders(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The store's orders (``Store.orders(columns)``), read once per set of columns."""
        key = None if columns is None else tuple(columns)
        if key not in self._orders:
            held = next((f for k, f in self._orders.items() if key is not None and k is not None
                         and set(key) <= set(k)), None)
            if held is not None:  # columns of a frame already read: not read from the store again
                self._orders[key] = held[list(key)]
            else:
                with self.store() as store:
                    self._orders[key] = store.orders(None if columns is None else list(columns))
        return self._orders[key]

    def line_items(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The store's line items (default: the columns the pages read), read once."""
        key = tuple(columns or ITEM_COLUMNS)
        if key not in self._items:
            with self.store() as store:
                self._items[key] = store.line_items(list(key))
        return self._items[key]

    def history(self) -> Any:
        """The ``OrderHistory`` up to ``as_of`` of the orders (``history.ORDER_COLUMNS``) with each order's first
        product and product line (``store.FIRST_ITEM_COLUMNS``), read once. It reads no line items (gigabytes on
        a large shop): its order-level product fields and the summary's first product come from the store, its
        product sets are empty (segment conditions give ``OrderHistory`` the line items themselves)."""
        if "history" not in self._memo:
            self._memo["history"] = self._new_history(self.orders(self._history_columns()))
        return self._memo["history"]

    @staticmethod
    def _history_columns() -> list[str]:
        from ltvlib.history import ORDER_COLUMNS
        from ltvlib.store import FIRST_ITEM_COLUMNS

        return ORDER_COLUMNS + FIRST_ITEM_COLUMNS

    def _new_history(self, orders: pd.DataFrame) -> Any:
        from ltvlib.history import OrderHistory

        return OrderHistory(orders, as_of=self.as_of)

    def summary(self, history: Any = None) -> pd.DataFrame:
        """The customer summary at ``as_of`` (``customers.SUMMARY_COLUMNS`` with the product columns), computed
        once per run: read from the run's share folder when another page computed it, else computed from
        ``history`` (an ``OrderHistory`` with product fields the page already has, or a function making one;
        default: the page's ``history()`` when it made one, else a history made for the summary and released)."""
        if "summary" not in self._memo:
            def compute() -> pd.DataFrame:
                if history is not None:
                    h = history() if callable(history) else history
                elif "history" in self._memo:
                    h = self._memo["history"]
                else:  # for the summary only, then released: a page that reads only the summary holds no history
                    with self.store() as store:
                        h = self._new_history(store.orders(self._history_columns()))
                if not h.has_line_items:
                    raise ValueError("the shared customer summary has the product columns: give a history with "
                                     "line items or the orders' first product (store.FIRST_ITEM_COLUMNS)")
                return h.snapshot(self.as_of).summary()
            self._memo["summary"] = self.shared_frame("summary", compute)
        return self._memo["summary"]

    # -- sharing within a run ------------------------------------------------------------------------------
    @property
    def share_dir(self) -> Path | None:
        """The run's share folder (``<out_dir>/.shared``, made by ``ltv run``); None outside a run."""
        d = self.out_dir / SHARE_DIR
        return d if d.is_dir() else None

    def share_key(self, **extra: Any) -> str:
        """What a shared result depends on: the store's data version, ``as_of``, the time zone, the thresholds
        (and ``extra``), as one digest."""
        text = json.dumps({"data": self.version, "as_of": self.as_of.isoformat(), "timezone": self.timezone,
                           "thresholds": self.thresholds, **extra}, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @contextlib.contextmanager
    def _locked(self, name: str) -> Iterator[Path | None]:
        d = self.share_dir
        if d is None:
            yield None
            return
        with open(d / f"{name}.lock", "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)  # the first kernel computes, the others wait and read
            try:
                yield d
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def shared_frame(self, name: str, compute: Callable[[], pd.DataFrame], **key: Any) -> pd.DataFrame:
        """``compute()`` once per run: the frame from ``<share>/<name>.parquet`` when its key matches, else
        computed (and written there when in a run)."""
        with self._locked(name) as d:
            if d is None:
                return compute()
            path, want = d / f"{name}.parquet", self.share_key(**key)
            frame = _read_frame(path, want)
            if frame is None:
                frame = compute()
                _write_frame(frame, path, want)
            return frame

    def shared_json(self, name: str, **key: Any) -> Any:
        """The JSON value another page of this run shared as ``name`` (None when none, or its key differs)."""
        d = self.share_dir
        if d is None or not (d / f"{name}.json").is_file():
            return None
        try:
            doc = json.loads((d / f"{name}.json").read_text(encoding="utf-8"))
        except ValueError:
            return None
        return doc.get("value") if isinstance(doc, dict) and doc.get("key") == self.share_key(**key) else None

    def share_json(self, name: str, value: Any, **key: Any) -> Path | None:
        """Share ``value`` (JSON) with the other pages of this run as ``name``; nothing outside a run."""
        d = self.share_dir
        if d is None:
            return None
        path = d / f"{name}.json"
        _atomic_write(path, json.dumps({"key": self.share_key(**key), "value": value}, allow_nan=False).encode())
        return path


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_KEY = b"ltv_share_key"


def _write_frame(frame: pd.DataFrame, path: Path, key: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=True)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), _KEY: key.encode()})
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_frame(path: Path, key: str) -> pd.DataFrame | None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ltvlib.store import TEXT

    # text as the store gives it (arrow-backed), not one Python object per value as the file's metadata says
    text_types = {pa.string(): TEXT, pa.large_string(): TEXT, pa.string_view(): TEXT}
    if not path.is_file():
        return None
    try:
        if (pq.read_schema(path).metadata or {}).get(_KEY) != key.encode():
            return None
        # column by column, each arrow buffer released once converted: the peak is the frame, not twice it
        frame = pq.read_table(path).to_pandas(split_blocks=True, self_destruct=True, types_mapper=text_types.get)
        if isinstance(frame.index.dtype, pd.StringDtype):  # the index as computed (OrderHistory.key_index)
            frame.index = frame.index.astype(object)
        return frame
    except Exception:  # a damaged or foreign file is recomputed, never trusted
        return None


def context(shop: str | Path | ShopParams, as_of: dt.date | str | None = None, *, audience: str | None = None,
            out_dir: str | Path = ".") -> Context:
    """Everything a report notebook needs (see :class:`Context`): ``shop`` is a shop id, a params file or
    loaded params; ``as_of`` None is ``ShopParams.report_date``'s default."""
    params = shop if isinstance(shop, ShopParams) else load_shop_params(shop)
    return Context(params, as_of, audience=audience, out_dir=out_dir)
