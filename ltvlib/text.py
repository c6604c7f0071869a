"""Text from data (product names, codes, tags, channels, shop names, labels from params) made safe for a page.

Every string that comes from an export, a list CSV or params passes through one of these before it reaches
a report, so it shows as the characters it holds and never as markup:

* :func:`md`: inside Markdown (``display(Markdown(...))``, prose modules): HTML and Markdown syntax escaped.
* :func:`html_text`: inside HTML text or attribute values.
* :func:`plot_text`: matplotlib titles, ticks and legends (``$`` would start mathtext).
* :func:`plotly_text`: plotly labels and hover text (plotly renders a subset of HTML tags and entities).
"""

from __future__ import annotations

import html
import re

__all__ = ["html_text", "md", "plot_text", "plotly_text"]

_MD_PUNCT = re.compile(r"([\\`*_\[\]()#+\-.!|~$])")
_BREAKS = re.compile(r"[\r\n\t\f\v\u2028\u2029]+")


def md(text: object) -> str:
    """``text`` as literal Markdown inline text: ``<``, ``>``, ``&`` as entities, Markdown punctuation
    backslash-escaped, line breaks as spaces (a name cannot start a heading, list, table or block)."""
    s = _BREAKS.sub(" ", str(text))
    s = _MD_PUNCT.sub(r"\\\1", s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_text(text: object) -> str:
    """``text`` escaped for HTML text and quoted attribute values."""
    return html.escape(str(text), quote=True)


def plot_text(text: object) -> str:
    """``text`` for a matplotlib title, tick or legend: ``$`` escaped so it never starts mathtext."""
    return str(text).replace("$", r"\$")


def plotly_text(text: object) -> str:
    """``text`` for a plotly label or hover text: ``&``, ``<``, ``>`` as entities (plotly shows them as characters)."""
    return html.escape(str(text), quote=False)
