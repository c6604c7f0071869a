"""Text from data never becomes markup: a shop whose every text field holds HTML/Markdown gets a full report
(every notebook, client and analyst) in which no element or attribute from the data is live.

The shop (``shapes.write_hostile_shop``) carries ``alert(N)`` payloads in product titles, vendors, product
lines, discount codes, tags, order names, sources (channels), shop name, branding, a segment's en/ja labels
and group, a journey title and an imported list's name and description. Every page is parsed: no attribute anywhere may
hold ``alert(``, no script may be a payload, plotly's data may hold payloads only escaped, and HTML or Markdown
carried inside JSON scripts (widget state) is checked the same way. The payloads must still be readable text.
"""

from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from ltvlib.cli import main
from ltvlib.params import load_shop_params
from ltvlib.text import html_text, md, plot_text, plotly_text

sys.path.insert(0, str(Path(__file__).parent))
import shapes  # noqa: E402
from pagecheck import page_problems, visible_text  # noqa: E402

PAYLOADS = [*shapes.MARKUP.values(), "<b onmouseover=alert(17)>d</b>"]
LIST_NAME, LIST_DESCRIPTION = shapes.MARKUP["list"], PAYLOADS[-1]


class _Page(HTMLParser):
    """Elements, attributes and scripts of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: list[tuple[str, str, str]] = []
        self.scripts: list[tuple[str, str]] = []  # (type, body)
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs += [(tag, name, value or "") for name, value in attrs]
        if tag == "script":
            self._script = dict(attrs).get("type") or ""
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            kind, body = self.scripts[-1]
            self.scripts[-1] = (kind, body + data)


def _inert(name: str, value: str) -> bool:
    """An attribute that holds text but never runs it: a heading's ``id`` or a link to it (``href="#..."``)."""
    return name == "id" or (name == "href" and value.startswith("#"))


def _unescape_js(body: str) -> str:
    """A script's text with JSON/JS string escapes of markup characters undone."""
    for esc, ch in (("\\u003c", "<"), ("\\u003e", ">"), ("\\u0026", "&"), ("\\/", "/"), ('\\"', '"')):
        body = body.replace(esc, ch).replace(esc.upper(), ch)
    return body


def _markup_in_json(value: Any) -> list[str]:
    """HTML and Markdown held in a JSON document (e.g. widget outputs), as HTML to check."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    out = []
    if isinstance(value, dict):
        for key, item in value.items():
            text = "".join(item) if isinstance(item, list) and all(isinstance(i, str) for i in item) else item
            if key == "text/html" and isinstance(text, str):
                out.append(text)
            elif key == "text/markdown" and isinstance(text, str):
                out.append(markdown2html_mistune(text))
            else:
                out += _markup_in_json(item)
    elif isinstance(value, list):
        for item in value:
            out += _markup_in_json(item)
    return out


def live_markup(html: str) -> list[str]:
    """Markup from the data that a browser would run or render on this page ('' problems when none)."""
    page = _Page()
    page.feed(html)
    problems = [f"<{tag} {name}={value!r}>" for tag, name, value in page.attrs
                if "alert(" in name + value and not _inert(name, value)]
    for kind, body in page.scripts:
        if re.fullmatch(r"\s*alert\(\d+\)\s*", body):
            problems.append(f"<script>{body}</script>")
        elif "json" in kind and body.strip():
            for inner in _markup_in_json(json.loads(body)):
                problems += live_markup(inner)
        else:
            plain = _unescape_js(body)
            problems += [f"script holds {p!r} unescaped" for p in PAYLOADS if p in plain]
    return problems


def test_helpers_escape() -> None:
    assert md("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert\\(1\\)&gt;"
    assert md("[a](javascript:x) *b* `c` | d\n# e") == "\\[a\\]\\(javascript:x\\) \\*b\\* \\`c\\` \\| d \\# e"
    assert md("AT&T 5$") == "AT&amp;T 5\\$"
    assert html_text('<b a="1">&') == "&lt;b a=&quot;1&quot;&gt;&amp;"
    assert plot_text("$x$ and $5") == r"\$x\$ and \$5"
    assert plotly_text("<b>A & B</b>") == "&lt;b&gt;A &amp; B&lt;/b&gt;"


def test_markdown_escape_renders_literally() -> None:
    """What ``md`` makes of markup, rendered by nbconvert as a report page is, reads as the original text."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    for p in PAYLOADS:
        html = markdown2html_mistune(f"- **{md(p)}** and *{md(p)}*")
        assert not live_markup(html), (p, html)
        assert visible_text(html).count(p) == 2, (p, html)


def test_checker_finds_live_markup() -> None:
    assert live_markup('<p><img src=x onerror=alert(1)></p>')
    assert live_markup('<a href="javascript:alert(8)">x</a>')
    assert live_markup("<script>alert(3)</script>")
    assert live_markup('<script>Plotly.newPlot("d", [{"label": ["\\u003cimg src=x onerror=alert(1)\\u003e Blend"]}])'
                       "</script>")
    widget = {"outputs": [{"data": {"text/html": "<b onmouseover=alert(2)>V</b>"}}]}
    assert live_markup(f'<script type="application/vnd.jupyter.widget-state+json">{json.dumps(widget)}</script>')
    assert not live_markup("<p>&lt;img src=x onerror=alert(1)&gt;</p>")


@pytest.mark.slow
@pytest.mark.parametrize("lang,audience", [("ja", "client"), ("en", "analyst")])
def test_markup_from_data_is_never_live(tmp_path: Path, lang: str, audience: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = shapes.write_hostile_shop(tmp_path / "shop", language=lang)
    assert main(["import", str(path)]) == 0
    members = tmp_path / "list.csv"
    members.write_text("email\n" + "".join(f"h{i:03d}@example.com\n" for i in range(1, 41)), encoding="utf-8")
    assert main(["segment", "import", str(path), LIST_NAME, str(members), "--description", LIST_DESCRIPTION,
                 "--control-share", "0.5", "--seed", "1", "--as-of", "2025-06-30"]) == 0
    params = load_shop_params(path)
    code = main(["run", str(path), "--audience", audience, "--reports-dir", str(tmp_path / "reports")])
    out = capsys.readouterr()
    assert code == 0, out.err[-2000:]
    folder = tmp_path / "reports" / params.shop / params.as_of.isoformat()
    pages = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))}
    assert set(pages) == {"index.html", *(f"{nb}.html" for nb in params.report["notebooks"])}
    live = {name: live_markup(html) for name, html in pages.items()}
    assert not any(live.values()), {k: v[:5] for k, v in live.items() if v}
    problems = {name: page_problems(html) for name, html in pages.items()}
    assert not any(problems.values()), {k: v[:3] for k, v in problems.items() if v}
    texts = {name: visible_text(html) for name, html in pages.items()}
    assert shapes.MARKUP["title"] in texts["index.html"] and shapes.MARKUP["prepared_by"] in texts["index.html"]
    for name, text in texts.items():  # shown as the characters it holds, no escape left over
        if name != "index.html":
            assert shapes.MARKUP["shop"] in text, name
        assert not re.search(r"\\[\\`*_\[\]()#+\-.!|~$]|&(lt|gt|amp);", text), (name, text[:300])
    label = shapes.MARKUP["segment_ja" if lang == "ja" else "segment_en"]
    assert label in texts["segments.html"] and LIST_NAME in texts["segments.html"]
    assert shapes.MARKUP["group"] in texts["segments.html"]
    assert shapes.MARKUP["journey"] in texts["journey.html"]
