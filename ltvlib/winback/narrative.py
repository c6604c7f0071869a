"""Readable text for the win-back report: attribute values in words, display tables, and the prose
(findings and recommendations) generated from the numbers, in English or Japanese."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ltvlib.labels import LABELS, label

__all__ = ["attribute_text", "driver_text", "notable_attributes", "narrative", "present_profile", "value_text"]

_UNITS = {"orders_band": "wb_unit_orders", "interval_band": "wb_unit_days", "tenure_band": "wb_unit_days",
          "prior_band": "wb_unit_times"}


def value_text(attribute: str, value: str, language: str) -> str:
    """An attribute value in words (``3-4`` orders -> '3-4 orders' / '3〜4回')."""
    value = str(value)
    if f"wb_value_{value}" in LABELS:
        return label(f"wb_value_{value}", language)
    if attribute == "start_month":
        return f"{value}月" if language == "ja" else label("wb_unit_month", language) + value
    if attribute in _UNITS:
        shown = value.replace("-", "〜") if language == "ja" else value
        return shown + label(_UNITS[attribute], language)
    return value


def attribute_text(attribute: str, value: str, language: str) -> str:
    """'First product line: Umami' / '初回購入の商品ライン：Umami'."""
    sep = "：" if language == "ja" else ": "
    return label(f"wb_attr_{attribute}", language) + sep + value_text(attribute, value, language)


def driver_text(driver: Any, language: str) -> str:
    """A score driver (``attribute=value``) in words; '' for none."""
    if not isinstance(driver, str):
        return ""
    attribute, _, value = driver.partition("=")
    return attribute_text(attribute, value, language)


def notable_attributes(profile: pd.DataFrame, *, adjusted: bool = True, min_episodes: int = 100,
                       top: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The attribute values with the clearest lift up and down: significant, at least ``min_episodes``,
    one value per attribute; by ``adjusted_lift`` (same number of orders compared) unless ``adjusted`` is False."""
    col, sig = ("adjusted_lift", "adjusted_significant") if adjusted else ("lift", "significant")
    p = profile.loc[profile[sig] & (profile["episodes"] >= min_episodes)]
    up = p.loc[p[col] > 1].sort_values(col, ascending=False).drop_duplicates("attribute").head(top)
    down = p.loc[p[col] < 1].sort_values(col).drop_duplicates("attribute").head(top)
    return up, down


def present_profile(profile: pd.DataFrame, language: str) -> pd.DataFrame:
    """A display copy of ``returners_profile`` rows: attribute in words, rates, lift and adjusted lift."""
    pct = "{:.1%}".format

    def ratio(v: float, lo: float, hi: float) -> str:
        return "–" if v != v else f"{v:.2f}x ({lo:.2f}–{hi:.2f})"

    out = pd.DataFrame({
        label("wb_attribute", language): [attribute_text(a, v, language)
                                          for a, v in zip(profile["attribute"], profile["value"])],
        label("wb_episodes", language): profile["episodes"].map("{:,}".format),
        label("wb_returned", language): profile["returned"].map("{:,}".format),
        label("wb_return_rate", language): profile["return_rate"].map(pct),
        label("wb_rate_ci", language): [f"{pct(a)}–{pct(b)}" for a, b in zip(profile["rate_low"], profile["rate_high"])],
        label("wb_lift", language): [ratio(*t) for t in zip(profile["lift"], profile["lift_low"], profile["lift_high"])],
        label("wb_adjusted_lift", language): [ratio(*t) for t in zip(profile["adjusted_lift"], profile["adjusted_low"],
                                                                     profile["adjusted_high"])],
    })
    return out.set_index(label("wb_attribute", language))


def _median_return_day(timing: pd.DataFrame, horizon_days: int) -> int | None:
    t = timing.loc[timing["days"] <= horizon_days]
    if t.empty or t["share_returned"].iloc[-1] <= 0:
        return None
    return int(t.loc[t["share_returned"] >= t["share_returned"].iloc[-1] / 2, "days"].iloc[0])


