"""Display names of the cohorts report."""

LABELS: dict[str, dict[str, str]] = {
    "cohorts_title": {"en": "Cohorts and repeat buying", "ja": "コホート分析とリピート購入"},
    "cohort": {"en": "Acquisition cohort", "ja": "獲得コホート"},
    "period": {"en": "Periods since first order", "ja": "初回購入からの経過期間"},
    "period_month": {"en": "Months since first order", "ja": "初回購入からの経過月数"},
    "period_week": {"en": "Weeks since first order", "ja": "初回購入からの経過週数"},
    "period_quarter": {"en": "Quarters since first order", "ja": "初回購入からの経過四半期"},
    "calendar_period": {"en": "Period", "ja": "期間"},
    "cohort_size": {"en": "Customers acquired", "ja": "獲得顧客数"},
    "active_customers": {"en": "Active customers", "ja": "購入顧客数"},
    "retention": {"en": "Share active in the period", "ja": "期間内購入率"},
    "repeat_2": {"en": "Repeat rate (2nd purchase)", "ja": "リピート率（2回目購入）"},
    "repeat_3": {"en": "3rd purchase rate", "ja": "3回目購入率"},
    "repeat_4": {"en": "4th purchase rate", "ja": "4回目購入率"},
    "cum_ltv": {"en": "Cumulative net revenue per customer", "ja": "顧客あたり累計純売上"},
    "ltv_curve": {"en": "LTV curve", "ja": "LTVカーブ"},
    "cohort_heatmap_repeat": {"en": "Repeat rate by cohort", "ja": "コホート別リピート率"},
    "cohort_heatmap_ltv": {"en": "Cumulative net revenue per customer by cohort",
                           "ja": "コホート別 顧客あたり累計純売上"},
    "first_product_line": {"en": "First product line", "ja": "初回購入の商品ライン"},
    "several_lines": {"en": "Several lines", "ja": "複数の商品ライン"},
    "first_product": {"en": "First product", "ja": "初回購入の商品"},
    "first_channel": {"en": "First channel", "ja": "初回購入チャネル"},
    "first_discount_code": {"en": "First discount code", "ja": "初回購入の割引コード"},
    "first_source": {"en": "First order source", "ja": "初回注文のソース"},
    "none": {"en": "(none)", "ja": "（なし）"},
    "online_store": {"en": "Online store", "ja": "オンラインストア"},
    "pos": {"en": "Store (POS)", "ja": "店舗（POS）"},
    "draft_order": {"en": "Draft order", "ja": "下書き注文"},
    "time_to_repurchase": {"en": "Days to the next purchase", "ja": "次の購入までの日数"},
    "days_1_to_2": {"en": "1st to 2nd purchase", "ja": "1回目→2回目"},
    "days_2_to_3": {"en": "2nd to 3rd purchase", "ja": "2回目→3回目"},
    "repurchase_within": {"en": "Second purchase within 30 / 90 / 180 / 365 days",
                          "ja": "初回購入から30・90・180・365日以内のリピート率"},
    "window_days": {"en": "Days after the first purchase", "ja": "初回購入からの日数"},
    "repeat_rate_365d": {"en": "Second purchase within 365 days", "ja": "365日以内のリピート率"},
    "eligible": {"en": "Customers old enough", "ja": "対象顧客数"},
    "repeaters": {"en": "Repeat buyers", "ja": "リピート顧客数"},
    "rate": {"en": "Rate", "ja": "割合"},
    "new_vs_repeat": {"en": "Net revenue: new and repeat customers", "ja": "純売上の内訳：新規顧客とリピート顧客"},
    "new_revenue": {"en": "New customers", "ja": "新規顧客"},
    "repeat_revenue": {"en": "Repeat customers", "ja": "リピート顧客"},
    "unidentified_revenue": {"en": "Unidentified (guest)", "ja": "顧客不明（ゲスト）"},
    "repeat_revenue_share": {"en": "Repeat share of customer revenue", "ja": "顧客売上に占めるリピート比率"},
    "product_repeat": {"en": "Come-back rate by first product line", "ja": "初回購入の商品ライン別リピート率"},
    "repurchase_by_line": {"en": "Second purchase within 30 / 90 / 180 / 365 days, by first product line",
                           "ja": "初回購入の商品ライン別 30・90・180・365日以内のリピート率"},
    "first_buyers": {"en": "First-time buyers", "ja": "初回購入者数"},
    "median_days_to_second": {"en": "Median days to 2nd purchase", "ja": "2回目購入までの日数（中央値）"},
    "next_purchase": {"en": "Product lines bought on the 2nd purchase", "ja": "2回目の購入で買われた商品ライン"},
    "first_item": {"en": "First product line", "ja": "初回購入の商品ライン"},
    "next_item": {"en": "Product line of the 2nd purchase", "ja": "2回目購入の商品ライン"},
    "share_of_first_buyers": {"en": "Share of first-time buyers", "ja": "初回購入者に占める割合"},
    "days_plus": {"en": "{n}+", "ja": "{n}+"},
    "repurchases": {"en": "Repurchases", "ja": "リピート購入数"},
    "mean": {"en": "Mean", "ja": "平均"},
    "median": {"en": "Median", "ja": "中央値"},
    "p25": {"en": "25th percentile", "ja": "25パーセンタイル"},
    "p75": {"en": "75th percentile", "ja": "75パーセンタイル"},
    "p90": {"en": "90th percentile", "ja": "90パーセンタイル"},
    # acquisition payback (marketing spend) and the repurchase cycle per product line
    "payback_title": {"en": "Acquisition payback", "ja": "獲得コストの回収"},
    "cac_by_month": {"en": "Acquisition cost and payback by month", "ja": "月別 獲得コストと回収"},
    "month": {"en": "Month", "ja": "月"},
    "channel": {"en": "Channel", "ja": "チャネル"},
    "months": {"en": "Months with spend", "ja": "広告費のある月数"},
    "spend": {"en": "Marketing spend", "ja": "広告費"},
    "new_customers": {"en": "New customers", "ja": "新規顧客数"},
    "cac": {"en": "CAC (spend per new customer)", "ja": "CAC（新規顧客1人あたり広告費）"},
    "ltv_cac_3": {"en": "LTV:CAC, month 3", "ja": "LTV:CAC（3か月目）"},
    "ltv_cac_6": {"en": "LTV:CAC, month 6", "ja": "LTV:CAC（6か月目）"},
    "ltv_cac_12": {"en": "LTV:CAC, month 12", "ja": "LTV:CAC（12か月目）"},
    "payback_month": {"en": "Payback month", "ja": "回収月"},
    "predicted_ltv_cac_24": {"en": "LTV:CAC, month 24 (predicted)", "ja": "LTV:CAC（24か月目・予測）"},
    "predicted_ltv_cac_24_80": {"en": "Month 24, 80% interval", "ja": "24か月目・80%区間"},
    "predicted_ltv_cac_24_95": {"en": "Month 24, 95% interval", "ja": "24か月目・95%区間"},
    "months_observed": {"en": "Months observed", "ja": "観測月数"},
    "line_cycle": {"en": "Repurchase cycle by product line", "ja": "商品ライン別のリピート購入間隔"},
    "product_line": {"en": "Product line", "ja": "商品ライン"},
    "iqr": {"en": "Interquartile range (days)", "ja": "四分位範囲（日）"},
    # sentences of the cohorts page (ltvlib.cohorts): facts formatted by the caller
    "cohorts_say_no_orders": {
        "en": "No order was placed up to {as_of}, so there are no cohorts yet; they appear once the shop has orders "
              "on or before the report date.",
        "ja": "{as_of}までの注文がないため、コホートはまだありません。基準日までの注文があると表示されます。"},
    "cohorts_say_no_orders_yet": {
        "en": "No order was placed up to {as_of} (the first order is dated {first}), so there are no cohorts yet; "
              "a report date on or after {first} shows them.",
        "ja": "{as_of}までの注文がありません（最初の注文は{first}）。そのためコホートはまだありません。"
              "基準日を{first}以降にすると表示されます。"},
    "cohorts_say_no_customers": {
        "en": "The {orders} orders up to {as_of} cannot be tied to a customer ({guests} without a customer e-mail "
              "or id, {cancelled} cancelled), so there are no cohorts; orders that carry a customer e-mail or id "
              "make them possible.",
        "ja": "{as_of}までの注文{orders}件はいずれも顧客を特定できません（メールアドレス・顧客IDなし {guests}件、"
              "キャンセル {cancelled}件）。そのためコホートはありません。顧客のメールアドレスかIDを含む注文があると表示されます。"},
    "cohorts_say_no_curves": {
        "en": "Repeat and LTV curves need at least {need} customers whose first {unit} is over; this shop has "
              "{have}, so the curves appear as more customers are acquired.",
        "ja": "リピート率とLTVのカーブには、初回購入の{unit}が終わった顧客が{need}人以上必要です。現在は{have}人のため、"
              "顧客が増えると表示されます。"},
    "cohorts_say_curve_basis": {
        "en": "The curves follow the same {cohorts} cohorts ({customers} customers) at every point: those observed "
              "through {when} after their first order, so younger cohorts cannot pull the later points down.",
        "ja": "カーブの各点は、初回購入から{when}まで観測できた同じ{cohorts}コホート（{customers}人）で計算しています。"
              "そのため若いコホートが後半の値を押し下げることはありません。"},
    "cohorts_say_split_one_group": {
        "en": "Every customer falls in one group by {split} ({value}), so there is nothing to compare yet.",
        "ja": "{split}では全顧客が同じグループ（{value}）に入るため、まだ比較できません。"},
    "cohorts_say_split_few": {
        "en": "By {split}, no two groups have at least {need} customers observed for the whole period, so the "
              "groups are not compared yet.",
        "ja": "{split}別では、期間全体を観測できた顧客が{need}人以上いるグループが2つ未満のため、まだ比較しません。"},
    "cohorts_say_no_lines": {
        "en": "No product title matched the shop's product-line map, so customers cannot be grouped by product "
              "line; mapping the product titles (sources: product_lines in the shop params) makes it possible.",
        "ja": "商品名がショップの商品ライン対応表に一致しないため、商品ライン別には集計できません。"
              "ショップ設定の sources の product_lines に商品名を対応付けると表示されます。"},
    "cohorts_say_several_lines": {
        "en": "Customers whose first order held several product lines form their own group, *{name}*, so every "
              "customer is counted once and the shares add up to 100%.",
        "ja": "初回注文に複数の商品ラインを含む顧客は「{name}」として1つのグループにまとめ、各顧客を1回だけ数えます"
              "（構成比の合計は100%）。"},
    "cohorts_say_no_intervals": {
        "en": "No customer has bought on two different days up to {as_of}, so there is no time between purchases "
              "to show; it appears with the first repeat purchase.",
        "ja": "{as_of}までに別々の日に2回以上購入した顧客がいないため、購入間隔はまだ表示できません。"
              "最初のリピート購入があると表示されます。"},
    "cohorts_say_no_rates": {
        "en": "Repurchase rates need customers whose first purchase is at least {days} days old; the oldest here "
              "is {have} days old, so the rates appear as customers age.",
        "ja": "リピート率の計算には初回購入から{days}日以上経った顧客が必要です。現在最も古い顧客は{have}日のため、"
              "日数が経つと表示されます。"},
    "cohorts_say_no_repeaters": {
        "en": "No customer has made a second purchase up to {as_of}, so there is nothing to show about what they "
              "bought next.",
        "ja": "{as_of}までに2回目の購入をした顧客がいないため、2回目に買われたものはまだ表示できません。"},
    "cohorts_say_mix_over_100": {
        "en": "A second purchase with several product lines counts under each of them, so a row's shares can add "
              "up to more than 100%.",
        "ja": "2回目の購入に複数の商品ラインが含まれる場合はそれぞれに数えるため、行の合計が100%を超えることがあります。"},
    "cohorts_say_no_revenue": {
        "en": "No order up to {as_of}, so there is no revenue to split into new and repeat customers.",
        "ja": "{as_of}までの注文がないため、新規・リピート別の売上はまだありません。"},
    "cohorts_say_clipped": {
        "en": "The last bar gathers every gap of {n} days or more.",
        "ja": "最後の棒は{n}日以上の間隔をまとめたものです。"},
    "cohorts_say_rate": {
        "en": "**{rate}** of first-time buyers placed a second order within {days} days ({eligible} customers old "
              "enough to tell).",
        "ja": "初回購入から{days}日以内に2回目の購入をした顧客は **{rate}**（対象 {eligible}人）。"},
    "cohorts_say_median": {
        "en": "The median time from the first to the second purchase is **{median} days**; three in four second "
              "purchases come within {p75} days.",
        "ja": "2回目の購入までの日数の中央値は **{median}日**、4分の3が {p75}日以内です。"},
    "cohorts_say_compare": {
        "en": "By {split}: customers whose first order was *{best}* reach a **{rb}** repeat rate by {when}, against "
              "**{rw}** for *{worst}*; cumulative net revenue per customer {vb} against {vw}.",
        "ja": "{split}別: 「{best}」で始まった顧客は{when}までにリピート率 **{rb}** に達し、「{worst}」は **{rw}** に"
              "とどまります。同時点の顧客あたり累計純売上は {vb} 対 {vw}。"},
    "cohorts_say_mix": {
        "en": "Repeat buyers who started with *{first}* most often bought *{next}* on their second purchase ({share} "
              "of them).",
        "ja": "「{first}」から始めてリピートした顧客が2回目に最も多く買ったのは「{next}」（{share}）です。"},
    "cohorts_say_repeat_share": {
        "en": "Over the last {n} {unit}, **{share}** of customer revenue came from repeat customers.",
        "ja": "直近{n}{unit}の顧客売上のうち **{share}** がリピート顧客によるものです。"},
    "cohorts_say_nothing": {
        "en": "Not enough orders yet to read repeat buying: it needs customers with a second purchase.",
        "ja": "リピート購入を評価できるだけの注文がまだありません。2回目の購入をした顧客が必要です。"},
    "cohorts_say_no_spend": {
        "en": "Acquisition payback (cost per new customer, LTV:CAC and the payback month) needs the shop's monthly "
              "marketing spend per channel; it appears once a spend file is set in the shop's settings.",
        "ja": "獲得コストの回収（新規顧客1人あたりの広告費、LTV:CAC、回収月）には月別・チャネル別の広告費が必要です。"
              "ショップ設定で広告費ファイルを指定すると表示されます。"},
    "cohorts_say_spend_missing": {
        "en": "The marketing-spend file {name} named in the shop's settings was not found, so acquisition payback "
              "is not shown; it appears once the file is there.",
        "ja": "ショップ設定で指定された広告費ファイル {name} が見つからないため、獲得コストの回収は表示していません。"
              "ファイルを置くと表示されます。"},
    "cohorts_say_spend_rows": {
        "en": "Spend from {name}: {used} rows used{skipped}. Realised LTV:CAC is the cumulative net revenue of the "
              "customers acquired in a month and channel up to month 3, 6 or 12 after their first order, divided by "
              "that month's spend (cohorts whose month is not over yet are left out); a cohort pays back in the first "
              "month where its cumulative net revenue per customer reaches its CAC.",
        "ja": "広告費は {name} から（使用 {used}行{skipped}）。実績LTV:CACは、各月・チャネルで獲得した顧客の初回購入から"
              "3・6・12か月目までの累計純売上をその月の広告費で割った値です（その月が終わっていないコホートは除外）。"
              "回収月は、顧客あたり累計純売上がCACに達した最初の月です。"},
    "cohorts_say_spend_skipped": {"en": "; {n} skipped: {reasons}", "ja": "、除外 {n}行：{reasons}"},
    "cohorts_spend_skip_blank": {"en": "{n} blank", "ja": "空行 {n}行"},
    "cohorts_spend_skip_after_as_of": {"en": "{n} for months after the report month",
                                       "ja": "基準日より後の月 {n}行"},
    "cohorts_say_payback": {
        "en": "*{channel}*: CAC **{cac}** ({new} new customers for {spend} over {months} months with spend); "
              "LTV:CAC {ratios}; {paid}.",
        "ja": "「{channel}」：CAC **{cac}**（{months}か月の広告費 {spend} で新規顧客 {new}人）。LTV:CAC は{ratios}。{paid}。"},
    "cohorts_say_payback_nobody": {
        "en": "*{channel}*: {spend} spent over {months} months acquired no customer, so there is no CAC.",
        "ja": "「{channel}」：{months}か月の広告費 {spend} で獲得した顧客がいないため、CACはありません。"},
    "cohorts_say_ratio_at": {"en": "{ratio} by {when}", "ja": "{when}までに {ratio}"},
    "cohorts_say_ratio_predicted": {"en": "predicted {ratio} by {when}", "ja": "{when}までに {ratio}（予測）"},
    "cohorts_say_interval_80": {"en": " (80% interval {lo}–{hi})", "ja": "（80%区間 {lo}〜{hi}）"},
    "cohorts_say_predicted_interval": {
        "en": "Its 80% and 95% intervals come from the same {draws} parameter draws as the CLV page's intervals: they "
              "show how sure the model's parameters are, not whether the model fits the shop or the chance in each "
              "customer's purchases.",
        "ja": "その80%・95%区間は、CLVページの区間と同じ{draws}通りのパラメータから求めています。モデルのパラメータの"
              "不確かさだけを表し、モデル自体が合うかどうかや、各顧客の購入の偶然のばらつきは含みません。"},
    "cohorts_say_predicted_basis": {
        "en": "Predicted LTV:CAC by {when}: each cohort's net revenue so far plus the revenue the {model} model of the "
              "CLV page expects from its customers until the end of their {when} (expected purchases times expected "
              "spend per purchase, not discounted, like the realised ratios), divided by the cohort's spend. It is a "
              "model forecast: read it with the CLV page's validation.",
        "ja": "{when}までの予測LTV:CACは、各コホートのこれまでの純売上に、CLVページの{model}モデルが予測する{when}末までの"
              "売上（予測購入回数×予測購入単価、実績と同じく割引なし）を加え、そのコホートの広告費で割った値です。"
              "モデルの予測なので、CLVページの検証結果と合わせて見てください。"},
    "cohorts_say_predicted_no_model": {
        "en": "Predicted LTV:CAC by {when} is not shown: the CLV model cannot be used for this shop (the CLV page says "
              "why).",
        "ja": "{when}までの予測LTV:CACは表示していません：このショップではCLVモデルを使えません（理由はCLVページにあります）。"},
    "cohorts_say_predicted_no_fit": {
        "en": "Predicted LTV:CAC by {when} comes from the CLV model the CLV page fits in the same report run; this "
              "page was made without it, so only realised ratios are shown.",
        "ja": "{when}までの予測LTV:CACは、同じレポート作成でCLVページが推定したモデルから求めます。このページはそれなしで"
              "作成されたため、実績の比率だけを表示しています。"},
    "cohorts_say_ratio_none": {"en": "not measurable yet (no cohort with spend has finished {when})",
                               "ja": "まだ計算できません（広告費のあるコホートで{when}を終えたものがありません）"},
    "cohorts_say_paid_back": {"en": "acquisition pays back in **{when}** after the first order",
                              "ja": "初回購入から **{when}** に回収"},
    "cohorts_say_not_paid_back": {"en": "not paid back yet by {when}", "ja": "{when}までに未回収"},
    "cohorts_say_payback_too_early": {"en": "too early to tell whether it pays back (no month with spend is over "
                                            "yet)", "ja": "回収はまだ判断できません（広告費のある月がまだ終わっていません）"},
    "cohorts_say_no_line_cycle": {
        "en": "No product line has been bought again by the same customer at least {need} times, so there is no "
              "typical repurchase cycle yet.",
        "ja": "同じ顧客が同じ商品ラインを再購入した回数が{need}回以上の商品ラインがないため、購入間隔はまだ示せません。"},
    "cohorts_say_line_cycle_few": {
        "en": "Too few repurchases (fewer than {need}) to state a cycle for: {lines}.",
        "ja": "再購入が{need}回未満のため間隔を示していない商品ライン：{lines}。"},
    "cohorts_say_line_cycle": {
        "en": "Days between two purchase days on which the same customer bought the same product line: the median "
              "is the typical cycle for a replenishment reminder, the 25th to 75th percentile its spread.",
        "ja": "同じ顧客が同じ商品ラインを購入した日の間隔（日数）です。中央値が補充リマインドの目安、25〜75パーセンタイルがそのばらつきです。"},
    "cohorts_unit_month": {"en": "month", "ja": "か月"},
    "cohorts_unit_week": {"en": "week", "ja": "週"},
    "cohorts_unit_quarter": {"en": "quarter", "ja": "四半期"},
    "cohorts_units_month": {"en": "months", "ja": "か月"},
    "cohorts_units_week": {"en": "weeks", "ja": "週"},
    "cohorts_units_quarter": {"en": "quarters", "ja": "四半期"},
}
