"""Input loaders: exports in, canonical ``orders`` and ``line_items`` tables out, every row accounted for.

* :func:`read_shopify_orders`: one Shopify admin "Export orders" CSV.
* :func:`read_mapped`: one CSV/TSV/Parquet file through a column mapping (marketplaces, other carts).
* :func:`load_files`: a shop's list of files, with loader detection, cross-file dedupe and product lines;
  :func:`load_sources`: the same, each file with its own source's loader, mapping and product lines.
* :func:`assign_product_lines`: product lines from vendor or title rules.
* :func:`read_text_table` / :func:`detect_encoding`: encoding-aware reading for other CSV imports.

Bad input raises :class:`InputError` (a ValueError) that names file, row and column.
"""

from ltvlib.io.encoding import detect_encoding, read_text_table
from ltvlib.io.errors import InputError
from ltvlib.io.generic import read_mapped
from ltvlib.io.load import load_files, load_sources
from ltvlib.io.product_lines import assign_product_lines
from ltvlib.io.result import LINE_ITEM_COLUMNS, ORDER_COLUMNS, REASONS, ImportResult
from ltvlib.io.shopify import read_shopify_orders

__all__ = [
    "LINE_ITEM_COLUMNS",
    "ORDER_COLUMNS",
    "REASONS",
    "ImportResult",
    "InputError",
    "assign_product_lines",
    "detect_encoding",
    "load_files",
    "load_sources",
    "read_mapped",
    "read_shopify_orders",
    "read_text_table",
]
