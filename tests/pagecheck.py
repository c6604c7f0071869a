"""What a client must never see on a report page: missing-value words, error texts, empty charts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BAD_WORDS = re.compile(r"(?<![\w-])(NaN|nan|None|NaT|inf|-inf|Infinity|undefined|Traceback)(?![\w-])|\w+(Error|Exception)\b")


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """Collects text outside scripts, styles and (analyst pages) code input areas."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._stack: list[bool] = []  # per open element: whether it hides its content
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in VOID:
            return
        cls = dict(attrs).get("class") or ""
        hides = tag in ("script", "style") or "jp-InputArea" in cls.split()
        self._stack.append(hides)
        self._skip += hides

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self._stack:
            return
        self._skip -= self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a reader sees (scripts and styles left out)."""
    p = _Text()
    p.feed(html)
    return " ".join(p.parts)


def page_problems(html: str) -> list[str]:
    """Problems a reader would see on a report page; empty when the page is clean."""
    out = []
    text = visible_text(html)
    for m in BAD_WORDS.finditer(text):
        out.append(f"shows {m.group(0)!r}: ...{text[max(0, m.start() - 80):m.end() + 40]!r}...")
    if 'data-mime-type="application/vnd.jupyter.stderr"' in html:
        i = html.index('data-mime-type="application/vnd.jupyter.stderr"')
        out.append(f"shows a stderr output (warning or log): {visible_text(html[i:i + 1500])[:300]!r}")
    if "jp-OutputArea-output" in html and 'data-mime-type="application/vnd.jupyter.error"' in html:
        out.append("shows an error output")
    for _m in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*\[\s*\]', html):
        out.append("has a plotly chart with no data")
    return out
