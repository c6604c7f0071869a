"""The win-back page of one shop as of a date: every figure, table and sentence the report shows, computed
once, plus the target list that ``ltv winback freeze`` freezes (the same list, by construction).

``build_page`` reads the shop's store read-only; nothing here writes to the store. Each section either
has its content or, when it cannot be computed for this shop (no customers, nobody lapsed yet, no
returners, too little history for a model, ...), one sentence in the shop's language saying what is
missing and what would make it possible (``WinbackPage.missing``). Randomness (control group, model
folds) comes from ``winback.seed``, so two renderings of the same data give the same page.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ltvlib.labels import label, present, say
from ltvlib.text import md
from ltvlib.winback.analysis import WinbackResult, analyse
from ltvlib.winback.episodes import WinbackSettings, load_orders, settings_from
from ltvlib.winback.narrative import driver_text, narrative, notable_attributes, present_profile
from ltvlib.winback.targets import (
    EXPORT_FILES,
    assign_groups,
    export_table,
    freeze_targets,
    lapsed_summary,
    select_targets,
    write_target_exports,
)

__all__ = ["SECTIONS", "WinbackPage", "build_page", "compute_page", "freeze_list", "json_safe"]

SECTIONS = ("summary", "base", "timing", "profile", "notable", "backtest", "targets")
NOTABLE_MIN_EPISODES = 100  # an attribute value needs this many lapses with a known outcome to be called out


def json_safe(value: Any) -> Any:
    """``value`` with numpy scalars as Python numbers, dates as ISO text and NaN / inf as null (JSON has none)."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, (dt.date, pd.Timestamp)):
        return None if pd.isna(value) else value.isoformat()[:10]
    return value


