"""Display names of journey flows (segments of the built-in families, flow kinds, chart text).

Keys are prefixed ``journey_`` so they never clash with other analyses' names; ``ltvlib.journey.
segment_label`` maps segment names (``fan:Umami``, ``pos``, ``_new``) to these.
"""

LABELS: dict[str, dict[str, str]] = {
    # special nodes
    "journey__new": {"en": "New customers (first order)", "ja": "新規顧客（初回購入）"},
    "journey__outside": {"en": "Outside the journey", "ja": "ジャーニー外"},
    # built-in families
    "journey_first_line": {"en": "First bought {x}", "ja": "初回購入: {x}"},
    "journey_fan": {"en": "{x} fan", "ja": "{x}ファン"},
    "journey_lapsed": {"en": "Lapsed (no order for {n}+ days)", "ja": "購入途絶（{n}日以上購入なし）"},
    "journey_returned": {"en": "Returned (won back)", "ja": "復帰（購入途絶から再購入）"},
    "journey_channel": {"en": "Buys {x}", "ja": "{x}で購入"},
    "journey_channel_online_store": {"en": "online", "ja": "オンラインストア"},
    "journey_channel_pos": {"en": "in store (POS)", "ja": "店舗（POS）"},
    "journey_channel_draft_order": {"en": "by draft order", "ja": "下書き注文"},
    # flow kinds and columns
    "journey_move": {"en": "Moved", "ja": "移動"},
    "journey_stay": {"en": "Stayed", "ja": "継続"},
    "journey_entry": {"en": "Entered", "ja": "流入"},
    "journey_exit": {"en": "Exit", "ja": "離脱"},
    "journey_kind": {"en": "Kind", "ja": "種類"},
    "journey_source": {"en": "From (at start)", "ja": "移動元（期初）"},
    "journey_target": {"en": "To (newly joined by end)", "ja": "移動先（期末に新たに所属）"},
    "journey_customers": {"en": "Customers", "ja": "顧客数"},
    "journey_at_start": {"en": "At start", "ja": "期初"},
    "journey_at_end": {"en": "At end", "ja": "期末"},
    "journey_joined": {"en": "Joined", "ja": "新たに所属"},
    "journey_left": {"en": "Left", "ja": "抜けた"},
    "journey_stayed": {"en": "Stayed", "ja": "継続"},
    "journey_entries_new": {"en": "From new customers", "ja": "新規顧客から"},
    "journey_entries_outside": {"en": "From outside", "ja": "ジャーニー外から"},
    "journey_exits": {"en": "Exits", "ja": "ジャーニー外へ"},
    "journey_list": {"en": "Customer list (CSV)", "ja": "顧客リスト（CSV）"},
    "journey_week": {"en": "Week ending", "ja": "週（末日）"},
    "journey_per_week": {"en": "Customers per week", "ja": "週あたり顧客数"},
    "journey_trend": {"en": "Weekly flows", "ja": "週次の推移"},
    "journey_matrix": {"en": "Moves by segment at start (rows) and segment newly joined (columns)",
                       "ja": "期初セグメント（行）から新たに所属したセグメント（列）への移動数"},
    "journey_sankey": {"en": "Flows", "ja": "顧客の流れ"},
    "journey_title": {"en": "Customer journeys", "ja": "カスタマージャーニー"},
    "journey_window": {"en": "Window", "ja": "集計期間"},
    "journey_last_days": {"en": "last {n} days", "ja": "直近{n}日"},
    "journey_top_flows": {"en": "Largest flows", "ja": "主な移動"},
    "journey_movers": {"en": "Movers", "ja": "移動した顧客"},
    "journey_profile": {"en": "What the movers have in common", "ja": "移動した顧客の共通点"},
    "journey_attribute": {"en": "Attribute", "ja": "属性"},
    "journey_value": {"en": "Value", "ja": "値"},
    "journey_movers_share": {"en": "Share of movers", "ja": "移動顧客に占める割合"},
    "journey_base_share": {"en": "Share of the origin segment", "ja": "移動元セグメントに占める割合"},
    "journey_lift": {"en": "Lift", "ja": "リフト"},
    "journey_pick_flow": {"en": "Flow", "ja": "移動"},
    "journey_picker_note": {"en": "Pick a flow to list its customers (needs a running kernel, e.g. JupyterLab; the "
                                  "CSV links above work anywhere).",
                            "ja": "移動を選ぶと該当する顧客を一覧できます（JupyterLab などで実行中のカーネルが必要です。"
                                  "上の CSV リンクはどこでも使えます）。"},
    "journey_used_discount": {"en": "First order used a discount", "ja": "初回購入で割引を利用"},
    "journey_yes": {"en": "yes", "ja": "あり"},
    "journey_no": {"en": "no", "ja": "なし"},
    "journey_col_first_product_line": {"en": "First product line", "ja": "初回購入の商品ライン"},
    "journey_col_first_channel": {"en": "First channel", "ja": "初回購入チャネル"},
    "journey_col_first_product": {"en": "First product", "ja": "初回購入商品"},
    "journey_col_last_order_at": {"en": "Last order", "ja": "最終購入日時"},
    "journey_col_first_order_at": {"en": "First order", "ja": "初回購入日時"},
    "journey_col_first_discount_code": {"en": "First discount code", "ja": "初回の割引コード"},
    # day ranges when ltvlib.labels.span is not available
    "journey_range_within": {"en": "within {hi} days", "ja": "{hi}日以内"},
    "journey_range": {"en": "{lo}–{hi} days", "ja": "{lo}〜{hi}日"},
    "journey_range_plus": {"en": "{lo}+ days", "ja": "{lo}日以上"},
    # sentences of the journey page
    "journey_window_days": {"en": "{first} – {last} ({n} days)", "ja": "{first}〜{last}（{n}日間）"},
    "journey_window_phrase": {"en": "in the {n} days {first:%b %d} – {last:%b %d}",
                              "ja": "{first:%m/%d}〜{last:%m/%d}の{n}日間に"},
    "journey_say_no_moves": {"en": "No customer moved between segments {when}.",
                             "ja": "{when}セグメント間を移動した顧客はいません。"},
    "journey_say_move": {"en": "**{n}** customers went from *{source}* to *{target}* {when}.",
                         "ja": "{when}「{source}」から「{target}」に移った顧客は **{n}人**。"},
    "journey_say_profile_few": {"en": "Only {n} customers moved: too few to say what they have in common; the table "
                                      "is indicative.",
                                "ja": "移動した顧客は{n}人と少ないため、共通点は参考程度にご覧ください。"},
    "journey_say_new": {"en": "The largest entry of new customers (first order in the window) was into *{target}*: "
                              "**{n}**.",
                        "ja": "期間中に初めて購入した新規顧客の流入が最も多かったのは「{target}」で **{n}人**。"},
    "journey_say_overlap": {"en": "A new customer can enter several overlapping segments.",
                            "ja": "新規顧客は複数のセグメントに同時に入ることがあります。"},
    "journey_say_exit": {"en": "The most customers leaving the journey altogether came from *{source}*: **{n}**.",
                         "ja": "ジャーニーのどのセグメントにも属さなくなった顧客は最大で「{source}」から **{n}人**。"},
    "journey_say_no_customers": {
        "en": "No identified customer has ordered up to {as_of}, so there is no journey to show; orders that carry "
              "a customer e-mail or id, placed on or before the report date, make it possible.",
        "ja": "{as_of}までに顧客を特定できる注文がないため、ジャーニーはまだ表示できません。"
              "基準日までの、顧客のメールアドレスかIDを含む注文があると表示されます。"},
    "journey_say_no_segments_product_line": {
        "en": "No order carries a product line, so this journey has no segments; mapping product titles to "
              "product lines (sources: product_lines in the shop params) makes it possible.",
        "ja": "商品ラインを持つ注文がないため、このジャーニーにはセグメントがありません。"
              "ショップ設定の sources の product_lines で商品名を商品ラインに対応付けると表示されます。"},
    "journey_say_no_segments_channel": {
        "en": "No order carries a sales channel, so this journey has no segments.",
        "ja": "販売チャネルを持つ注文がないため、このジャーニーにはセグメントがありません。"},
    "journey_say_no_trend": {
        "en": "No customer took these flows in the last {weeks} weeks, so there is no weekly trend to chart.",
        "ja": "直近{weeks}週にこれらの移動をした顧客がいないため、週次の推移はまだ表示できません。"},
}
