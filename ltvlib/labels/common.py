"""Display names shared by every report (metrics, axes, report chrome)."""

LABELS: dict[str, dict[str, str]] = {
    "index": {"en": "Summary", "ja": "サマリー"},
    "first_order_at": {"en": "First order", "ja": "初回購入日時"},
    "last_order_at": {"en": "Last order", "ja": "最終購入日時"},
    "last_channel": {"en": "Last channel", "ja": "最終購入チャネル"},
    "contents": {"en": "On this page", "ja": "このページの内容"},
    "findings": {"en": "This week's findings", "ja": "今週のポイント"},
    "findings_none": {"en": "No finding this week: the pages below show the figures.",
                      "ja": "今週のポイントはありません。各ページで数値を確認できます。"},
    "about_models": {"en": "About the models", "ja": "モデルについて"},
    "open_page": {"en": "Open", "ja": "ページを開く"},
    "finding_at_risk": {
        "en": "{n} customers ({share}) are {status}: send them a reminder before they go dormant.",
        "ja": "{status}の顧客が {n}人（{share}）います。休眠する前にリマインドを送りましょう。"},
    "finding_winback": {
        "en": "{targets} lapsed customers are on this week's win-back list; about {returns} of them are expected back "
              "even without an offer: contact the list and compare with its control group.",
        "ja": "今週のウィンバック対象は {targets}人で、特典なしでも約 {returns}人の復帰が見込まれます。対象リストに連絡し、"
              "対照群と比べましょう。"},
    "finding_second_purchase": {
        "en": "{rate} of new customers buy a second time within 365 days, half of them within {days} days: follow up "
              "new customers around day {days}.",
        "ja": "新規顧客の {rate} が365日以内に2回目を購入し、その半数は {days}日以内です。初回購入から {days}日前後に"
              "フォローしましょう。"},
    "finding_journey": {
        "en": "{journey}: {flow}. The journey page shows who moved.",
        "ja": "{journey}：{flow}。誰が移動したかはジャーニーのページで確認できます。"},
    "finding_clv": {
        "en": "Predicted customer lifetime value is {total} in total, {mean} per customer: a guide to what winning "
              "a new customer may cost.",
        "ja": "予測CLVは合計 {total}、顧客あたり {mean} です。新規顧客の獲得にかけられる費用の目安になります。"},
    "finding_active_days": {
        "en": "80% of repurchases come within {suggested} days, while \"active\" means an order within {current} days: "
              "a shorter limit would flag lapsing customers earlier.",
        "ja": "リピート購入の80%は {suggested}日以内ですが、「アクティブ」は {current}日以内と設定されています。"
              "短くすると離脱の兆しを早く捉えられます。"},
    "widget_note": {"en": "An interactive control is here when this notebook runs in JupyterLab (make lab).",
                    "ja": "JupyterLab（make lab）でこのノートブックを開くと、ここに操作パネルが表示されます。"},
}