@dataclass
class WinbackPage:
    """The win-back report's content for one shop and date (see the module docstring)."""

    shop: str
    name: str
    language: str
    currency: str
    as_of: dt.date
    audience: str
    show_personal_data: bool
    secret: bytes = field(repr=False)  # the shop's pseudonym secret (ltvlib.privacy.shop_secret)
    settings: WinbackSettings
    active_days: int
    facts: dict[str, Any]
    result: WinbackResult
    lapsed: pd.DataFrame
    targets: pd.DataFrame
    groups: pd.Series
    clv_problem: str | None = None
    grid_dormant: tuple[int, int] = (181, 360)  # the status grid's 'dormant' day range, named in the definitions
    _summary: str | None = field(default=None, repr=False)

    # -- names -------------------------------------------------------------------------------------------
    @property
    def days(self) -> int:
        """The lapsed threshold: a customer is lapsed after this many days without an order."""
        return self.result.lapsed_days

    @property
    def list_name(self) -> str:
        """The list segment ``ltv winback freeze`` creates."""
        return f"winback-{self.as_of}"

    @property
    def title(self) -> str:
        return say("wb_title", self.language, days=self.days)

    @property
    def scored(self) -> bool:
        return self.result.model is not None

    def heading(self, section: str) -> str:
        """The section's title in the shop's language (with the lapsed day range where it names it)."""
        key = {"summary": "wb_summary", "base": "wb_lapsed_base", "timing": "wb_timing", "profile": "wb_profile",
               "notable": "wb_profile_notable", "backtest": "wb_backtest", "targets": "wb_targets"}[section]
        return say(key, self.language, days=self.days)

    def _say(self, key: str, **facts: Any) -> str:
        return say(key, self.language, audience=self.audience, days=self.days, horizon=self.result.horizon_days,
                   as_of=self.as_of, active=self.active_days, **facts)

    # -- what cannot be shown, and why -------------------------------------------------------------------
    @property
    def n_lapsed(self) -> int:
        return int(self.lapsed["customers"].sum())

    def _no_customers(self) -> str:
        f = self.facts
        if f["visible_orders"] == 0:
            return self._say("wb_missing_no_orders")
        if f["customers"] == 0:
            return self._say("wb_missing_no_customers", orders=f"{f['visible_orders']:,}", guests=f"{f['guests']:,}",
                             cancelled=f"{f['cancelled']:,}")
        return ""

    def _none_lapsed(self) -> str:
        f = self.facts
        if f["span_days"] < self.days:
            return self._say("wb_missing_none_lapsed_short", first=f["first_order"], span=f["span_days"])
        return self._say("wb_missing_none_lapsed", customers=f"{f['customers']:,}", recent=self.days - 1)

    def missing(self, section: str) -> str:
        """One sentence saying why ``section`` cannot be shown for this shop; '' when it can."""
        if section not in SECTIONS:
            raise ValueError(f"unknown win-back section {section!r}; sections: {', '.join(SECTIONS)}")
        why = self._no_customers()
        if why:
            return why
        r = self.result
        episodes = r.episodes
        known = episodes.loc[episodes["outcome_known"].to_numpy(dtype=bool)]
        if section == "summary":
            return "" if self.summary() else self._none_lapsed()
        if section == "base":
            return "" if self.n_lapsed else self._none_lapsed()
        if section in ("timing", "profile", "notable") and not len(episodes):
            return self._say("wb_missing_no_episodes")
        if section == "timing":
            returned = len(r.timing) and float(r.timing["share_returned"].iloc[-1]) > 0
            return "" if returned else self._say("wb_missing_no_returns", episodes=f"{len(episodes):,}")
        if section in ("profile", "notable"):
            y = known["returned"].to_numpy(dtype=bool)
            if not len(known):
                return self._say("wb_missing_not_followed")
            if not y.any():
                return self._say("wb_missing_no_returns", episodes=f"{len(episodes):,}")
            if y.all():
                return self._say("wb_missing_all_returned", episodes=f"{len(known):,}")
            if section == "notable" and not len(self.notable()):
                return self._say("wb_missing_notable", min=NOTABLE_MIN_EPISODES)
            return ""
        if section == "backtest":
            return "" if r.backtest is not None else r.problem.text(self.language)
        # targets
        if not self.n_lapsed:
            return self._say("wb_missing_targets_none_lapsed")
        if not self.scored:
            return self._say("wb_missing_targets_no_model")
        if not len(self.targets):
            return self._say("wb_missing_targets_min_score", min_score=f"{self.settings.min_score:.0%}")
        return ""

    # -- content ------------------------------------------------------------------------------------------
    def definition(self) -> str:
        """What 'Lapsed (121+ days)' and 'come back' mean on this page (and how they differ from 'Dormant')."""
        return self._say("wb_say_definition", grid_lo=self.grid_dormant[0], grid_hi=self.grid_dormant[1])

    def summary(self) -> str:
        """The findings and recommendations (Markdown bullets); '' when nothing can be said."""
        if self._summary is None:
            r = self.result
            self._summary = narrative(
                n_customers=self.facts["customers"], lapsed=self.lapsed, scores=r.scores, timing=r.timing,
                profile=r.profile, metrics=self.metrics, targets=self.targets, groups=self.groups,
                lapsed_days=self.days, horizon_days=r.horizon_days, currency=self.currency, language=self.language,
                audience=self.audience,
            ) if self.facts["customers"] else ""
        return self._summary

    @property
    def metrics(self) -> dict[str, Any] | None:
        return self.result.backtest.metrics if self.result.backtest is not None else None

    def base_table(self) -> pd.DataFrame:
        """Lapsed customers by days since becoming lapsed (scores' columns only when the score is trusted)."""
        lang = self.language
        cols = ["customers", "share", "net_revenue"] + (["mean_p_return", "expected_returns", "expected_return_value"]
                                                         if self.scored else [])
        shown = self.lapsed[cols].rename(index=lambda b: f"{b}{label('wb_unit_days', lang)}")
        out = present(shown.rename(columns=lambda c: f"wb_{c}"), lang, {"wb_share": ".1%", "wb_mean_p_return": ".1%"})
        out.columns = [say(f"wb_{c}", lang, days=self.days) for c in cols]
        out.index.name = say("wb_days_lapsed", lang, days=self.days)
        return out

    def profile_by_orders(self) -> pd.DataFrame:
        p = self.result.profile
        return present_profile(p.loc[p["attribute"] == "orders_band"], self.language, self.days)

    def notable(self) -> pd.DataFrame:
        """The profile rows that stand out at the same number of orders (up, then down)."""
        up, down = notable_attributes(self.result.profile, top=8, min_episodes=NOTABLE_MIN_EPISODES)
        return pd.concat([up, down])

    def notable_table(self) -> pd.DataFrame:
        return present_profile(self.notable(), self.language, self.days)

    def backtest_text(self) -> str:
        """The backtest's figures as Markdown bullets."""
        m, lang = self.metrics, self.language
        rows = {
            "wb_train": f"{m['train_start']} – {m['train_end']} ({m['train_episodes']:,})",
            "wb_test": f"{m['test_start']} – {m['test_end']} ({m['test_episodes']:,})",
            "wb_auc": f"{m['auc']:.3f}",
            "wb_base_rate": f"{m['base_rate']:.1%}",
            "wb_rate_top10": f"{m['rate_top10']:.1%}",
            "wb_lift_top10": f"{m['lift_top10']:.2f}x",
            "wb_rate_top20": f"{m['rate_top20']:.1%}",
            "wb_lift_top20": f"{m['lift_top20']:.2f}x",
        }
        return "\n".join(f"- {say(k, lang, days=self.days)}: **{v}**" for k, v in rows.items())

    def targets_table(self, n: int = 20) -> pd.DataFrame:
        """The top ``n`` of the list: rank, group, days lapsed, orders, revenue, scores and reasons in words."""
        from ltvlib.privacy import redact

        lang = self.language
        head = self.targets.head(n).copy()
        head["drivers"] = [" / ".join(t for t in (driver_text(d, lang, self.days) for d in ds) if t)
                           for ds in head[["driver_1", "driver_2", "driver_3"]].itertuples(index=False)]
        head["group"] = self.groups.reindex(head.index).map(lambda g: label(f"wb_{g}", lang))
        head = redact(head, show_personal_data=self.show_personal_data, secret=self.secret)
        cols = {"rank": "wb_rank", "group": "wb_group", "days_lapsed": "wb_days_lapsed", "orders": "wb_orders",
                "net_revenue": "wb_net_revenue", "p_return": "wb_p_return",
                "expected_return_value": "wb_expected_return_value", "p_alive": "wb_p_alive",
                "predicted_clv": "wb_predicted_clv", "drivers": "wb_drivers"}
        view = head[[c for c in cols if c in head]].copy()
        for c in ("p_return", "p_alive"):
            if c in view:
                view[c] = view[c].map(lambda v: "–" if not np.isfinite(v) else f"{v:.1%}")
        for c in ("net_revenue", "expected_return_value", "predicted_clv"):
            if c in view:
                view[c] = view[c].map(lambda v: "–" if not np.isfinite(v) else f"{v:,.0f}")
        view.columns = [say(cols[c], lang, days=self.days) for c in view.columns]
        view.index.name = label("wb_customer", lang)
        return view

    def top_reasons(self) -> str:
        """How often each attribute is the first reason on the list (Markdown bullets)."""
        counts = self.targets["driver_1"].dropna().value_counts().head(8)
        lines = [f"- {md(driver_text(d, self.language, self.days))}: {n:,}" for d, n in counts.items()]
        return f"**{label('wb_top_reasons', self.language)}**\n\n" + "\n".join(lines) if lines else ""

    def control_count(self) -> int:
        return int((self.groups == "control").sum())

    def export_table(self) -> pd.DataFrame:
        return export_table(self.targets, self.groups, language=self.language, lapsed_days=self.days,
                            show_personal_data=self.show_personal_data, secret=self.secret)

    def write_exports(self, out_dir: str | Path) -> str:
        """Write the list into ``out_dir/exports/`` (targets and control in two files); the sentence saying so
        ('' without a list)."""
        if not len(self.targets):
            return ""
        paths = write_target_exports(self.export_table(), Path(out_dir) / "exports")
        n_control = self.control_count()
        return say("wb_say_exports", self.language, targets_file=paths["target"].name,
                   control_file=paths["control"].name, targets=f"{len(self.targets) - n_control:,}",
                   control=f"{n_control:,}")

    def freeze_hint(self) -> str:
        """How to freeze the list (analysts only: a client page shows no command lines); '' otherwise."""
        if self.audience != "analyst" or not len(self.targets):
            return ""
        return self._say("wb_say_freeze", name=self.list_name, shop=self.shop)

    def source(self) -> dict[str, Any]:
        """How the list was made (recorded with the frozen list)."""
        s = self.settings
        return json_safe({"top_n": s.top_n, "min_score": s.min_score, "rank_by": s.rank_by, "seed": s.seed,
                          "control_share": s.control_share, "lapsed_days": self.days,
                          "horizon_days": self.result.horizon_days, "backtest": self.metrics})

    def figures(self) -> dict[str, Any]:
        """Key figures for ``winback.figures.json`` (read by index.html and tests); JSON-safe, no NaN / inf."""
        lang, r = self.language, self.result
        key: dict[str, tuple[str, Any, str]] = {}
        if self.facts["customers"]:
            key["lapsed_customers"] = (say("wb_lapsed_customers", lang, days=self.days), self.n_lapsed,
                                       f"{self.n_lapsed:,}")
        if not self.missing("timing"):
            at = r.timing.loc[r.timing["days"] == r.horizon_days, "share_returned"]
            if len(at):
                key["return_within_horizon"] = (say("wb_return_within", lang, days=self.days, horizon=r.horizon_days),
                                                float(at.iloc[0]), f"{at.iloc[0]:.1%}")
        m = self.metrics
        if m is not None:
            key["backtest_lift_top10"] = (label("wb_lift_top10", lang), m["lift_top10"], f"{m['lift_top10']:.2f}x")
            key["backtest_auc"] = (label("wb_auc", lang), m["auc"], f"{m['auc']:.3f}")
        to_contact = self.targets.loc[self.groups.reindex(self.targets.index).to_numpy() == "target"]
        expected = float(to_contact["p_return"].sum()) if len(to_contact) else 0.0
        if len(self.targets):
            key["target_list"] = (label("wb_target_list", lang), len(to_contact), f"{len(to_contact):,}")
            key["expected_returns_without_offer"] = (label("wb_expected_without_offer", lang), expected,
                                                     f"{expected:,.0f}")
        profile_top = notable_attributes(r.profile, top=5, min_episodes=NOTABLE_MIN_EPISODES)[0]
        return json_safe({
            "title": self.title,
            "as_of": self.as_of,
            "lapsed_days": self.days,
            "horizon_days": r.horizon_days,
            "episodes": len(r.episodes),
            "lapsed_customers": self.n_lapsed,
            "backtest": m,
            "problem": r.problem.text(lang) if r.problem is not None else None,
            "clv_problem": self.clv_problem,
            "missing": {s: self.missing(s) for s in SECTIONS if self.missing(s)},
            "target_list": {"customers": len(self.targets), "targets": len(to_contact),
                            "control": self.control_count(), "expected_returns_without_offer": expected,
                            "list_to_freeze": self.list_name if len(self.targets) else None,
                            "exports": {g: f"exports/{f}" for g, f in EXPORT_FILES.items()} if len(self.targets)
                            else None},
            "profile_top": [{"attribute": p.attribute, "value": p.value, "lift": p.lift,
                             "adjusted_lift": p.adjusted_lift, "episodes": p.episodes}
                            for p in profile_top.itertuples()],
            "key_figures": {k: {"label": lab, "value": v, "text": t} for k, (lab, v, t) in key.items()},
        })


