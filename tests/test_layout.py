"""The frame of every report page: lang, title, header navigation, contents, stylesheet and branding."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from ltvlib.errors import LtvError
from ltvlib.layout import frame_page
from ltvlib.params import load_shop_params

AS_OF = dt.date(2026, 6, 30)
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>Notebook</title></head>
<body class="jp-Notebook"><main>
<h1 id="t">Title</h1>
<h2 id="grid">Status grid<a class="anchor-link" href="#grid">¶</a></h2><p>a</p>
<h2 id="%E3%82%B9">ステージ<a class="anchor-link" href="#%E3%82%B9">¶</a></h2><p>b</p>
</main></body></html>"""


def params(tmp_path: Path, language: str = "ja", branding: str = "") -> object:
    p = tmp_path / "s.yaml"
    p.write_text(f"shop: s\nname: '<b>Tea & Co</b>'\nstore: s.duckdb\nlanguage: {language}\n"
                 f"report:\n  notebooks: [rfm, segments, clv]\n{branding}", encoding="utf-8")
    return load_shop_params(p)


def test_a_page_gets_lang_title_header_and_contents(tmp_path: Path) -> None:
    page = frame_page(PAGE, params(tmp_path), AS_OF, ["rfm", "segments", "clv"], "segments")
    assert page.count("<html") == 1 and '<html lang="ja">' in page
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert title.startswith("セグメント | ") and "&lt;b&gt;Tea &amp; Co&lt;/b&gt;" in title
    assert "<b>Tea" not in page  # the shop name is text, never markup
    nav = re.search(r'<header class="ltv-header">.*?</header>', page, re.S).group(0)
    assert re.findall(r'href="([^"]+)"', nav) == ["index.html", "rfm.html", "segments.html", "clv.html"]
    assert re.search(r'<a href="segments.html" aria-current=page>', nav)
    assert "基準日: 2026-06-30" in nav
    toc = re.search(r'<nav class="ltv-toc">.*?</nav>', page, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', toc) == ["grid", "%E3%82%B9"] and "¶" not in toc
    assert page.index('<style id="ltv-style">') < page.index("</head>") < page.index('<header class="ltv-header">')
    assert "--ltv-accent:#2f5d8a" in page


def test_branding_accent_and_logo(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    p = params(tmp_path, "en", "  branding:\n    accent: '#aa0011'\n    logo: logo.png\n    prepared_by: Ann <Co>\n")
    page = frame_page(PAGE, p, AS_OF, ["rfm"], "rfm")
    assert '<html lang="en">' in page and "--ltv-accent:#aa0011" in page
    assert '<img class="ltv-logo" alt="" src="data:image/png;base64,iVBORw0KGgpmYWtl">' in page
    assert "Ann &lt;Co&gt;" in page and "Ann <Co>" not in page


def test_a_bad_accent_or_logo_is_a_clear_error(tmp_path: Path) -> None:
    from ltvlib.params import ParamsError

    with pytest.raises(ParamsError, match=r"report.branding.accent"):
        params(tmp_path, "en", "  branding:\n    accent: 'red; } body { display:none'\n")
    p = params(tmp_path, "en", "  branding:\n    logo: missing.png\n")
    with pytest.raises(LtvError, match=r"report.branding.logo: .*missing.png is not a PNG, JPEG or SVG file"):
        frame_page(PAGE, p, AS_OF, ["rfm"], "rfm")