def narrative(
    *,
    n_customers: int,
    dormant: pd.DataFrame,
    scores: pd.DataFrame,
    timing: pd.DataFrame,
    profile: pd.DataFrame,
    metrics: Mapping[str, Any] | None,
    targets: pd.DataFrame,
    control: int,
    dormant_days: int,
    horizon_days: int,
    currency: str,
    language: str,
) -> str:
    """Markdown findings and recommendations that read the numbers of the win-back report.

    ``dormant`` is ``dormant_summary``, ``scores`` ``score_dormant``, ``metrics`` the backtest's (None when
    no model could be trusted), ``targets`` the selected list and ``control`` its control-group size.
    """
    ja = language == "ja"
    n_dormant = int(dormant["customers"].sum())
    if n_dormant == 0:
        return "現在、休眠顧客はいません。" if ja else "No customer is dormant today."
    share = n_dormant / max(n_customers, 1)
    past = float(dormant["net_revenue"].sum())
    recent = int(dormant["customers"].iloc[:2].sum())  # dormant for under 180 days
    at_h = float(timing.loc[timing["days"] == horizon_days, "share_returned"].iloc[0]) \
        if (timing["days"] == horizon_days).any() else float("nan")
    half_day = _median_return_day(timing, horizon_days)
    up, down = notable_attributes(profile, top=3)
    ob = profile.loc[(profile["attribute"] == "orders_band") & profile["significant"] & (profile["lift"] > 1)]
    orders_up = ob.sort_values("lift", ascending=False).head(2)
    money = f"{past:,.0f} {currency}"
    lines: list[str] = []

    def attr(r: Any) -> str:
        return attribute_text(r.attribute, r.value, language)

    if ja:
        lines.append(f"- 現在の休眠顧客（最終購入から{dormant_days}日以上）は **{n_dormant:,}人**、購入実績のある顧客の"
                     f" **{share:.0%}** です。過去の購入額は合計 {money}。うち **{recent:,}人** は休眠入りから180日未満です。")
        if at_h == at_h:
            lines.append(f"- 休眠に入った顧客のうち **{at_h:.1%}** が{horizon_days}日以内に戻っています"
                         + (f"（その半分は休眠入りから **{half_day}日** 以内）。" if half_day else "。"))
        if len(orders_up):
            lines.append("- 最も効くのは購入回数です: " + "、".join(
                f"{attr(r)}の顧客は他より **{r.lift:.1f}倍** 戻っています（復帰率 {r.return_rate:.0%}）"
                for r in orders_up.itertuples()) + "。")
        if len(up):
            lines.append("- 購入回数が同じ顧客どうしで比べても戻りやすい属性: " + "、".join(
                f"{attr(r)}（{r.adjusted_lift:.1f}倍）" for r in up.itertuples()) + "。")
        if len(down):
            lines.append("- 戻りにくい属性: " + "、".join(
                f"{attr(r)}（{r.adjusted_lift:.1f}倍）" for r in down.itertuples()) + "。")
    else:
        lines.append(f"- **{n_dormant:,} customers** are dormant today (no order for {dormant_days}+ days): "
                     f"**{share:.0%}** of all customers who have ordered, with {money} of past revenue. "
                     f"**{recent:,}** of them went dormant less than 180 days ago.")
        if at_h == at_h:
            lines.append(f"- Of the customers who went dormant, **{at_h:.1%}** came back within {horizon_days} days"
                         + (f", half of them within **{half_day} days** of going dormant." if half_day else "."))
        if len(orders_up):
            lines.append("- Order history matters most: " + "; ".join(
                f"customers with {value_text(r.attribute, r.value, language)} came back **{r.lift:.1f}x** as often "
                f"as the rest ({r.return_rate:.0%})" for r in orders_up.itertuples()) + ".")
        if len(up):
            lines.append("- Compared with customers who have the same number of orders, more likely to come back: "
                         + "; ".join(f"{attr(r)} ({r.adjusted_lift:.1f}x)" for r in up.itertuples()) + ".")
        if len(down):
            lines.append("- Less likely to come back: " + "; ".join(
                f"{attr(r)} ({r.adjusted_lift:.1f}x)" for r in down.itertuples()) + ".")

    rec: list[str] = []
    if metrics is None:
        rec.append("- 類似顧客スコアは信頼できる検証ができなかったため、リストは作成していません。"
                   if ja else "- The lookalike score could not be validated, so no target list is proposed.")
    else:
        lift10, lift20, base = metrics["lift_top10"], metrics["lift_top20"], metrics["base_rate"]
        good = lift10 >= 1.5
        mean_p = metrics["mean_predicted"]
        off = abs(mean_p - base) > 0.15 * base
        if ja:
            lines.append(f"- スコアの検証（{metrics['cutoff']}以降に休眠入りした、学習に使っていない顧客）: AUC "
                         f"**{metrics['auc']:.2f}**、スコア上位10%の復帰率は **{metrics['rate_top10']:.0%}**"
                         f"（全体 {base:.0%} の **{lift10:.1f}倍**）、上位20%は {lift20:.1f}倍。"
                         + (f"ただし予測復帰率の平均（{mean_p:.0%}）は実績（{base:.0%}）とずれているため、スコアは順位付けに使い、"
                            "見込み人数は目安としてください。" if off else ""))
        else:
            lines.append(f"- Backtest on dormancies that started after {metrics['cutoff']} (unseen in training): AUC "
                         f"**{metrics['auc']:.2f}**; the top 10% by score came back at **{metrics['rate_top10']:.0%}** "
                         f"against a base rate of {base:.0%} (**{lift10:.1f}x**), the top 20% at {lift20:.1f}x."
                         + (f" The mean predicted return rate ({mean_p:.0%}) is off the observed one ({base:.0%}): use the "
                            "score to rank, and the expected counts as a rough guide." if off else ""))
        exp_r, exp_v = float(targets["p_return"].sum()), float(targets["expected_return_value"].sum())
        low = scores["p_return"] < base / 2
        if ja:
            rec.append(f"- {'スコアは十分に復帰者を絞り込めています。' if good else 'スコアの絞り込み効果は限定的です。'}"
                       f"ターゲットリスト **{len(targets):,}人** に「おかえりなさい」オファーを送ると、約 **{exp_r:,.0f}人**"
                       f"（見込み売上 {exp_v:,.0f} {currency}）の復帰が見込めます。")
            rec.append(f"- うち **{control:,}人** は対照群として配信しません。{horizon_days}日後に両群の復帰率を比べ、"
                       "オファーの純粋な効果を測ってください。")
            rec.append(f"- 復帰確率が基準の半分（{base / 2:.0%}）未満の休眠顧客は **{int(low.sum()):,}人**"
                       f"（{low.mean():.0%}）。この層への一律の販促は止め、費用のかからない接点にとどめることを勧めます。")
            if half_day:
                rec.append(f"- 復帰の半分は休眠入りから{half_day}日以内に起きています。オファーは休眠入り直後の顧客から優先してください。")
        else:
            rec.append(f"- {'The score separates returners well.' if good else 'The score separates returners only modestly.'}"
                       f" A welcome-back offer to the **{len(targets):,} customers** on the target list should bring back "
                       f"about **{exp_r:,.0f}** of them ({exp_v:,.0f} {currency} expected revenue).")
            rec.append(f"- **{control:,}** of them are held out as a control group: compare both groups' return rates after "
                       f"{horizon_days} days to measure what the offer adds.")
            rec.append(f"- **{int(low.sum()):,} dormant customers** ({low.mean():.0%}) have a return probability below half "
                       f"the base rate ({base / 2:.0%}): stop blanket promotions to them and keep to free channels.")
            if half_day:
                rec.append(f"- Half of all returns happen within {half_day} days of going dormant: send the offer to the "
                           "recently dormant first.")
    head = "\n\n**" + label("wb_recommendations", language) + "**\n\n"
    return "\n".join(lines) + head + "\n".join(rec)