def _facts(orders: pd.DataFrame, as_of: dt.date) -> dict[str, Any]:
    """Counts the 'cannot be computed' sentences need: orders visible at as_of, guests, cancelled, customers,
    first order day and days of history."""
    from ltvlib.customers import as_of_cutoff

    tz = str(orders["ordered_at"].dt.tz)
    visible = (orders["ordered_at"] < as_of_cutoff(as_of, tz)).to_numpy()
    guest = orders["customer_key"].isna().to_numpy()
    cancelled = orders["cancelled_at"].notna().to_numpy()
    counted = visible & ~guest & ~cancelled
    first = orders.loc[counted, "ordered_at"].min() if counted.any() else None
    first_day = first.tz_convert(tz).date() if first is not None else None
    return {"visible_orders": int(visible.sum()), "guests": int((visible & guest).sum()),
            "cancelled": int((visible & ~guest & cancelled).sum()),
            "customers": int(orders.loc[counted, "customer_key"].nunique()),
            "first_order": first_day, "span_days": (as_of - first_day).days if first_day else 0}


def compute_page(orders: pd.DataFrame, line_items: pd.DataFrame | None, as_of: dt.date, *, shop: str, name: str,
                 language: str, currency: str, winback: dict[str, Any], thresholds: dict[str, Any],
                 clv_params: dict[str, Any] | None = None, audience: str = "client",
                 show_personal_data: bool = False, secret: bytes, summary: pd.DataFrame | None = None,
                 clv_fit: Any = None) -> WinbackPage:
    """The page from orders (``load_orders``, plus ``email`` and ``discount_codes`` for the customer summary)
    and line items; pure: no store, no files (``secret``: the shop's pseudonym secret, ``privacy.shop_secret``).

    ``summary``: the customer summary at ``as_of`` when the caller has it (else computed); ``clv_fit``: the CLV
    model the CLV page of the same run fitted with ``clv_params`` (a fitted ``clv.CLVModel``, or the
    ``clv.ModelError`` that stopped it; ``clv.restore_fitted``), used instead of fitting again."""
    from ltvlib import clv
    from ltvlib.history import OrderHistory

    settings = settings_from(winback, thresholds)
    facts = _facts(orders, as_of)
    history = OrderHistory(orders, line_items, as_of=as_of)  # one for the summary and the episodes
    clv_pred, clv_problem = None, None
    if facts["customers"] and clv_params is not None:
        if summary is None:
            summary = history.snapshot(as_of).summary()
        try:
            if isinstance(clv_fit, clv.ModelError):
                raise clv_fit
            if clv_fit is not None:
                clv_pred = clv.predict_fitted(clv_fit, summary, clv_params, as_of)
            else:
                clv_pred = clv.predict_customers(summary, clv_params, as_of, orders=history)
        except clv.ModelError as e:  # the CLV model can't be trusted here: scores go without P(alive) and CLV
            clv_problem = e.text(language, audience)
    result = analyse(history, as_of, settings, clv=clv_pred)
    lapsed = lapsed_summary(result.scores)
    if result.model is not None:
        targets = select_targets(result.scores, top_n=settings.top_n, min_score=settings.min_score)
    else:
        targets = result.scores.iloc[:0]
    groups = assign_groups(targets, settings.control_share, settings.seed)
    return WinbackPage(shop=shop, name=name, language=language, currency=currency, as_of=as_of, audience=audience,
                       show_personal_data=show_personal_data, secret=secret, settings=settings,
                       active_days=int(thresholds.get("active_days", 120)), facts=facts, result=result,
                       lapsed=lapsed, targets=targets, groups=groups, clv_problem=clv_problem,
                       grid_dormant=(int(thresholds.get("at_risk_days", 180)) + 1,
                                     int(thresholds.get("dormant_days", 360))))


