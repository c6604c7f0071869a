"""The analyst's segment builder (JupyterLab): type a condition, see the live count, metrics and a
sample of members, and freeze it as a list.

``preview`` does the work and is a plain function (tested); ``builder`` wires it to ipywidgets.
Freezing opens the shop's store for writing only for the moment of the write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ltvlib.labels import label, md, present
from ltvlib.privacy import redact
from ltvlib.segments.evaluate import Segmenter
from ltvlib.segments.language import SegmentError
from ltvlib.segments.metrics import segment_metrics

__all__ = ["Preview", "builder", "preview"]


@dataclass
class Preview:
    """What the builder shows for a condition: ``error`` (text) or count, share, metrics and a sample."""

    condition: str
    error: str | None = None
    members: pd.Index = field(default_factory=lambda: pd.Index([], name="customer_key"))
    customers: int = 0
    share: float = 0.0
    metrics: pd.DataFrame | None = None
    sample: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)


def preview(segmenter: Segmenter, condition: str, as_of: dt.date, *, secret: bytes, show_personal_data: bool,
            sample: int = 10) -> Preview:
    """Evaluate ``condition`` at ``as_of``: members, metrics and a sample (pseudonymised unless allowed)."""
    try:
        member = segmenter.evaluate(condition, as_of)
        warnings = segmenter.warnings(condition)
    except SegmentError as e:
        return Preview(condition, error=str(e))
    snap = segmenter.snapshot(as_of)
    mask = member.to_numpy()
    keys = member.index[mask]
    m = segment_metrics(snap, {"condition": mask})
    pos = snap.keys.get_indexer(keys[:sample])
    sample_df = pd.DataFrame({"orders": snap.orders[pos], "net_revenue": snap.net_revenue[pos],
                              "days_since_last_order": snap.recency_days[pos]},
                             index=pd.Index(keys[:sample], name="customer_key"))
    return Preview(condition, None, keys, int(mask.sum()), float(mask.mean()) if len(mask) else 0.0, m,
                   redact(sample_df, show_personal_data=show_personal_data, secret=secret), warnings)


def builder(segmenter: Segmenter, as_of: dt.date, *, store_path: str | Path, timezone: str,
            show_personal_data: bool, language: str, initial: str = "orders >= 2"):
    """An ipywidgets panel: condition box, live count and metrics, sample (pseudonymised under the shop's
    secret beside ``store_path`` unless allowed), and a freeze form."""
    import duckdb
    import ipywidgets as w
    from IPython.display import Markdown, display

    from ltvlib.privacy import shop_secret
    from ltvlib.segments import lists
    from ltvlib.store import Store

    secret = shop_secret(store_path)
    text = w.Textarea(value=initial, description=label("seg_condition", language),
                      layout=w.Layout(width="100%", height="70px"))
    count = w.Button(description=label("seg_evaluate", language), button_style="primary")
    out = w.Output()
    name = w.Text(description=label("seg_list_name_input", language))
    share = w.FloatSlider(value=0.1, min=0.0, max=0.5, step=0.05, description=label("seg_control_share", language))
    seed = w.IntText(value=42, description="seed")
    overwrite = w.Checkbox(value=False, description=label("seg_overwrite", language))
    freeze = w.Button(description=label("seg_freeze", language), button_style="warning")
    status = w.Output()

    def show(_=None) -> None:
        out.clear_output()
        p = preview(segmenter, text.value, as_of, secret=secret, show_personal_data=show_personal_data)
        with out:
            if p.error:
                display(Markdown(f"```\n{p.error}\n```"))
                return
            display(Markdown(f"**{p.customers:,}** ({p.share:.1%}) — {label('as_of', language)} {as_of}"
                             + "".join(f"\n\n⚠ {x}" for x in p.warnings)))
            display(present(p.metrics, language, {"customers": ",.0f", "orders_per_customer": ",.2f"}))
            display(Markdown(f"**{label('seg_sample', language)}**"))
            display(p.sample)

    def do_freeze(_=None) -> None:
        status.clear_output()
        with status:
            try:
                with Store(store_path, timezone=timezone) as store:
                    info = lists.freeze_condition(store, name.value.strip(), segmenter, text.value, as_of,
                                                  control_share=share.value, seed=seed.value,
                                                  overwrite=overwrite.value)
                display(Markdown(f"✔ **{md(info['name'])}**: {info['members']:,} "
                                 f"({info['control_members']:,} {label('seg_control', language)})"))
            except (SegmentError, lists.ListError, duckdb.Error, OSError) as e:
                display(Markdown(f"```\n{e}\n```"))

    count.on_click(show)
    freeze.on_click(do_freeze)
    show()
    return w.VBox([w.HTML(f"<h3>{label('seg_builder', language)}</h3>"), text, count, out,
                   w.HBox([name, share]), w.HBox([seed, overwrite, freeze]), status])
