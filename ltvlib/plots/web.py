"""Plotly charts in self-contained, offline report pages, light enough to mail.

plotly.js in full weighs 4.6 MB; pages carry instead a partial bundle (core + Sankey + the ``ja`` locale, 1.2 MB,
``ltvlib/assets/plotly-sankey.min.js.gz``), gzipped and base64'd once per page (~580 kB). The browser
decompresses it (``DecompressionStream``) into a ``blob:`` script; figures queue until it has loaded, so no
figure calls ``Plotly.newPlot`` before plotly exists, whatever the order of the page's outputs.

The bundle is built from ``plotly_bundle_entry.js`` beside this file, with the plotly.js version that the
plotly Python package targets (``plotly.offline.get_plotlyjs_version()``; a test checks they agree)::

    npm install --omit=dev --ignore-scripts plotly.js@<version> esbuild
    npx esbuild plotly_bundle_entry.js --bundle --minify --format=iife --global-name=Plotly --target=es2017 \\
        --legal-comments=none --define:global=window --define:define.amd=false \\
        --banner:js="/* plotly.js v<version> partial bundle for ltv-workbench (core, sankey, locale ja); MIT \\
License, Copyright Plotly, Inc. */" --outfile=plotly-sankey.min.js
    gzip -9 -n -c plotly-sankey.min.js > ../assets/plotly-sankey.min.js.gz
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from functools import cache
from importlib import resources
from typing import Any

import plotly.graph_objects as go

__all__ = ["BUNDLE", "MODEBAR_REMOVED", "bundle_version", "config", "figure_html", "json_script", "loader_html"]

BUNDLE = "plotly-sankey.min.js.gz"
MODEBAR_REMOVED = ["sendDataToCloud", "editInChartStudio", "lasso2d", "select2d", "zoomIn2d", "zoomOut2d",
                   "autoScale2d", "toggleSpikelines", "hoverClosestCartesian", "hoverCompareCartesian"]
LOCALES = ("ja",)  # the locales the bundle registers; other languages use plotly's English


def json_script(value: Any) -> str:
    """``value`` as JSON safe inside a ``<script>``: ``<``, ``>``, ``&`` (and JS line separators) as ``\\uXXXX``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    for ch in "<>&\u2028\u2029":
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


@cache
def _bundle() -> bytes:
    return resources.files("ltvlib").joinpath("assets", BUNDLE).read_bytes()


def bundle_version() -> str:
    """The plotly.js version of the embedded bundle (from its banner)."""
    import gzip

    head = gzip.decompress(_bundle())[:200].decode("ascii", "replace")
    m = re.search(r"plotly\.js v(\S+)", head)
    return m.group(1) if m else ""


_LOADER = """<script type="application/octet-stream" id="ltv-plotly-js">{data}</script>
<script>(function () {{
  /* plotly.js, gzip + base64 above: decompress into a blob: script, then draw the queued figures */
  var queue = window.ltvCharts = window.ltvCharts || [];
  if (queue.loading) return;
  queue.loading = true;
  var b64 = document.getElementById("ltv-plotly-js").textContent.trim();
  var bytes = Uint8Array.from(atob(b64), function (c) {{ return c.charCodeAt(0); }});
  var js = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  new Response(js).blob().then(function (blob) {{
    var s = document.createElement("script");
    s.src = URL.createObjectURL(new Blob([blob], {{type: "text/javascript"}}));
    s.onload = function () {{
      URL.revokeObjectURL(s.src);
      var waiting = queue.splice(0);
      queue.push = function (draw) {{ draw(window.Plotly); return 0; }};
      waiting.forEach(function (draw) {{ draw(window.Plotly); }});
    }};
    document.head.appendChild(s);
  }});
}})();</script>"""


def loader_html() -> str:
    """The page's plotly.js (once per page): compressed, decompressed in the browser; figures wait for it."""
    return _LOADER.format(data=base64.b64encode(_bundle()).decode("ascii"))


def config(language: str) -> dict[str, Any]:
    """Plotly's config for client pages: the shop's language, no logo, no cloud/sharing or selection buttons."""
    out: dict[str, Any] = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": MODEBAR_REMOVED,
                           "showSendToCloud": False, "showEditInChartStudio": False}
    if language in LOCALES:
        out["locale"] = language
    return out


_FIGURE = """<div id="{id}" class="plotly-graph-div ltv-chart" style="height:{height}px; width:100%;"></div>
<script>(window.ltvCharts = window.ltvCharts || []).push(function (Plotly) {{
  var fig = {figure}, gd = document.getElementById("{id}");
  Plotly.newPlot(gd, fig.data, fig.layout, fig.config).then(function () {{
    if (!fig.clicks) return;
    gd.on("plotly_click", function (ev) {{
      var p = ev && ev.points && ev.points[0];
      if (p && typeof p.customdata === "string" && p.customdata)
        document.dispatchEvent(new CustomEvent("ltv-flow", {{detail: {{group: fig.clicks, flow: p.customdata}}}}));
    }});
  }});
}});</script>"""


def figure_html(fig: go.Figure, language: str, *, include_plotlyjs: bool, clicks: str | None = None) -> str:
    """An HTML snippet drawing ``fig`` offline once plotly.js is loaded (``include_plotlyjs``: once per page).

    ``clicks``: a group name; a click on a point whose ``customdata`` is a non-empty string then dispatches an
    ``ltv-flow`` event ``{group, flow: customdata}`` on the document (``ltvlib.journey.movers_panel`` listens).
    """
    spec = json.loads(fig.to_json())
    figure = {"data": spec["data"], "layout": spec.get("layout", {}), "config": config(language), "clicks": clicks}
    height = int(figure["layout"].get("height") or 450)
    snippet = _FIGURE.format(id=uuid.uuid4(), height=height, figure=json_script(figure))
    return (loader_html() + "\n" if include_plotlyjs else "") + snippet