def build_page(shop: Any, as_of: dt.date | str | None = None, audience: str | None = None,
               run_dir: str | Path | None = None) -> WinbackPage:
    """The page of ``shop`` (id, params file, or a ``report.context``) as of ``as_of`` (default:
    ``ShopParams.report_date``), reading its store read-only. ``run_dir``: the report folder of this run (a
    context's ``out_dir``): the CLV page's model choice is reused, and within ``ltv run`` its fitted model
    and the run's customer summary too (the model is fitted here only when the page runs alone)."""
    from ltvlib import clv
    from ltvlib.context import Context, context
    from ltvlib.history import OrderHistory
    from ltvlib.report import read_figures

    ctx = shop if isinstance(shop, Context) else context(shop, as_of, audience=audience, out_dir=run_dir or ".")
    if isinstance(shop, Context):
        run_dir = ctx.out_dir
    params, as_of = ctx.params, ctx.as_of
    with ctx.store() as store:  # with each order's first product and line: no line items needed
        orders = load_orders(store, extra_columns=["email", "discount_codes"])
    clv_params = clv.settings_chosen(params.clv, as_of, read_figures(run_dir).get("clv") if run_dir else None)
    shared = ctx.shared_json(clv.FITTED_SHARE)
    clv_fit = clv.restore_fitted(shared, params.clv, as_of) if shared else None
    summary = ctx.summary(lambda: OrderHistory(orders, as_of=as_of)) if ctx.share_dir else None
    return compute_page(orders, None, as_of, shop=params.shop,
                        name=params.name, language=params.language, currency=params.currency,
                        winback=params.winback, thresholds=params.thresholds, clv_params=clv_params,
                        audience=audience or ctx.audience, show_personal_data=params.show_personal_data,
                        secret=ctx.secret, summary=summary, clv_fit=clv_fit)


def freeze_list(page: WinbackPage, store_path: str | Path, timezone: str, *, overwrite: bool = False) -> dict[str, Any]:
    """Freeze the page's target list (targets and control) as list segment ``page.list_name`` in the store
    at ``store_path`` (the one write of the win-back analysis; ``ltv winback freeze``). Raises ValueError
    with the page's sentence when there is no list."""
    from ltvlib.store import Store

    why = _english(page).missing("targets")  # the terminal speaks English, as the rest of the CLI
    if why:
        raise ValueError(why)
    with Store(store_path, timezone=timezone) as store:
        return freeze_targets(store, page.list_name, page.groups, as_of=page.as_of, seed=page.settings.seed,
                              description=say("wb_title", "en", days=page.days) + f" ({page.as_of})",
                              source=page.source(), overwrite=overwrite)


def _english(page: WinbackPage) -> WinbackPage:
    from dataclasses import replace

    return replace(page, language="en", _summary=None)
