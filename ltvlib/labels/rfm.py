"""Display names of the RFM analysis (status grid, stage scenario, scores)."""

LABELS: dict[str, dict[str, str]] = {
    # frequency stages and recency statuses
    "first": {"en": "First", "ja": "初回"},
    "repeat": {"en": "Repeat", "ja": "リピート"},
    "loyal": {"en": "Loyal", "ja": "ロイヤル"},
    "active": {"en": "Active", "ja": "アクティブ"},
    "at_risk": {"en": "At risk", "ja": "離脱予備"},
    "dormant": {"en": "Dormant", "ja": "休眠"},
    "churned": {"en": "Churned", "ja": "離脱"},
    # stage scenario
    "new": {"en": "New", "ja": "新規"},
    "first_repeat": {"en": "First repeat", "ja": "初リピート"},
    "lapsing": {"en": "Lapsing", "ja": "離反傾向"},
    "regular": {"en": "Regular", "ja": "リピート定着"},
    # RFM page sentences (ltvlib.rfm.narrative)
    "rfm_say_no_customers": {
        "en": "No identified customer has ordered up to this date, so there is nobody to place in the grid yet. "
              "The page fills in once orders that carry a customer e-mail or id are imported.",
        "ja": "この基準日までに、顧客を特定できる注文がまだありません。そのためグリッドに表示できる顧客はいません。"
              "顧客のメールアドレスまたはIDを含む注文を取り込むと表示されます。"},
    "rfm_say_left_out": {
        "en": "Left out of customer analyses: {anon} orders without customer identity (net revenue {anon_rev}) "
              "and {canc} cancelled orders.",
        "ja": "分析対象外: 顧客を特定できない注文 {anon}件（売上 {anon_rev}）、キャンセル {canc}件。"},
    "rfm_say_customers": {
        "en": "**{n} customers** have ordered; **{share}** of them are active (ordered within the last {days} days).",
        "ja": "購入実績のある顧客は **{n}人**。そのうち **{share}** が直近{days}日以内に購入したアクティブ顧客です。"},
    "rfm_say_top_cell": {"en": "The largest cell is *{cell}* ({n} customers).",
                         "ja": "最も大きいセルは「{cell}」（{n}人）。"},
    "rfm_say_loyal": {
        "en": "Loyal customers ({orders}+ orders) are **{share}** of customers but bring **{revenue}** of net revenue.",
        "ja": "ロイヤル顧客（{orders}回以上購入）は顧客の **{share}** ですが、売上の **{revenue}** を占めます。"},
    "rfm_say_at_risk": {
        "en": "**{n} customers** are at risk ({lo}–{hi} days since their last order): the cheapest to bring back "
              "before they go dormant.",
        "ja": "離脱予備（最終購入から{lo}〜{hi}日）の顧客は **{n}人**。休眠する前に働きかけるべき層です。"},
    "rfm_say_intervals": {
        "en": "The median gap between purchases is **{median} days** and 80% of repurchases happen within "
              "**{sug} days**: the current active threshold ({cur} days) {verdict}.",
        "ja": "リピート購入の間隔の中央値は **{median}日**、80%が **{sug}日** 以内です。現在のアクティブ閾値（{cur}日）は{verdict}。"},
    "rfm_say_fits": {"en": "fits the data", "ja": "ほぼ妥当です"},
    "rfm_say_too_long": {"en": "may be longer than needed", "ja": "長すぎる可能性があります"},
    "rfm_say_too_short": {"en": "may be too short", "ja": "短すぎる可能性があります"},
    "rfm_say_few_intervals": {
        "en": "Suggesting thresholds needs at least {need} repurchases (a customer buying again on a later day); "
              "this shop has {n} so far.",
        "ja": "閾値の提案には少なくとも{need}件のリピート購入（別の日の再購入）が必要です。現在は{n}件です。"},
    "rfm_no_intervals": {
        "en": "No customer has bought on two different days up to this date, so there are no gaps between "
              "purchases to show yet.",
        "ja": "この基準日までに別々の日に2回以上購入した顧客がいないため、購入間隔はまだ表示できません。"},
    "rfm_no_chart": {"en": "Charts appear once there are customers to show.",
                     "ja": "顧客が1人以上になるとグラフが表示されます。"},
    # ranges of threshold-based words (ltvlib.labels.span)
    "range_within_days": {"en": "last order within {hi} days", "ja": "最終購入から{hi}日以内"},
    "range_days": {"en": "{lo}–{hi} days since the last order", "ja": "最終購入から{lo}〜{hi}日"},
    "range_days_plus": {"en": "{lo}+ days since the last order", "ja": "最終購入から{lo}日以上"},
    "range_days_one": {"en": "{lo} days since the last order", "ja": "最終購入から{lo}日"},
    "range_orders": {"en": "{lo}–{hi} orders", "ja": "{lo}〜{hi}回購入"},
    "range_orders_plus": {"en": "{lo}+ orders", "ja": "{lo}回以上購入"},
    "range_orders_one": {"en": "{lo} orders", "ja": "{lo}回購入"},
    "range_one_order": {"en": "1 order", "ja": "1回購入"},
    "range_within_days_short": {"en": "within {hi} days", "ja": "{hi}日以内"},
    "range_days_short": {"en": "{lo}–{hi} days", "ja": "{lo}〜{hi}日"},
    "range_days_short_plus": {"en": "{lo}+ days", "ja": "{lo}日以上"},
    "range_days_short_one": {"en": "{lo} days", "ja": "{lo}日"},
    "range_orders_short": {"en": "{lo}–{hi} orders", "ja": "{lo}〜{hi}回"},
    "range_orders_short_plus": {"en": "{lo}+ orders", "ja": "{lo}回以上"},
    "range_orders_short_one": {"en": "{lo} orders", "ja": "{lo}回"},
    "range_and": {"en": ", ", "ja": "・"},
    "definitions": {"en": "Definitions used on this page", "ja": "このページの用語の定義"},
    "kind_recency_status": {"en": "Recency status", "ja": "購入状況"},
    "kind_stage": {"en": "Purchase stage", "ja": "購入回数ステージ"},
    "kind_scenario_stage": {"en": "Stage scenario", "ja": "ステージシナリオ"},
    "kind_lapsed": {"en": "Win-back", "ja": "ウィンバック"},
    "lapsed": {"en": "Lapsed", "ja": "購入途絶"},
    # summary columns and metrics
    "customers": {"en": "Customers", "ja": "顧客数"},
    "share": {"en": "Share of customers", "ja": "顧客構成比"},
    "net_revenue": {"en": "Net revenue", "ja": "純売上"},
    "revenue_share": {"en": "Share of revenue", "ja": "売上構成比"},
    "ltv": {"en": "LTV (revenue per customer)", "ja": "LTV（顧客あたり売上）"},
    "orders_per_customer": {"en": "Orders per customer", "ja": "顧客あたり注文数"},
    "aov": {"en": "Average order value", "ja": "平均注文単価"},
    "repeat_rate": {"en": "Repeat rate", "ja": "リピート率"},
    "orders": {"en": "Orders", "ja": "注文数"},
    "recency_days": {"en": "Days since last order", "ja": "最終購入からの日数"},
    "r_score": {"en": "R score", "ja": "Rスコア"},
    "f_score": {"en": "F score", "ja": "Fスコア"},
    "m_score": {"en": "M score", "ja": "Mスコア"},
    "stage": {"en": "Stage", "ja": "ステージ"},
    "recency_status": {"en": "Recency status", "ja": "購入状況"},
    "segment": {"en": "Segment", "ja": "セグメント"},
    "days_between_orders": {"en": "Days between consecutive purchases", "ja": "購入間隔（日）"},
    "purchases": {"en": "Repurchases", "ja": "リピート購入数"},
    "status_grid": {"en": "Status grid", "ja": "ステータスグリッド"},
    "stage_scenario": {"en": "Stage scenario", "ja": "ステージシナリオ"},
    "rfm_heatmap": {"en": "Customers by R and F score", "ja": "R×Fスコア別の顧客数"},
    "suggested": {"en": "suggested", "ja": "推奨"},
    # the threshold suggestion table: one row per threshold, with the share of repurchases it covers
    "quantile": {"en": "Share of repurchases within", "ja": "この日数以内のリピート購入の割合"},
    "days": {"en": "Days", "ja": "日数"},
    "active_days": {"en": "Active limit (days)", "ja": "アクティブの上限（日）"},
    "at_risk_days": {"en": "At-risk limit (days)", "ja": "離脱予備の上限（日）"},
    "dormant_days": {"en": "Dormant limit (days)", "ja": "休眠の上限（日）"},
    "current": {"en": "current", "ja": "現在"},
    "report_title": {"en": "Customer report", "ja": "顧客分析レポート"},
    "rfm_title": {"en": "RFM and customer status", "ja": "RFM分析と顧客ステータス"},
    "as_of": {"en": "As of", "ja": "基準日"},
    "key_figures": {"en": "Key figures", "ja": "主要指標"},
    "reports": {"en": "Reports", "ja": "レポート"},
    "page_failed": {"en": "could not be produced this time", "ja": "今回は作成できませんでした"},
    "report_incomplete": {"en": "{n} page(s) of this report could not be produced; the reason is given below. "
                                "The other pages are complete.",
                          "ja": "このレポートのうち{n}ページを作成できませんでした（理由は下記）。その他のページは完全です。"},
    "page_rfm": {"en": "RFM and customer status", "ja": "RFM分析と顧客ステータス"},
    "page_segments": {"en": "Segments", "ja": "セグメント"},
    "page_journey": {"en": "Customer journeys", "ja": "カスタマージャーニー"},
    "page_cohorts": {"en": "Cohorts and repeat buying", "ja": "コホートとリピート購入"},
    "page_clv": {"en": "Customer lifetime value", "ja": "顧客生涯価値（CLV）"},
    "page_winback": {"en": "Win-back", "ja": "購入途絶顧客の復帰（ウィンバック）"},
    "notebook": {"en": "executed notebook", "ja": "実行済みノートブック"},
}
