"""The portfolio page: every shop of a batch side by side, ``reports/_portfolio/<as_of>/``.

One row per shop with its key figures, read from the shop's own report (``<notebook>.figures.json`` of
``reports/<shop>/<as_of>/``, so the page shows exactly what each shop's report shows), the change since the
shop's previous complete report (the latest earlier ``as_of`` folder), and the quartiles across shops of each
figure (money figures within one currency only: yen and dollars do not mix).

Three files: ``index.html`` (the consultant's page: shop names, run status, links to each report),
``client.html`` (for a client: shops anonymised as Shop A, B, ..., no links, no names, no paths) and
``portfolio.json`` (the same numbers for machines and tests). Self-contained, offline, every text escaped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ltvlib.report import atomic_write_text, read_figures
from ltvlib.text import html_text as esc

__all__ = ["FIGURES", "PortfolioShop", "PORTFOLIO_DIR", "collect", "previous_report", "shop_letter",
           "write_portfolio"]

PORTFOLIO_DIR = "_portfolio"

# (column, kind, [(notebook, key in its key_figures), ...] first found wins; the second names are those of
# reports made before a key was renamed, so a previous run still compares)
FIGURES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("customers", "count", (("rfm", "customers"),)),
    ("active_share", "share", (("rfm", "active_share"),)),
    ("repeat_rate_365d", "share", (("cohorts", "repeat_rate_365d"),)),
    ("ltv_12", "money", (("cohorts", "ltv_12"),)),
    ("clv_mean", "money", (("clv", "clv_mean"),)),
    ("clv_total", "money", (("clv", "clv_total"),)),
    ("lapsed", "count", (("winback", "lapsed_customers"), ("winback", "dormant_customers"))),
    ("winback_expected", "count", (("winback", "expected_returns_without_offer"),)),
)

_LABELS = {
    "en": {
        "title": "Portfolio", "as_of": "As of", "shop": "Shop", "status": "Run", "report": "report",
        "customers": "Customers", "active_share": "Active share", "repeat_rate_365d": "Repeat within 365 days",
        "ltv_12": "LTV after 12 months", "clv_mean": "Predicted CLV per customer", "clv_total": "Predicted CLV",
        "lapsed": "Lapsed base", "winback_expected": "Expected win-back (target list)",
        "q1": "Lower quartile", "median": "Median", "q3": "Upper quartile", "shops": "shops",
        "note": "Each shop's figures are those of its own report of this date; below each, the change since its "
                "previous report. Quartiles are across the shops that have the figure (money within one currency). "
                "A dash: the figure is not in the shop's report (page not run, or not computable).",
        "client_note": "Shops are anonymised. Each figure is as in the shop's own report of this date; below it, "
                       "the change since its previous report. Quartiles place a shop among the others.",
        "no_report": "no report", "previous": "previous report",
    },
    "ja": {
        "title": "ポートフォリオ", "as_of": "基準日", "shop": "ショップ", "status": "実行", "report": "レポート",
        "customers": "顧客数", "active_share": "アクティブ比率", "repeat_rate_365d": "365日以内のリピート率",
        "ltv_12": "12か月後のLTV", "clv_mean": "1人あたり予測CLV", "clv_total": "予測CLV合計",
        "lapsed": "購入途絶顧客数", "winback_expected": "期待復帰数（ターゲットリスト）",
        "q1": "第1四分位", "median": "中央値", "q3": "第3四分位", "shops": "ショップ",
        "note": "各ショップの数値はその日付のショップ自身のレポートの値です。下段は前回レポートからの変化。"
                "四分位は数値のあるショップ間（金額は同じ通貨の中）で計算しています。「–」はレポートにない数値です。",
        "client_note": "ショップ名は匿名化しています。各数値はショップ自身のレポートの値、下段は前回レポートからの変化です。"
                       "四分位でほかのショップとの位置がわかります。",
        "no_report": "レポートなし", "previous": "前回レポート",
    },
}


@dataclass(frozen=True)
class PortfolioShop:
    """A shop of the batch: id, display name, currency, language, ``as_of`` and this run's status."""

    shop: str
    name: str
    currency: str
    language: str
    as_of: dt.date
    status: str


