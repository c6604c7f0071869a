"""The analyst's segment builder (JupyterLab): type a condition, see its count as you type, an error marked at
its place in the condition, metrics and a sample of members, and freeze the members as a list.

``preview`` does the work and is a plain function; ``SegmentBuilder`` wires it to ipywidgets. Counting is
debounced (``Debounce``): a burst of keystrokes counts once, ``delay`` after the last one. Freezing is the only
write: it opens the shop's store for writing just for that moment, waiting at most ``FREEZE_WAIT`` seconds for
another process (an import, a report) to let go of it. Reports never show the builder (it needs a live kernel).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import ipywidgets as w
import pandas as pd
from IPython.display import HTML

from ltvlib.errors import LtvError
from ltvlib.labels import label, labeller, present
from ltvlib.privacy import redact
from ltvlib.segments import lists
from ltvlib.segments.evaluate import Segmenter
from ltvlib.segments.language import SegmentError
from ltvlib.segments.metrics import segment_metrics
from ltvlib.store import Store

__all__ = ["FREEZE_WAIT", "Debounce", "Preview", "SegmentBuilder", "error_html", "preview"]

FREEZE_WAIT = 5.0  # seconds a freeze waits for a store another process holds (the kernel is busy meanwhile)


@dataclass
class Preview:
    """What the builder shows for a condition: ``error`` or count, share, metrics and a sample."""

    condition: str
    error: SegmentError | None = None
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
        return Preview(condition, error=e)
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


def error_html(error: SegmentError, language: str) -> str:
    """``error`` as HTML: its message, the condition's line with the faulty part marked and a caret under it,
    and its hint. Marking the span (not only a caret row) stays right with full-width (Japanese) text."""
    where = f"segment '{error.segment}': " if error.segment else ""
    parts = [f"<b>{html.escape(where + error.message)}</b>"]
    text, pos = error.condition, error.position
    if text is not None and pos is not None:
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        line = text[start: end if end >= 0 else len(text)]
        col = pos - start
        span = max(1, min(error.length, len(line) - col))
        row, column = text.count("\n", 0, pos) + 1, col + 1
        parts.append(f'<span class="ltv-seg-where" data-line="{row}" data-column="{column}">'
                     f"{html.escape(label('seg_error_at', language))} {row}:{column}</span>")
        parts.append(f"{html.escape(line[:col])}<mark>{html.escape(line[col:col + span] or ' ')}</mark>"
                     f"{html.escape(line[col + span:])}\n{' ' * col}{'^' * span}")
    if error.hint:
        parts.append(html.escape(error.hint))
    return '<pre class="ltv-seg-error">' + "\n".join(parts) + "</pre>"


class Debounce:
    """Calls ``fn`` once, ``delay`` seconds after the last ``trigger()``: typing counts once per pause, not
    per key. The wait runs on the running asyncio loop (in a kernel, the loop that delivers widget changes, so
    ``fn`` runs on the kernel's thread); without one (plain Python, tests) the call waits for ``flush()``,
    which runs a pending call at once."""

    def __init__(self, fn: Callable[[], None], delay: float = 0.3) -> None:
        self.fn, self.delay = fn, delay
        self.pending = False
        self._timer: asyncio.TimerHandle | None = None

    def trigger(self) -> None:
        """Ask for a call; restarts the wait."""
        self.pending = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._timer = loop.call_later(self.delay, self.flush)

    def flush(self) -> None:
        """Run the pending call now (if any)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.pending:
            self.pending = False
            self.fn()


class SegmentBuilder:
    """The builder's widgets (``widget`` is the panel; displaying the builder displays it).

    ``text`` counts as typed into ``count`` (debounced by ``delay`` seconds), a parse error shows in ``error``
    with its place marked, metrics and a sample (pseudonymised under ``secret`` unless allowed) in ``details``.
    With ``store_path`` a form freezes the current condition's members as a list (``freeze``, result in
    ``frozen``); without it (anything but a live session) the builder writes nothing.
    """

    def __init__(self, segmenter: Segmenter, as_of: dt.date, *, language: str, secret: bytes,
                 show_personal_data: bool, store_path: str | Path | None = None, timezone: str = "UTC",
                 initial: str = "orders >= 2", delay: float = 0.3) -> None:
        self.segmenter, self.as_of, self.language = segmenter, as_of, language
        self.secret, self.show_personal_data = secret, show_personal_data
        self.store_path, self.timezone = store_path, timezone
        self.text = w.Textarea(value=initial, description=label("seg_condition", language), continuous_update=True,
                               layout=w.Layout(width="100%", height="70px"))
        self.count = w.HTML()
        self.error = w.HTML()
        self.details = w.Output()
        self.debounce = Debounce(self.show, delay)
        self.text.observe(lambda _change: self.debounce.trigger(), names="value")
        rows: list[w.Widget] = [w.HTML(f"<h3>{html.escape(label('seg_builder', language))}</h3>"), self.text,
                                self.count, self.error, self.details]
        if store_path is not None:
            wide = {"description_width": "initial"}
            self.name = w.Text(description=label("seg_list_name_input", language), style=wide)
            self.share = w.FloatSlider(value=0.1, min=0.0, max=0.5, step=0.05,
                                       description=label("seg_control_share", language), style=wide)
            self.seed = w.IntText(value=42, description=label("seg_seed", language), style=wide)
            self.overwrite = w.Checkbox(value=False, description=label("seg_overwrite", language), indent=False)
            self.freeze = w.Button(description=label("seg_freeze", language), button_style="warning")
            self.frozen = w.HTML()
            self.freeze.on_click(self.do_freeze)
            rows += [w.HBox([self.name, self.share]), w.HBox([self.seed, self.overwrite, self.freeze]), self.frozen]
        self.widget = w.VBox(rows)
        self.show()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def show(self) -> None:
        """Count the condition in the box now and show the result (or its error)."""
        try:
            p = preview(self.segmenter, self.text.value, self.as_of, secret=self.secret,
                        show_personal_data=self.show_personal_data)
        except Exception as e:  # noqa: BLE001 - runs from the event loop, where a traceback would go unseen
            self.count.value, self.details.outputs = "", ()
            self.error.value = f'<pre class="ltv-seg-error">{html.escape(f"{type(e).__name__}: {e}")}</pre>'
            return
        self.details.outputs = ()  # set directly (not ``with``): works from the event loop and without a frontend
        if p.error is not None:
            self.count.value, self.error.value = "", error_html(p.error, self.language)
            return
        warn = "".join(f"<br>⚠ {html.escape(x)}" for x in p.warnings)
        self.count.value = (f'<span class="ltv-seg-count" data-customers="{p.customers}"><b>{p.customers:,}</b> '
                            f"({p.share:.1%})</span> — {html.escape(label('as_of', self.language))} {self.as_of}{warn}")
        self.error.value = ""
        lab = labeller(self.language)
        metrics = p.metrics.rename(index={"condition": label("seg_condition", self.language)})
        self.details.append_display_data(present(metrics, self.language,
                                                 {"customers": ",.0f", "orders_per_customer": ",.2f"}))
        sample = p.sample.rename(columns=lab).rename_axis(label("seg_customer", self.language))
        self.details.append_display_data(HTML(f"<b>{html.escape(label('seg_sample', self.language))}</b>"))
        self.details.append_display_data(sample)

    def do_freeze(self, _button: object = None) -> None:
        """Freeze the members of the condition in the box as list ``name`` (a short write to the store)."""
        self.debounce.flush()
        try:
            with Store(self.store_path, timezone=self.timezone, lock_timeout=FREEZE_WAIT) as store:
                info = lists.freeze_condition(store, self.name.value.strip(), self.segmenter, self.text.value,
                                              self.as_of, control_share=self.share.value, seed=self.seed.value,
                                              overwrite=self.overwrite.value)
                members = lists.load(store, info["name"])["customer_key"]
        except (SegmentError, lists.ListError, LtvError, duckdb.Error, OSError) as e:  # LtvError: StoreBusy
            self.frozen.value = f'<pre class="ltv-seg-error">{html.escape(str(e))}</pre>'
            return
        self.segmenter.lists[info["name"]] = pd.Index(members)  # usable as segment('name') from now on
        self.frozen.value = (f"✔ <b>{html.escape(info['name'])}</b>: {info['members']:,} "
                             f"({info['control_members']:,} {html.escape(label('seg_control', self.language))})")
