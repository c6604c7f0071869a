"""Importing a shop's list of export files in one call: loader choice, cross-file dedupe, product lines."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from ltvlib.io.encoding import TextFile
from ltvlib.io.errors import InputError
from ltvlib.io.generic import load_mapped
from ltvlib.io.result import FileLoad, ImportResult, combine
from ltvlib.io.shopify import CUSTOMER_EXPORT_SIGNS, load_shopify, looks_like_shopify_orders

LOADERS = ("auto", "shopify", "mapped")


def load_files(
    paths: list[str | os.PathLike],
    *,
    timezone: str,
    loader: str = "auto",
    mapping: dict | None = None,
    product_lines: dict | None = None,
) -> ImportResult:
    """Load export files in order into one ImportResult.

    ``loader``: ``'auto'`` reads a file with a Shopify orders header (Name, Created at, Lineitem name)
    as a Shopify export and any other file through ``mapping``; ``'shopify'`` or ``'mapped'`` force one.
    An order_id found in several files is taken from the last file in ``paths`` (a newer export wins);
    earlier copies are counted ``duplicate_superseded``; a file listed twice is read once, at its last
    place. ``product_lines`` rules are then applied (see :func:`~ltvlib.io.assign_product_lines`).
    """
    if loader not in LOADERS:
        raise ValueError(f"loader must be one of {', '.join(LOADERS)}, not {loader!r}")
    if not paths:
        raise InputError("sources", "no input files were given",
                         "List the export files under 'sources' in the shop's params.")
    last = {Path(p).resolve(): i for i, p in enumerate(paths)}
    paths = [p for i, p in enumerate(paths) if last[Path(p).resolve()] == i]  # a repeated file loads once
    names = [Path(p).name for p in paths]
    repeated = Counter(names)
    names = [str(p) if repeated[n] > 1 else n for p, n in zip(paths, names)]
    loads = [_load_one(Path(p), name, timezone, loader, mapping) for p, name in zip(paths, names)]
    return combine(loads, product_lines)


def _load_one(path: Path, name: str, timezone: str, loader: str, mapping: dict | None) -> FileLoad:
    if loader == "shopify":
        return load_shopify(TextFile.open(path, label=name), timezone=timezone)
    if loader == "auto":
        text = None if path.suffix.lower() == ".parquet" else TextFile.open(path, label=name)
        if text is not None and looks_like_shopify_orders(text.header):
            return load_shopify(text, timezone=timezone)
        if mapping is None:
            _not_an_orders_export(text, name)
    if mapping is None:
        raise InputError(name, "the mapped loader needs a column mapping, and none was given",
                         "Add a 'mapping' to this source in the shop's params.")
    return load_mapped(path, mapping=mapping, timezone=timezone, source_name=name)


def _not_an_orders_export(text: TextFile | None, name: str) -> None:
    header = () if text is None else text.header
    if all(sign in header for sign in CUSTOMER_EXPORT_SIGNS):
        hint = "This looks like a Shopify customers export; import the orders export (Orders > Export)."
    else:
        hint = ("Export orders from the Shopify admin (Orders > Export), or give this source a column "
                "mapping in the shop's params.")
    columns = f" The file has the columns: {', '.join(header)}." if header else ""
    raise InputError(name, "this is not a Shopify orders export, and no column mapping was given",
                     hint + columns)