def shop_letter(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the anonymous name of the i-th shop."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _complete(report_dir: Path) -> bool:
    try:
        record = json.loads((report_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(record.get("complete")) and (report_dir / "index.html").is_file()


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def previous_report(shop_dir: Path, as_of: dt.date) -> Path | None:
    """The shop's latest complete report folder of a date before ``as_of`` (None if there is none)."""
    dates = sorted((p for p in shop_dir.iterdir() if _DATE.match(p.name) and p.name < as_of.isoformat()),
                   reverse=True) if shop_dir.is_dir() else []
    return next((p for p in dates if _complete(p)), None)


def _values(report_dir: Path | None) -> dict[str, float | None]:
    """The page's figures from a report folder's figures JSON (None where absent or not computable)."""
    figs = read_figures(report_dir) if report_dir is not None else {}
    out: dict[str, float | None] = {}
    for col, _, sources in FIGURES:
        out[col] = None
        for nb, key in sources:
            item = figs.get(nb, {}).get("key_figures", {}).get(key)
            if isinstance(item, dict) and isinstance(item.get("value"), (int, float)):
                out[col] = item["value"]
                break
    return out


def _quartiles(values: list[float]) -> dict[str, float | int]:
    q1, med, q3 = np.percentile(np.asarray(values, dtype=float), [25, 50, 75])
    return {"q1": float(q1), "median": float(med), "q3": float(q3), "n": len(values)}


def collect(shops: list[PortfolioShop], reports_root: Path, as_of: dt.date) -> dict[str, Any]:
    """The page's numbers for the shops of ``as_of``: per shop its figures, the previous report's figures and the
    change; per figure the quartiles across shops (money figures per currency)."""
    rows = []
    for s in sorted(shops, key=lambda s: s.shop):
        report = reports_root / s.shop / as_of.isoformat()
        report = report if _complete(report) else None
        prev = previous_report(reports_root / s.shop, as_of)
        now, before = _values(report), _values(prev)
        rows.append({"shop": s.shop, "name": s.name, "currency": s.currency, "status": s.status,
                     "report": None if report is None else f"../../{s.shop}/{as_of.isoformat()}/index.html",
                     "previous_as_of": None if prev is None else prev.name, "figures": now, "previous": before,
                     "change": {k: None if now[k] is None or before[k] is None else now[k] - before[k] for k in now}})
    quartiles: dict[str, dict[str, dict[str, float | int]]] = {}
    for col, kind, _ in FIGURES:
        groups: dict[str, list[float]] = {}
        for r in rows:
            if r["figures"][col] is not None:
                groups.setdefault(r["currency"] if kind == "money" else "", []).append(r["figures"][col])
        quartiles[col] = {cur: _quartiles(vals) for cur, vals in sorted(groups.items())}
    return {"as_of": as_of.isoformat(), "shops": rows, "quartiles": quartiles}


def _fmt(value: float | None, kind: str, currency: str, change: bool = False) -> str:
    if value is None:
        return "–"
    sign = "+" if change else ""
    if kind == "share":
        return f"{value * 100:{sign}.1f} pt" if change else f"{value:.1%}"
    text = f"{value:{sign},.0f}"
    return f"{text} {currency}" if kind == "money" else text


_STYLE = """body{font-family:"Hiragino Sans","Noto Sans JP","Yu Gothic",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;font-size:14px}th,td{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right;
vertical-align:top}th:first-child,td:first-child{text-align:left}thead th{background:#f4f4f4}
small{color:#666;display:block}tr.q td{background:#fafafa;font-style:italic}.bad{color:#8a5a00}"""


def _page(data: dict[str, Any], lang: str, client: bool) -> str:
    lab = _LABELS[lang]
    head = "".join(f"<th>{esc(lab[col])}</th>" for col, _, _ in FIGURES)
    body = []
    for i, r in enumerate(data["shops"]):
        if client:
            first = esc(f"{'Shop' if lang == 'en' else 'ショップ'} {shop_letter(i)}")
        else:
            name = esc(r["name"]) + f"<small>{esc(r['shop'])} · {esc(r['status'])}</small>"
            first = (f'<a href="{esc(r["report"])}">{name}</a>' if r["report"] else
                     f'{name}<small class="bad">{esc(lab["no_report"])}</small>')
        cells = []
        for col, kind, _ in FIGURES:
            value, change = r["figures"][col], r["change"][col]
            shown = esc(_fmt(value, kind, r["currency"]))
            if change is not None:
                shown += f"<small>{esc(_fmt(change, kind, r['currency'], change=True))}</small>"
            cells.append(f"<td>{shown}</td>")
        body.append(f"<tr><td>{first}</td>{''.join(cells)}</tr>")
    for q in ("q1", "median", "q3"):
        cells = []
        for col, kind, _ in FIGURES:
            parts = [_fmt(v[q], kind, cur) + (f" (n={v['n']})" if q == "median" else "")
                     for cur, v in data["quartiles"][col].items()]
            cells.append(f"<td>{'<br>'.join(esc(p) for p in parts) or '–'}</td>")
        body.append(f'<tr class="q"><td>{esc(lab[q])}</td>{"".join(cells)}</tr>')
    title = f"{lab['title']} — {lab['as_of']} {data['as_of']}"
    return f"""<!DOCTYPE html>
<html lang="{esc(lang)}"><head><meta charset="utf-8"><title>{esc(title)}</title><style>{_STYLE}</style></head>
<body><h1>{esc(title)}</h1><p>{esc(lab['client_note' if client else 'note'])}</p>
<table><thead><tr><th>{esc(lab['shop'])}</th>{head}</tr></thead><tbody>
{chr(10).join(body)}
</tbody></table></body></html>
"""


def write_portfolio(shops: list[PortfolioShop], reports_root: Path) -> list[Path]:
    """Write ``reports_root/_portfolio/<as_of>/`` (index.html, client.html, portfolio.json) for each ``as_of``
    among ``shops``; return the index.html paths. The page is in Japanese when every shop's is, else English."""
    pages = []
    for as_of in sorted({s.as_of for s in shops}):
        group = [s for s in shops if s.as_of == as_of]
        data = collect(group, Path(reports_root).resolve(), as_of)
        lang = "ja" if all(s.language == "ja" for s in group) else "en"
        out = Path(reports_root).resolve() / PORTFOLIO_DIR / as_of.isoformat()
        atomic_write_text(out / "portfolio.json", json.dumps(data, ensure_ascii=False, indent=2))
        atomic_write_text(out / "client.html", _page(data, lang, client=True))
        atomic_write_text(out / "index.html", _page(data, lang, client=False))
        pages.append(out / "index.html")
    return pages
