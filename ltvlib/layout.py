"""The frame every report page shares: language and title, a header with the shop, ``as_of`` and links to
the index and the other pages, a table of contents, and one stylesheet (``assets/report.css``) with the
shop's branding (accent colour, logo). Pages stay self-contained: the stylesheet and the logo are inlined.

Everything from params (shop name, titles, prepared-by, logo) is escaped here; the pages' own content
was escaped where it was written (``ltvlib.text``).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import mimetypes
import re
from importlib import resources
from pathlib import Path

from ltvlib.errors import LtvError
from ltvlib.labels import label
from ltvlib.params import ShopParams

__all__ = ["STYLESHEET", "frame_page", "header", "page_title", "style"]

STYLESHEET = "report.css"
_H2 = re.compile(r'<h2 id="(?P<id>[^"]+)">(?P<text>.*?)(?:<a class="anchor-link"[^>]*>.*?</a>)?</h2>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def page_title(params: ShopParams, page: str | None) -> str:
    """The title of a page (None: the index): the page's name, then the shop's report title."""
    report = params.report.get("branding", {}).get("title") or f"{params.name} — {label('report_title', params.language)}"
    return report if page is None else f"{label(f'page_{page}', params.language)} | {report}"


def style(params: ShopParams) -> str:
    """The shared stylesheet with the shop's accent colour, as a ``<style>`` element."""
    css = resources.files("ltvlib").joinpath("assets", STYLESHEET).read_text(encoding="utf-8")
    accent = params.report.get("branding", {}).get("accent") or "#2f5d8a"
    return f'<style id="ltv-style">:root{{--ltv-accent:{html.escape(accent)}}}\n{css}</style>'


def _logo(params: ShopParams) -> str:
    path = params.report.get("branding", {}).get("logo")
    if not path:
        return ""
    p = Path(path) if Path(path).is_absolute() else Path(params.path).parent / path
    kind = mimetypes.guess_type(p.name)[0]
    if kind not in ("image/png", "image/jpeg", "image/svg+xml") or not p.is_file():
        raise LtvError(f"{params.path}: report.branding.logo: {p} is not a PNG, JPEG or SVG file. Give the path "
                       "of one (relative to the params file), or null for no logo.")
    data = base64.b64encode(p.read_bytes()).decode("ascii")
    return f'<img class="ltv-logo" alt="" src="data:{kind};base64,{data}">'


def header(params: ShopParams, as_of: dt.date, pages: list[str], current: str | None,
           failed: frozenset[str] = frozenset()) -> str:
    """The header of a page: logo, shop, ``as_of``, prepared by, and navigation (index first)."""
    lang, esc = params.language, html.escape
    branding = params.report.get("branding", {})
    links = [f'<a href="index.html"{" aria-current=page" if current is None else ""}>{esc(label("index", lang))}</a>']
    for nb in pages:
        name = esc(label(f"page_{nb}", lang))
        if nb in failed:
            links.append(f'<span class="ltv-failed">{name}</span>')
        else:
            links.append(f'<a href="{esc(nb)}.html"{" aria-current=page" if nb == current else ""}>{name}</a>')
    prepared = branding.get("prepared_by")
    meta = f"{esc(label('as_of', lang))}: {as_of.isoformat()}" + (f" · {esc(prepared)}" if prepared else "")
    return (f'<header class="ltv-header">{_logo(params)}<div class="ltv-shop">{esc(params.name)}'
            f'<span class="ltv-meta">{meta}</span></div><nav aria-label="{esc(label("reports", lang))}">'
            f'{"".join(links)}</nav></header>')


def _contents(body: str, lang: str) -> str:
    """A table of contents of the page's sections (its ``h2`` headings, which nbconvert gives ids)."""
    items = [f'<li><a href="#{m["id"]}">{_TAGS.sub("", m["text"]).strip()}</a></li>' for m in _H2.finditer(body)]
    if len(items) < 2:
        return ""
    return f'<nav class="ltv-toc"><strong>{html.escape(label("contents", lang))}</strong><ol>{"".join(items)}</ol></nav>'


def frame_page(body: str, params: ShopParams, as_of: dt.date, pages: list[str], current: str) -> str:
    """An nbconvert page framed: ``lang`` and ``<title>``, the shared style, header and contents."""
    lang = params.language
    body = re.sub(r"<html[^>]*>", f'<html lang="{lang}">', body, count=1)
    body = re.sub(r"<title>.*?</title>", f"<title>{html.escape(page_title(params, current))}</title>", body,
                  count=1, flags=re.S)
    body = body.replace("</head>", style(params) + "</head>", 1)
    top = header(params, as_of, pages, current) + _contents(body, lang)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + top, body, count=1)
