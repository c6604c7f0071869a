"""Importing a shop's list of export files in one call: loader choice, cross-file dedupe, product lines."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ltvlib.io.encoding import TextFile
from ltvlib.io.errors import InputError
from ltvlib.io.generic import load_mapped
from ltvlib.io.marketplaces import BUILTIN_MAPPINGS, mapping_for
from ltvlib.io.result import FileLoad, ImportResult, combine
from ltvlib.io.shopify import (
    CUSTOMER_EXPORT_SIGNS,
    load_shopify,
    looks_like_shopify_orders,
    resembles_shopify_orders,
)

LOADERS = ("auto", "shopify", "mapped", *BUILTIN_MAPPINGS)


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
    as a Shopify export and any other file through ``mapping``; without a mapping, a header that resembles
    a Shopify export's (see :func:`~ltvlib.io.shopify.resembles_shopify_orders`) is an error naming the
    missing columns. ``'shopify'`` or ``'mapped'`` force one. An order_id found in several files is
    taken from the copy with the latest state (see :func:`~ltvlib.io.result.combine`); the other copies
    are counted ``duplicate_superseded``; a file listed twice is read once, at its last place.
    ``product_lines`` rules are then applied (see :func:`~ltvlib.io.assign_product_lines`).
    """
    settings = {"loader": loader, "mapping": mapping, "product_lines": product_lines}
    return load_sources([(p, settings) for p in paths], timezone=timezone)


def load_sources(files: list[tuple[str | os.PathLike, Mapping[str, Any]]], *, timezone: str) -> ImportResult:
    """Load export files, each with the settings of its own source, into one ImportResult.

    Each file comes with a params ``sources`` entry (``loader``, default ``'auto'``; ``mapping``;
    ``product_lines``): a shop with a Shopify export and a marketplace file reads each its own way, and each
    file's line items get the product lines of its source. ``amazon_orders`` and ``rakuten_rms`` are the
    mapped loader with a built-in mapping (see :mod:`ltvlib.io.marketplaces`). Dedupe as in :func:`load_files`.
    """
    for _, source in files:
        if source.get("loader", "auto") not in LOADERS:
            raise ValueError(f"loader must be one of {', '.join(LOADERS)}, not {source.get('loader')!r}")
    if not files:
        raise InputError("sources", "no input files were given",
                         "List the export files under 'sources' in the shop's params.")
    last = {Path(p).resolve(): i for i, (p, _) in enumerate(files)}
    files = [f for i, f in enumerate(files) if last[Path(f[0]).resolve()] == i]  # a repeated file loads once
    names = [Path(p).name for p, _ in files]
    repeated = Counter(names)
    names = [str(p) if repeated[n] > 1 else n for (p, _), n in zip(files, names)]
    loads = []
    for (p, source), name in zip(files, names):
        loader = source.get("loader") or "auto"
        loads.append(_load_one(Path(p), name, timezone, loader, mapping_for(loader, source.get("mapping"))))
    rules = [source.get("product_lines") for _, source in files]
    return combine(loads, rules[0], rules)  # each line item takes the rules of the file its order came from


def _load_one(path: Path, name: str, timezone: str, loader: str, mapping: dict | None) -> FileLoad:
    if loader == "shopify":
        return load_shopify(TextFile.open(path, label=name), timezone=timezone)
    if loader == "auto":
        text = None if path.suffix.lower() == ".parquet" else TextFile.open(path, label=name)
        if text is not None and (looks_like_shopify_orders(text.header) or (
                mapping is None and resembles_shopify_orders(text.header))):
            return load_shopify(text, timezone=timezone)  # a partial header fails naming what is missing
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
