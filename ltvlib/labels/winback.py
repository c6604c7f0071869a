"""Display names and sentences of the win-back report (keys prefixed ``wb_`` so they never shadow other analyses').

*Lapsed* (購入途絶) is the win-back notion: more than ``thresholds.active_days`` days without an order
(``winback.lapsed_days``, default 121+). It differs from the status grid's *dormant* (181-360 days), so
every text that names it carries its day range: templates take ``{days}`` (the lapsed threshold) and are
rendered with ``ltvlib.labels.say``. Sentence templates (``wb_say_*``, ``wb_missing_*``) take facts
formatted by ``ltvlib.winback.narrative``; a ``wb_missing_*`` sentence replaces a section that cannot be
computed: what is missing, and what would make it possible.
"""

LABELS: dict[str, dict[str, str]] = {
    "wb_lapsed": {"en": "Lapsed ({days}+ days)", "ja": "購入途絶（{days}日以上）"},
    "wb_title": {"en": "Win-back: Lapsed ({days}+ days) customers who come back",
                 "ja": "ウィンバック：購入途絶（{days}日以上）顧客の復帰分析"},
    # sections
    "wb_summary": {"en": "Findings", "ja": "主な発見"},
    "wb_lapsed_base": {"en": "Lapsed ({days}+ days) customers today", "ja": "現在の購入途絶（{days}日以上）顧客"},
    "wb_timing": {"en": "When Lapsed ({days}+ days) customers come back", "ja": "購入途絶（{days}日以上）顧客が戻るタイミング"},
    "wb_profile": {"en": "What the customers who came back had in common", "ja": "復帰した顧客の共通点"},
    "wb_profile_by_orders": {"en": "Return rate by number of orders", "ja": "購入回数別の復帰率"},
    "wb_profile_notable": {"en": "Attributes that stand out, compared at the same number of orders",
                           "ja": "購入回数をそろえて比べたときに目立つ属性"},
    "wb_backtest": {"en": "How well the score predicts (backtest)", "ja": "スコアの予測精度（バックテスト）"},
    "wb_targets": {"en": "Target list: Lapsed ({days}+ days) customers most like past returners",
                   "ja": "ターゲットリスト：過去の復帰顧客に似た購入途絶（{days}日以上）顧客"},
    "wb_recommendations": {"en": "Recommendations", "ja": "提言"},
    "wb_definitions": {"en": "Definitions", "ja": "用語の定義"},
    "wb_top_reasons": {"en": "Most common first reason on the list", "ja": "リストで最も多い第一の理由"},
    # attributes
    "wb_attr_first_product_line": {"en": "First product line", "ja": "初回購入の商品ライン"},
    "wb_attr_last_product_line": {"en": "Last product line", "ja": "最終購入の商品ライン"},
    "wb_attr_first_channel": {"en": "First channel", "ja": "初回購入のチャネル"},
    "wb_attr_first_discount_code": {"en": "First discount code", "ja": "初回購入の割引コード"},
    "wb_attr_orders_band": {"en": "Orders", "ja": "購入回数"},
    "wb_attr_aov_band": {"en": "Average order value", "ja": "平均注文単価"},
    "wb_attr_interval_band": {"en": "Days between purchases", "ja": "購入間隔"},
    "wb_attr_tenure_band": {"en": "Days since first order", "ja": "初回購入からの日数"},
    "wb_attr_gift_buyer": {"en": "Gift orders", "ja": "ギフト購入"},
    "wb_attr_discount_band": {"en": "Discounted repeat orders", "ja": "2回目以降の割引利用"},
    "wb_attr_peak_band": {"en": "Orders in peak months", "ja": "繁忙期（中元・歳暮）の購入"},
    "wb_attr_multichannel": {"en": "More than one channel", "ja": "複数チャネル利用"},
    "wb_attr_prior_band": {"en": "Earlier comebacks", "ja": "過去の購入途絶からの復帰"},
    "wb_attr_start_month": {"en": "Month of becoming Lapsed ({days}+ days)", "ja": "購入途絶（{days}日以上）になった月"},
    # attribute values
    "wb_value_yes": {"en": "yes", "ja": "あり"},
    "wb_value_no": {"en": "no", "ja": "なし"},
    "wb_value_none": {"en": "none", "ja": "なし"},
    "wb_value_some": {"en": "some (under half)", "ja": "一部（半分未満）"},
    "wb_value_mostly": {"en": "half or more", "ja": "半分以上"},
    "wb_value_single": {"en": "single purchase", "ja": "購入1回のみ"},
    "wb_value_unknown": {"en": "unknown", "ja": "不明"},
    "wb_value_other": {"en": "other", "ja": "その他"},
    "wb_value_all": {"en": "all", "ja": "すべて"},
    "wb_value_orders_band_1": {"en": "1 order", "ja": "1回"},
    "wb_unit_orders": {"en": " orders", "ja": "回"},
    "wb_unit_days": {"en": " days", "ja": "日"},
    "wb_unit_times": {"en": "", "ja": "回"},
    "wb_unit_month": {"en": "month ", "ja": "月"},
    # table columns
    "wb_attribute": {"en": "Attribute", "ja": "属性"},
    "wb_value": {"en": "Value", "ja": "値"},
    "wb_episodes": {"en": "Times Lapsed ({days}+ days)", "ja": "購入途絶（{days}日以上）の件数"},
    "wb_returned": {"en": "Came back", "ja": "復帰件数"},
    "wb_return_rate": {"en": "Return rate", "ja": "復帰率"},
    "wb_rate_ci": {"en": "95% interval", "ja": "95%信頼区間"},
    "wb_lift": {"en": "Lift vs the rest (95% interval)", "ja": "他との比（リフト、95%信頼区間）"},
    "wb_adjusted_lift": {"en": "Lift at the same number of orders", "ja": "購入回数をそろえたリフト"},
    "wb_customer": {"en": "Customer", "ja": "顧客"},
    "wb_days_lapsed": {"en": "Days since becoming Lapsed ({days}+ days)", "ja": "購入途絶（{days}日以上）になってからの日数"},
    "wb_share_returned": {"en": "Share come back", "ja": "復帰した割合"},
    "wb_customers": {"en": "Customers", "ja": "顧客数"},
    "wb_share": {"en": "Share of Lapsed ({days}+ days) customers", "ja": "購入途絶（{days}日以上）顧客に占める割合"},
    "wb_net_revenue": {"en": "Past net revenue", "ja": "過去の純売上"},
    "wb_mean_p_return": {"en": "Mean return probability", "ja": "平均復帰確率"},
    "wb_expected_returns": {"en": "Expected returns without an offer", "ja": "オファーなしでの復帰見込み人数"},
    "wb_expected_return_value": {"en": "Expected return revenue without an offer", "ja": "オファーなしでの復帰見込み売上"},
    "wb_p_return": {"en": "Return probability", "ja": "復帰確率"},
    "wb_drivers": {"en": "Why (top attributes)", "ja": "主な理由（属性）"},
    "wb_group": {"en": "Group", "ja": "グループ"},
    "wb_target": {"en": "target", "ja": "配信対象"},
    "wb_control": {"en": "control (no offer)", "ja": "対照群（配信なし）"},
    "wb_rank": {"en": "Rank", "ja": "順位"},
    "wb_orders": {"en": "Orders", "ja": "注文数"},
    "wb_top_share": {"en": "Top share of scores", "ja": "スコア上位の割合"},
    "wb_returners_found": {"en": "Share of returners found", "ja": "復帰者の捕捉率"},
    "wb_random": {"en": "random order", "ja": "ランダム"},
    "wb_model": {"en": "lookalike score", "ja": "類似スコア"},
    "wb_mean_predicted": {"en": "Predicted return rate", "ja": "予測復帰率"},
    "wb_observed_rate": {"en": "Observed return rate", "ja": "実際の復帰率"},
    "wb_calibration": {"en": "Calibration: predicted vs observed, by score decile",
                       "ja": "キャリブレーション：スコア十分位ごとの予測と実績"},
    "wb_gains": {"en": "Returners found by targeting the top of the score", "ja": "スコア上位から配信した場合の復帰者捕捉率"},
    "wb_auc": {"en": "AUC", "ja": "AUC"},
    "wb_base_rate": {"en": "Base return rate (test period)", "ja": "基準復帰率（テスト期間）"},
    "wb_lift_top10": {"en": "Lift in the top 10%", "ja": "上位10%のリフト"},
    "wb_lift_top20": {"en": "Lift in the top 20%", "ja": "上位20%のリフト"},
    "wb_rate_top10": {"en": "Return rate in the top 10%", "ja": "上位10%の復帰率"},
    "wb_rate_top20": {"en": "Return rate in the top 20%", "ja": "上位20%の復帰率"},
    "wb_train": {"en": "Training: customers who became Lapsed ({days}+ days) between",
                 "ja": "学習データ：購入途絶（{days}日以上）になった期間"},
    "wb_test": {"en": "Test: customers who became Lapsed ({days}+ days) between",
                "ja": "テストデータ：購入途絶（{days}日以上）になった期間"},
    "wb_lapsed_customers": {"en": "Lapsed ({days}+ days) customers", "ja": "購入途絶（{days}日以上）顧客数"},
    "wb_return_within": {"en": "Lapsed ({days}+ days) customers back within {horizon} days",
                         "ja": "購入途絶（{days}日以上）顧客の{horizon}日以内の復帰率"},
    "wb_target_list": {"en": "Customers to contact (target list)", "ja": "配信対象（ターゲットリスト）"},
    "wb_expected_without_offer": {"en": "Expected returns without an offer (targets)",
                                  "ja": "オファーなしでの復帰見込み（配信対象）"},
    "wb_p_alive": {"en": "P(alive)", "ja": "生存確率"},
    "wb_predicted_clv": {"en": "Predicted CLV", "ja": "予測CLV"},
    "wb_no_clv": {"en": "No P(alive) / CLV for this shop", "ja": "このショップでは生存確率・CLVを算出できません"},
    # sentences of the findings (facts formatted by ltvlib.winback.narrative)
    "wb_say_definition": {
        "en": "**Lapsed ({days}+ days)** means {days} or more days without an order (more than the {active} days "
              "a customer counts as active). A customer who orders within {horizon} days after becoming Lapsed has "
              "**come back**. This is not the status grid's *Dormant* ({grid_lo}–{grid_hi} days).",
        "ja": "**購入途絶（{days}日以上）** は最終購入から{days}日以上注文がない状態です（アクティブとみなす{active}日を"
              "超えた顧客）。購入途絶になってから{horizon}日以内に注文した顧客を **復帰** とみなします。"
              "ステータス表の「休眠」（{grid_lo}〜{grid_hi}日）とは範囲が異なります。"},
    "wb_say_base": {
        "en": "**{lapsed} customers** are Lapsed ({days}+ days) today: **{share}** of the {customers} customers "
              "who have ordered, with {revenue} of past net revenue. **{recent}** of them became Lapsed less than "
              "180 days ago.",
        "ja": "現在の購入途絶（{days}日以上）顧客は **{lapsed}人**、購入実績のある顧客{customers}人の **{share}** です。"
              "過去の純売上は合計 {revenue}。うち **{recent}人** は購入途絶になってから180日未満です。"},
    "wb_say_timing": {
        "en": "Of the customers who became Lapsed ({days}+ days), **{rate}** came back within {horizon} days.",
        "ja": "購入途絶（{days}日以上）になった顧客のうち **{rate}** が{horizon}日以内に戻っています。"},
    "wb_say_timing_half": {
        "en": "Of the customers who became Lapsed ({days}+ days), **{rate}** came back within {horizon} days, "
              "half of them within **{half} days**.",
        "ja": "購入途絶（{days}日以上）になった顧客のうち **{rate}** が{horizon}日以内に戻っています"
              "（その半分は **{half}日** 以内）。"},
    "wb_say_orders": {"en": "Order history matters most: {items}.", "ja": "最も効くのは購入回数です：{items}。"},
    "wb_say_orders_item": {"en": "customers with {value} came back **{lift}x** as often as the rest ({rate})",
                           "ja": "{value}の顧客は他より **{lift}倍** 戻っています（復帰率 {rate}）"},
    "wb_say_up": {"en": "Compared with customers who have the same number of orders, more likely to come back: {items}.",
                  "ja": "購入回数が同じ顧客どうしで比べても戻りやすい属性：{items}。"},
    "wb_say_down": {"en": "Less likely to come back: {items}.", "ja": "戻りにくい属性：{items}。"},
    "wb_say_lift_item": {"en": "{attribute} ({lift}x)", "ja": "{attribute}（{lift}倍）"},
    "wb_say_backtest": {
        "en": "Backtest on customers who became Lapsed ({days}+ days) after {cutoff} (unseen in training): AUC "
              "**{auc}**; the top 10% by score came back at **{rate10}** against a base rate of {base} "
              "(**{lift10}x**), the top 20% at {lift20}x.",
        "ja": "スコアの検証（{cutoff}以降に購入途絶（{days}日以上）になった、学習に使っていない顧客）：AUC **{auc}**、"
              "スコア上位10%の復帰率は **{rate10}**（全体 {base} の **{lift10}倍**）、上位20%は {lift20}倍。"},
    "wb_say_backtest_off": {
        "en": "The mean predicted return rate ({predicted}) is off the observed one ({base}): use the score to rank, "
              "and the expected counts as a rough guide.",
        "ja": "予測復帰率の平均（{predicted}）は実績（{base}）とずれているため、スコアは順位付けに使い、見込み人数は"
              "目安としてください。"},
    "wb_say_good": {"en": "The score separates returners well.", "ja": "スコアは十分に復帰者を絞り込めています。"},
    "wb_say_modest": {"en": "The score separates returners only modestly.", "ja": "スコアの絞り込み効果は限定的です。"},
    "wb_say_forecast": {
        "en": "Send the welcome-back offer to the **{targets} customers** in the target group. Even without an offer, "
              "about **{returns}** of them are expected to come back within {horizon} days ({value} of revenue): "
              "this is the baseline, not the offer's effect.",
        "ja": "「おかえりなさい」オファーは配信対象の **{targets}人** に送ってください。オファーがなくても、"
              "そのうち約 **{returns}人** が{horizon}日以内に戻ると見込まれます（見込み売上 {value}）。"
              "これはオファーの効果ではなく、配信しなくても起きる復帰の見込みです。"},
    "wb_say_control": {
        "en": "**{control}** customers of the list are held out as a control group and get no offer: after "
              "{horizon} days, the difference between the two groups' return rates is what the offer adds.",
        "ja": "リストのうち **{control}人** は対照群として配信しません。{horizon}日後に両群の復帰率を比べた差が、"
              "オファーの純粋な効果です。"},
    "wb_say_no_control": {
        "en": "No control group is held out (winback.control_share is 0), so the offer's effect cannot be measured.",
        "ja": "対照群を設けていない（winback.control_share が0）ため、オファーの効果は測定できません。"},
    "wb_say_low": {
        "en": "**{low} Lapsed ({days}+ days) customers** ({share}) have a return probability below half the base "
              "rate ({half}): stop blanket promotions to them and keep to free channels.",
        "ja": "復帰確率が基準の半分（{half}）未満の購入途絶（{days}日以上）顧客は **{low}人**（{share}）。"
              "この層への一律の販促は止め、費用のかからない接点にとどめることを勧めます。"},
    "wb_say_half": {
        "en": "Half of all returns happen within {half} days of becoming Lapsed ({days}+ days): contact the "
              "recently Lapsed first.",
        "ja": "復帰の半分は購入途絶（{days}日以上）になってから{half}日以内に起きています。購入途絶になって間もない"
              "顧客から優先してください。"},
    "wb_say_exports": {
        "en": "Exported: `exports/{targets_file}` ({targets} customers to contact) and `exports/{control_file}` "
              "({control} customers held out: do not contact).",
        "ja": "出力：`exports/{targets_file}`（配信対象{targets}人）と `exports/{control_file}`"
              "（対照群{control}人：配信しないでください）。"},
    "wb_say_freeze": {
        "en": "This page does not change the shop's data. To keep this list and its control group for measuring "
              "later, freeze it as list segment `{name}`: `ltv winback freeze {shop} --as-of {as_of}`; after "
              "{horizon} days, `ltv segment measure {shop} {name}` compares both groups.",
        "ja": "このページはショップのデータを変更しません。後で効果を測るために、このリストと対照群をリストセグメント "
              "`{name}` として保存するには `ltv winback freeze {shop} --as-of {as_of}` を実行してください。"
              "{horizon}日後に `ltv segment measure {shop} {name}` で両群を比べられます。"},
    "wb_say_freeze_client": {
        "en": "This page does not change the shop's data. The list and its control group can be kept as list segment "
              "`{name}`, so that after {horizon} days the two groups' return rates can be compared.",
        "ja": "このページはショップのデータを変更しません。このリストと対照群はリストセグメント `{name}` として保存でき、"
              "{horizon}日後に両群の復帰率を比べられます。"},
    "wb_say_no_control_client": {
        "en": "No control group is held out, so the offer's effect cannot be measured.",
        "ja": "対照群を設けていないため、オファーの効果は測定できません。"},
    "wb_missing_targets_min_score_client": {
        "en": "There is no target list because no Lapsed ({days}+ days) customer reaches the minimum return "
              "probability of {min_score}; a lower minimum (a setting of this report) would make one.",
        "ja": "復帰確率が下限の{min_score}に達する購入途絶（{days}日以上）顧客がいないためターゲットリストはありません"
              "（レポートの設定で下限を下げると作成できます）。"},
    # a section that cannot be computed: one sentence, what is missing and what would make it possible
    "wb_missing_no_orders": {
        "en": "There is no order on or before {as_of}, so there is nothing to analyse; a later as-of date, or "
              "imported orders up to it, would make it possible.",
        "ja": "{as_of}以前の注文がないため分析できず、基準日を後にするか、その日までの注文を取り込むと分析できます。"},
    "wb_missing_no_customers": {
        "en": "No customer can be followed: the {orders} orders up to {as_of} are guest or cancelled orders "
              "({guests} without a customer e-mail or id, {cancelled} cancelled); orders that name their customer "
              "would make it possible.",
        "ja": "{as_of}までの注文{orders}件はゲスト注文かキャンセル済み（顧客のメールまたはIDなし{guests}件、キャンセル{cancelled}件）で顧客を追えないため、顧客を特定できる注文が必要です。"},
    "wb_missing_none_lapsed_short": {
        "en": "No customer is Lapsed ({days}+ days) yet: the history starts on {first}, only {span} days before "
              "{as_of}; customers appear here once they go {days} days without an order.",
        "ja": "履歴の開始が{first}で基準日{as_of}まで{span}日しかないため購入途絶（{days}日以上）の顧客はまだおらず、{days}日注文のない顧客が出るとここに表示されます。"},
    "wb_missing_none_lapsed": {
        "en": "No customer is Lapsed ({days}+ days) on {as_of}: all {customers} customers have ordered within the "
              "last {recent} days; customers appear here once they go {days} days without an order.",
        "ja": "{as_of}時点では顧客{customers}人全員が直近{recent}日以内に注文しているため購入途絶（{days}日以上）の顧客はおらず、{days}日注文のない顧客が出るとここに表示されます。"},
    "wb_missing_no_episodes": {
        "en": "No customer has gone {days} days without an order yet, so there is no return to observe; this needs "
              "customers who became Lapsed ({days}+ days) in the history.",
        "ja": "{days}日以上注文のなかった顧客がまだいないため復帰を観察できず、購入途絶（{days}日以上）になった顧客が履歴に必要です。"},
    "wb_missing_no_returns": {
        "en": "No customer has come back after {days}+ days without an order yet ({episodes} times Lapsed so far), "
              "so there is nothing to learn from; this needs returners in the history.",
        "ja": "{days}日以上注文のなかった顧客が戻った例はまだなく（購入途絶{episodes}件）学べる材料がないため、復帰した顧客が履歴に必要です。"},
    "wb_missing_not_followed": {
        "en": "No Lapsed ({days}+ days) customer has been followed for the full {horizon} days yet, so it is too early "
              "to say who comes back; this needs customers who became Lapsed at least {horizon} days before {as_of}.",
        "ja": "購入途絶（{days}日以上）になってから{horizon}日を経過した顧客がまだいないため誰が戻るかは判断できず、{as_of}の{horizon}日以上前に購入途絶になった顧客が必要です。"},
    "wb_missing_all_returned": {
        "en": "Every one of the {episodes} customers followed for {horizon} days after becoming Lapsed ({days}+ days) "
              "came back, so there is no one to compare them with; this needs customers who did not come back.",
        "ja": "購入途絶（{days}日以上）になってから{horizon}日追跡した{episodes}件はすべて復帰しており比べる相手がいないため、戻らなかった顧客が必要です。"},
    "wb_missing_notable": {
        "en": "No attribute differs clearly from the rest yet (at least {min} times Lapsed and a 95% interval "
              "clear of 1x); more history would make the comparison possible.",
        "ja": "他とはっきり異なる属性（{min}件以上、95%信頼区間が1倍をまたがないもの）はまだなく、履歴が増えると比較できるようになります。"},
    "wb_missing_model": {
        "en": "The lookalike score cannot be trained yet: it needs at least {needed} customers who came back within "
              "{horizon} days of becoming Lapsed ({days}+ days) and {needed} who did not, and the history has "
              "{returned} and {not_returned}.",
        "ja": "類似顧客スコアの学習には、購入途絶（{days}日以上）から{horizon}日以内に戻った顧客と戻らなかった顧客がそれぞれ{needed}人以上必要ですが、履歴には{returned}人と{not_returned}人しかいません。"},
    "wb_missing_backtest": {
        "en": "The score cannot be checked yet: it needs at least {needed} customers who came back and {needed} who "
              "did not among those who became Lapsed ({days}+ days) after {cutoff} and were followed for {horizon} "
              "days, and there are {returned} and {not_returned}; a longer history would make it possible.",
        "ja": "スコアの検証には、{cutoff}以降に購入途絶（{days}日以上）になり{horizon}日追跡できた顧客のうち戻った顧客と戻らなかった顧客がそれぞれ{needed}人以上必要ですが、{returned}人と{not_returned}人しかおらず、履歴が長くなると検証できます。"},
    "wb_missing_targets_none_lapsed": {
        "en": "There is no target list because no customer is Lapsed ({days}+ days) on {as_of}.",
        "ja": "{as_of}時点で購入途絶（{days}日以上）の顧客がいないため、ターゲットリストはありません。"},
    "wb_missing_targets_no_model": {
        "en": "There is no target list because the score could not be trained and checked on this history; "
              "more customers who came back (and who did not) would make it possible.",
        "ja": "この履歴ではスコアを学習・検証できないためターゲットリストはなく、戻った顧客と戻らなかった顧客が増えると作成できます。"},
    "wb_missing_targets_min_score": {
        "en": "There is no target list because no Lapsed ({days}+ days) customer reaches the minimum return "
              "probability of {min_score}; a lower winback.min_score would make one.",
        "ja": "復帰確率が下限の{min_score}に達する購入途絶（{days}日以上）顧客がいないためターゲットリストはなく、winback.min_score を下げると作成できます。"},
}
