"""The page's movers panel: a click on a Sankey link or a row of the flows table lists the customers who moved.

The movers of each flow (pseudonymised unless the shop allows personal data, the first ``rows`` of them) are
embedded as JSON (markup characters escaped as ``\\uXXXX``) keyed by the flow's CSV path, which the Sankey's
links (``customdata``) and the table's rows (``data-flow``) carry; a small script renders them with
``textContent`` only (data never becomes markup) and links the CSV for the full list.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd

from ltvlib.journey.flows import JourneyWindow
from ltvlib.journey.movers import movers_table
from ltvlib.journey.spec import Journey
from ltvlib.journey.text import _value_label, segment_label
from ltvlib.labels import label
from ltvlib.plots.web import json_script
from ltvlib.privacy import redact

__all__ = ["PANEL_COLUMNS", "movers_data", "movers_panel"]

PANEL_COLUMNS = ["email", "first_product_line", "first_channel", "orders", "net_revenue", "first_order_at",
                 "last_order_at"]  # fmt: skip
_TEXT = {
    "hint": {"en": "Click an arrow of the chart or a row of the table to list the customers who moved.",
             "ja": "図の矢印または表の行をクリックすると、移動した顧客を一覧できます。"},
    "shown": {"en": "{n} customers; the first {shown} are shown, all of them are in the CSV.",
              "ja": "{n}人。先頭の{shown}人を表示しています。全員は CSV にあります。"},
    "all": {"en": "{n} customers.", "ja": "{n}人。"},
    "csv": {"en": "Download the list (CSV)", "ja": "リストをダウンロード（CSV）"},
    "customer": {"en": "Customer", "ja": "顧客"},
}
_COLUMN_LABELS = {"first_order_at": "journey_col_first_order_at", "last_order_at": "journey_col_last_order_at"}


def _text(key: str, language: str) -> str:
    return _TEXT[key].get(language, _TEXT[key]["en"])


def _cell(value: object) -> str | int | float:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    return value if isinstance(value, (int, float)) else str(value)


def movers_data(window: JourneyWindow, journey: Journey, summary: pd.DataFrame, links: Mapping[tuple[str, str], str],
                language: str, *, show_personal_data: bool, secret: bytes, rows: int = 200) -> dict:
    """The panel's data: display columns and, per CSV path, the flow's title, count and first ``rows`` movers."""
    flows = {}
    columns: list[str] = []
    for (a, b), path in links.items():
        table = movers_table(window, a, b, summary)
        shown = redact(table.head(rows)[[c for c in PANEL_COLUMNS if c in table.columns]],
                       show_personal_data=show_personal_data, secret=secret)
        for col in ("first_channel", "last_channel"):  # display names, not codes
            if col in shown:
                shown[col] = [v if v is None or v != v else _value_label("first_channel", str(v), language)
                              for v in shown[col]]
        columns = [_text("customer", language)] + [label(_COLUMN_LABELS.get(c, c), language) for c in shown.columns]
        flows[path] = {"title": f"{segment_label(a, language, journey)} → {segment_label(b, language, journey)}",
                       "n": len(table),
                       "rows": [[_cell(k), *(_cell(v) for v in r)] for k, r in zip(shown.index, shown.itertuples(
                           index=False, name=None))]}
    return {"columns": columns, "flows": flows}


_SCRIPT = """<script>(function () {
  /* movers panel: show the movers of a flow clicked in the Sankey (event ltv-flow) or in the flows table */
  if (window.ltvMovers) return;
  window.ltvMovers = true;
  function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }
  function show(group, flow) {
    var panel = Array.prototype.find.call(document.querySelectorAll(".ltv-movers"),
                                          function (p) { return p.dataset.group === group; });
    if (!panel) return;
    var data = JSON.parse(panel.querySelector("script.ltv-movers-data").textContent), f = data.flows[flow];
    if (!f) return;
    var text = JSON.parse(panel.dataset.text), out = panel.querySelector(".ltv-movers-out");
    out.textContent = "";
    out.appendChild(el("h4", f.title));
    var note = el("p", (f.rows.length < f.n ? text.shown : text.all).replace("{n}", f.n.toLocaleString())
                        .replace("{shown}", f.rows.length.toLocaleString()) + " ");
    var a = el("a", text.csv); a.href = flow; a.setAttribute("download", "");
    note.appendChild(a); out.appendChild(note);
    var table = el("table"), head = el("tr"), body = el("tbody");
    table.className = "ltv-movers-table";
    data.columns.forEach(function (c) { head.appendChild(el("th", c)); });
    table.appendChild(el("thead")).appendChild(head);
    f.rows.forEach(function (r) {
      var tr = el("tr");
      r.forEach(function (v) {
        var td = el("td", typeof v === "number" ? v.toLocaleString() : v);
        if (typeof v === "number") td.style.textAlign = "right";
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(body); out.appendChild(table);
    panel.scrollIntoView({block: "nearest"});
  }
  document.addEventListener("ltv-flow", function (e) { show(e.detail.group, e.detail.flow); });
  document.addEventListener("click", function (e) {
    var row = e.target.closest && e.target.closest("tr[data-flow]");
    if (!row || e.target.closest("a")) return;
    show(row.closest("table").dataset.group, row.dataset.flow);
  });
})();</script>"""


def movers_panel(window: JourneyWindow, journey: Journey, summary: pd.DataFrame,
                 links: Mapping[tuple[str, str], str], language: str, *, group: str, show_personal_data: bool,
                 secret: bytes, rows: int = 200) -> str:
    """The panel's HTML for one journey (``group``, as given to the Sankey's ``figure_html`` and ``flows_html``)."""
    data = movers_data(window, journey, summary, links, language, show_personal_data=show_personal_data,
                       secret=secret, rows=rows)
    text = {k: _text(k, language) for k in ("shown", "all", "csv")}
    return (f'<div class="ltv-movers" data-group="{html.escape(group)}" data-text="{html.escape(json_script(text))}">'
            f'<p class="ltv-movers-hint">{html.escape(_text("hint", language))}</p><div class="ltv-movers-out"></div>'
            f'<script type="application/json" class="ltv-movers-data">{json_script(data)}</script></div>'
            + _SCRIPT)
