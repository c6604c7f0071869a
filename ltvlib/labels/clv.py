"""Display names of the CLV report."""

LABELS: dict[str, dict[str, str]] = {
    "clv_title": {"en": "Customer lifetime value (CLV)", "ja": "顧客生涯価値（CLV）予測"},
    "p_alive": {"en": "P(alive)", "ja": "P(alive)（購入継続確率）"},
    "expected_purchases_90d": {"en": "Expected purchases, next 90 days", "ja": "今後90日の予測購入回数"},
    "expected_purchases_365d": {"en": "Expected purchases, next 365 days", "ja": "今後365日の予測購入回数"},
    "expected_order_value": {"en": "Expected spend per purchase", "ja": "予測購入単価"},
    "predicted_clv": {"en": "Predicted CLV (discounted)", "ja": "予測CLV（割引後）"},
    "value_source": {"en": "Spend estimate from", "ja": "購入単価の推定方法"},
    "gamma_gamma": {"en": "Gamma-Gamma", "ja": "Gamma-Gammaモデル"},
    "clv_total": {"en": "Predicted CLV, total", "ja": "予測CLV合計"},
    "clv_share": {"en": "Share of predicted CLV", "ja": "予測CLV構成比"},
    "clv_mean": {"en": "Predicted CLV per customer", "ja": "1人あたり予測CLV"},
    "p_alive_mean": {"en": "Mean P(alive)", "ja": "平均P(alive)"},
    "expected_purchases_90d_mean": {"en": "Expected purchases per customer, 90 days",
                                    "ja": "1人あたり予測購入回数（90日）"},
    "expected_purchases_365d_mean": {"en": "Expected purchases per customer, 365 days",
                                     "ja": "1人あたり予測購入回数（365日）"},
    "model_fit": {"en": "Model and parameters", "ja": "モデルとパラメータ"},
    "model": {"en": "Model", "ja": "モデル"},
    "time_unit_W": {"en": "Time unit: weeks", "ja": "時間単位：週"},
    "time_unit_D": {"en": "Time unit: days", "ja": "時間単位：日"},
    "rows_fitted": {"en": "distinct (frequency, recency, T) rows fitted / customers",
                    "ja": "推定に使った (frequency, recency, T) の組み合わせ数 / 顧客数"},
    "parameter": {"en": "Parameter", "ja": "パラメータ"},
    "std_error": {"en": "Standard error", "ja": "標準誤差"},
    "estimate": {"en": "Estimate", "ja": "推定値"},
    "validation": {"en": "Validation: calibration and holdout", "ja": "検証：学習期間とホールドアウト期間"},
    "frequency_cal": {"en": "Repeat purchases in calibration", "ja": "学習期間のリピート購入回数"},
    "holdout_purchases": {"en": "Mean purchases in the holdout", "ja": "ホールドアウト期間の平均購入回数"},
    "actual": {"en": "Actual", "ja": "実績"},
    "predicted": {"en": "Predicted", "ja": "予測"},
    "calibration_vs_holdout": {"en": "Predicted vs actual holdout purchases",
                               "ja": "ホールドアウト期間の購入回数：予測と実績"},
    "tracking": {"en": "Cumulative repeat purchases: actual vs model", "ja": "累計リピート購入数：実績とモデル"},
    "weekly_repeat": {"en": "Repeat purchases per week", "ja": "週あたりリピート購入数"},
    "calibration_end": {"en": "End of calibration", "ja": "学習期間の終了"},
    "metric": {"en": "Metric", "ja": "指標"},
    "value": {"en": "Value", "ja": "値"},
    "mae": {"en": "Mean absolute error per customer", "ja": "顧客あたり平均絶対誤差"},
    "frequency_mae": {"en": "Mean error by calibration frequency", "ja": "学習期間の購入回数別の平均誤差"},
    "log_likelihood": {"en": "Log-likelihood (calibration)", "ja": "対数尤度（学習期間）"},
    "baseline_mae": {"en": "Same, naive run-rate forecast", "ja": "同（単純な延長予測）"},
    "bias": {"en": "Bias of the holdout total", "ja": "ホールドアウト合計の偏り"},
    "tracking_error_end": {"en": "Cumulative tracking error at the end", "ja": "期末の累計誤差"},
    "tracking_mape": {"en": "Mean cumulative tracking error (holdout)", "ja": "累計誤差の平均（ホールドアウト）"},
    "holdout_days": {"en": "Holdout days", "ja": "ホールドアウト日数"},
    "frequency": {"en": "Repeat purchases (frequency)", "ja": "リピート購入回数（frequency）"},
    "recency_days_fr": {"en": "Days from first to last purchase (recency)", "ja": "初回から最終購入までの日数（recency）"},
    "p_alive_matrix": {"en": "P(alive) by frequency and recency", "ja": "frequency×recency別のP(alive)"},
    "expected_matrix": {"en": "Expected purchases (90 days) by frequency and recency",
                        "ja": "frequency×recency別の予測購入回数（90日）"},
    "clv_distribution": {"en": "Distribution of predicted CLV", "ja": "予測CLVの分布"},
    "clv_by_segment": {"en": "Predicted CLV by segment", "ja": "セグメント別の予測CLV"},
    "top_customers": {"en": "Top customers by predicted CLV", "ja": "予測CLV上位の顧客"},
    "email": {"en": "E-mail", "ja": "メールアドレス"},
    "expected_purchases_90d_total": {"en": "Expected purchases, next 90 days", "ja": "今後90日の予測購入回数"},
    "expected_purchases_365d_total": {"en": "Expected purchases, next 365 days", "ja": "今後365日の予測購入回数"},
    "predicted_clv_total": {"en": "Predicted CLV (discounted)", "ja": "予測CLV（割引後）"},
    "interval_estimate": {"en": "Estimate", "ja": "推定値"},
    "interval_80": {"en": "80% interval", "ja": "80%区間"},
    "interval_95": {"en": "95% interval", "ja": "95%区間"},
    "whole_shop": {"en": "Whole shop", "ja": "ショップ全体"},
    "intervals": {"en": "How sure the totals are", "ja": "予測合計の不確かさ"},
    "model_comparison": {"en": "Candidate models on the holdout", "ja": "候補モデルのホールドアウト比較"},
    "chosen": {"en": "Used", "ja": "採用"},
    "p_order_30d": {"en": "P(order in 30 days)", "ja": "30日以内の購入確率"},
    "p_order_60d": {"en": "P(order in 60 days)", "ja": "60日以内の購入確率"},
    "p_order_90d": {"en": "P(order in 90 days)", "ja": "90日以内の購入確率"},
    "next_order_days": {"en": "Days to the expected next order", "ja": "次回購入の予想までの日数"},
    "next_order_by": {"en": "Expected next order by", "ja": "次回購入の予想日"},
    "next_order_reason": {"en": "Why no next-order date", "ja": "予想日がない理由"},
    "model_error": {"en": "The CLV model cannot be used for this shop", "ja": "このショップではCLVモデルを使えません"},
}

# sentences of the CLV page (ltvlib.labels.say): one plain sentence each, saying what is missing and what would
# make it possible; facts are formatted by ltvlib.clv before they are filled in
LABELS.update({
    "clv_no_customers": {
        "en": "CLV needs customers with orders up to {as_of}, and this shop has none yet (orders without a customer "
              "e-mail or id and cancelled orders do not count); it becomes possible once identified customers order.",
        "ja": "CLVの予測には{as_of}までに注文した顧客が必要ですが、このショップにはまだいません（メールアドレスや顧客IDのない注文と"
              "キャンセルは数えず、顧客を特定できる注文が入ると予測できるようになります）。"},
    "clv_too_few_repeat": {
        "en": "Only {have} of {total} customers have ever come back for a second purchase day, and CLV needs at least "
              "{needed}; more history (or a lower clv.min_repeat_customers in the shop's params) would make it possible.",
        "ja": "2回目の購入をした顧客は {total}人中 {have}人だけです（CLVの予測には最低 {needed}人必要で、履歴が増えるか、"
              "ショップのパラメータで clv.min_repeat_customers を下げると予測できます）。"},
    "clv_too_few_spend": {
        "en": "Only {have} customers have repeat purchases with positive net revenue, and the spend model needs at least "
              "{needed}; set clv.spend_model: aov in the shop's params to value customers at their average order value.",
        "ja": "売上がプラスのリピート購入がある顧客は {have}人だけで、購入単価モデルには最低 {needed}人必要です（ショップのパラメータで "
              "clv.spend_model: aov を設定すると各顧客の平均注文単価で評価できます）。"},
    "clv_fm_correlation": {
        "en": "Customers who buy more often spend {direction} per purchase here (correlation {corr} between repeat "
              "purchases and spend, above the {limit} the Gamma-Gamma spend model tolerates), so set "
              "clv.spend_model: aov in the shop's params to value customers at their average order value.",
        "ja": "このショップでは購入回数が多い顧客ほど購入単価が{direction_ja}傾向があり（相関 {corr}、Gamma-Gammaモデルの許容範囲 "
              "{limit} を超過）、ショップのパラメータで clv.spend_model: aov を設定すると各顧客の平均注文単価で評価できます。"},
    "clv_spend_not_converged": {
        "en": "The Gamma-Gamma spend model did not converge on this shop's repeat purchases; set clv.spend_model: aov "
              "in the shop's params to value customers at their average order value.",
        "ja": "Gamma-Gamma購入単価モデルはこのショップのリピート購入では収束しませんでした（ショップのパラメータで "
              "clv.spend_model: aov を設定すると各顧客の平均注文単価で評価できます）。"},
    "clv_spend_infinite": {
        "en": "The Gamma-Gamma spend model gives no finite average spend here (q = {q} must be above 1) because a few "
              "very large repeat orders dominate; set clv.spend_model: aov in the shop's params to use average order values.",
        "ja": "少数の非常に大きなリピート注文が支配的なため、Gamma-Gamma購入単価モデルでは平均購入単価が有限になりません（q = {q}、"
              "1より大きい必要があり、clv.spend_model: aov を設定すると平均注文単価を使えます）。"},
    "clv_not_converged": {
        "en": "The {model} model did not converge on this shop's history, so its predictions would be arbitrary; a small "
              "clv.penalizer (e.g. 0.001) in the shop's params or a longer history may make it possible.",
        "ja": "{model}モデルはこのショップの履歴では収束せず予測値が意味を持たないため、ショップのパラメータで小さな clv.penalizer"
              "（例 0.001）を設定するか、より長い履歴で試してください。"},
    "clv_invalid_params": {
        "en": "The {model} fit ended at invalid parameters ({params}), so it does not describe this shop's buying; "
              "try clv.penalizer or another clv.model in the shop's params.",
        "ja": "{model}モデルの推定が無効なパラメータ（{params}）で終わり、このショップの購買を表せていないため、clv.penalizer か"
              "別の clv.model を試してください。"},
    "clv_undefined_predictions": {
        "en": "The fitted {model} model gives no finite predictions for {count} customers (numerical overflow at "
              "extreme histories); clv.time_unit: W, a small clv.penalizer or another clv.model may fix it.",
        "ja": "推定した{model}モデルは {count}人の顧客について予測値が定まらないため（極端な履歴での数値オーバーフロー）、"
              "clv.time_unit: W、小さな clv.penalizer、または別の clv.model を試してください。"},
    # the same facts for clients: no params keys (labels.say(..., audience="client"))
    "clv_too_few_repeat_client": {
        "en": "Only {have} of {total} customers have ever come back for a second purchase day, and CLV needs at least "
              "{needed}; it becomes possible as the history grows.",
        "ja": "2回目の購入をした顧客は {total}人中 {have}人だけです（CLVの予測には最低 {needed}人必要で、履歴が増えると予測できます）。"},
    "clv_too_few_spend_client": {
        "en": "Only {have} customers have repeat purchases with positive net revenue, too few for the spend model; "
              "customers can be valued at their average order value instead (a setting of this report).",
        "ja": "売上がプラスのリピート購入がある顧客は {have}人だけで、購入単価モデルには足りません（レポートの設定で各顧客の"
              "平均注文単価による評価に切り替えられます）。"},
    "clv_fm_correlation_client": {
        "en": "Customers who buy more often spend {direction} per purchase here (correlation {corr}, above the {limit} "
              "the spend model tolerates); customers can be valued at their average order value instead (a setting "
              "of this report).",
        "ja": "このショップでは購入回数が多い顧客ほど購入単価が{direction_ja}傾向があり（相関 {corr}、許容範囲 {limit} を超過）、"
              "購入単価モデルが合いません（レポートの設定で平均注文単価による評価に切り替えられます）。"},
    "clv_spend_not_converged_client": {
        "en": "The spend model did not converge on this shop's repeat purchases; customers can be valued at their "
              "average order value instead (a setting of this report).",
        "ja": "購入単価モデルはこのショップのリピート購入では収束しませんでした（レポートの設定で平均注文単価による評価に"
              "切り替えられます）。"},
    "clv_spend_infinite_client": {
        "en": "A few very large repeat orders dominate, so the spend model gives no finite average spend; customers "
              "can be valued at their average order value instead (a setting of this report).",
        "ja": "少数の非常に大きなリピート注文が支配的なため、購入単価モデルでは平均購入単価が定まりません（レポートの設定で"
              "平均注文単価による評価に切り替えられます）。"},
    "clv_not_converged_client": {
        "en": "The {model} model did not converge on this shop's history, so its predictions would be arbitrary; a "
              "longer history or another model setting may make it possible.",
        "ja": "{model}モデルはこのショップの履歴では収束せず、予測値が意味を持ちません（履歴が長くなるか、モデルの設定を変えると"
              "予測できる場合があります）。"},
    "clv_invalid_params_client": {
        "en": "The {model} fit ended at invalid parameters, so it does not describe this shop's buying; another "
              "model setting may fix it.",
        "ja": "{model}モデルの推定が無効なパラメータで終わり、このショップの購買を表せていません（モデルの設定を変えると"
              "解決する場合があります）。"},
    "clv_undefined_predictions_client": {
        "en": "The fitted {model} model gives no finite predictions for {count} customers (numerical overflow at "
              "extreme histories); another model setting may fix it.",
        "ja": "推定した{model}モデルは {count}人の顧客について予測値が定まりません（極端な履歴での数値オーバーフロー。"
              "モデルの設定を変えると解決する場合があります）。"},
    "clv_bad_calibration_end_client": {
        "en": "The holdout check cannot start on {cal_end}, which is not before {as_of}; an earlier start in the "
              "report's settings makes it possible.",
        "ja": "{cal_end}は{as_of}より前ではないためホールドアウト検証を始められません（レポートの設定でより前の日付にすると"
              "検証できます）。"},
    "clv_choice_holdout_client": {
        "en": "The report uses {model}: on the holdout after {cal_end} its mean absolute error per customer was {mae} "
              "purchases against {others}.",
        "ja": "このレポートは{model}モデルを使います（{cal_end}以降のホールドアウト期間で顧客あたり平均絶対誤差が{mae}回、"
              "{others}）。"},
    "clv_choice_pinned_client": {
        "en": "The report uses {model}, as set for this shop.",
        "ja": "このレポートは、このショップの設定どおり{model}モデルを使います。"},
    "clv_no_validation_orders": {
        "en": "There are no customer orders up to this date, so there is nothing to validate.",
        "ja": "この基準日までに顧客の注文がないため、検証できません。"},
    "clv_history_too_short": {
        "en": "The holdout check needs at least {needed} days of history to hold the last third back, and this "
              "shop has {have}; it becomes possible as the history grows.",
        "ja": "ホールドアウト検証には履歴の最後の3分の1を取り分けるため最低 {needed}日の履歴が必要ですが、このショップは"
              "{have}日分です（履歴が増えると検証できます）。"},
    "clv_bad_calibration_end": {
        "en": "The holdout check cannot start at clv.calibration_end {cal_end}, which is not before {as_of}; an earlier "
              "date (or null, the last third of the history) in the shop's params makes it possible.",
        "ja": "clv.calibration_end の{cal_end}は{as_of}より前ではないためホールドアウト検証を始められません（ショップの"
              "パラメータでより前の日付か null（履歴の最後の3分の1）を指定すると検証できます）。"},
    "clv_too_few_repeat_cal": {
        "en": "The holdout check fits the model on the history up to {cal_end}, when only {have} of {total} customers "
              "had come back (at least {needed} are needed); a longer history would make the check possible.",
        "ja": "ホールドアウト検証は{cal_end}までの履歴でモデルを推定しますが、その時点で2回目の購入をした顧客は {total}人中 "
              "{have}人だけでした（最低 {needed}人必要で、履歴が長くなると検証できます）。"},
    # model choice, P(alive), spend of one-time buyers
    "clv_choice_holdout": {
        "en": "The report uses {model}: on the holdout after {cal_end} its mean absolute error per customer was {mae} "
              "purchases against {others} (clv.model: auto; set clv.model in the shop's params to pin one).",
        "ja": "このレポートは{model}モデルを使います（{cal_end}以降のホールドアウト期間で顧客あたり平均絶対誤差が{mae}回、"
              "{others}、clv.model: auto、ショップのパラメータで clv.model を指定すると固定できます）。"},
    "clv_choice_other": {"en": "{mae} for {model}", "ja": "{model}モデルは{mae}回"},
    "clv_choice_only": {
        "en": "The report uses {model}, the only candidate that could be checked on the holdout.",
        "ja": "このレポートは{model}モデルを使います（ホールドアウト検証ができた唯一の候補です）。"},
    "clv_holdout_undefined": {
        "en": "the fitted {model} model gives no finite holdout predictions for some customers (numerical overflow "
              "at extreme histories)",
        "ja": "推定した{model}モデルは一部の顧客のホールドアウト予測値が定まりません（極端な履歴での数値オーバーフロー）"},
    "clv_choice_unusable": {
        "en": "{model} had a lower holdout error but cannot be used on the whole history: {why}.",
        "ja": "{model}モデルはホールドアウト誤差が小さかったものの、全履歴では使えません：{why}。"},
    "clv_choice_failed": {
        "en": "{model} could not be checked: {why}.",
        "ja": "{model}モデルは検証できませんでした：{why}。"},
    "clv_choice_default": {
        "en": "The report uses {model} because the candidate models could not be compared on a holdout period "
              "(see the validation section); a longer history would let the report choose by accuracy.",
        "ja": "候補モデルをホールドアウト期間で比較できなかったため、このレポートは{model}モデルを使います（検証の節を参照、"
              "履歴が長くなると精度で選べます）。"},
    "clv_interval_note": {
        "en": "The intervals show parameter uncertainty only: {draws} sets of model parameters were drawn from the "
              "uncertainty of the fit (a parametric bootstrap) and the totals of these same customers recomputed with "
              "each; 80% and 95% of them fall inside. They leave out the chance that the model itself is wrong (see "
              "the validation) and the chance in each customer's purchases.",
        "ja": "区間はパラメータ推定の不確かさだけを表します：推定の不確かさに従うモデルパラメータを{draws}通り発生させ"
              "（パラメトリック・ブートストラップ）、同じ顧客の合計をそれぞれで計算し直した結果の80%・95%が区間に入ります。"
              "モデル自体が合わない可能性（検証の節を参照）や、各顧客の購入の偶然のばらつきは含みません。"},
    "clv_customer_interval_note": {
        "en": "Each customer's expected purchases over {h} days and predicted CLV carry 80% and 95% intervals of the "
              "same kind, from the same parameter draws, in exports/{file} (columns ending in _lo_80, _hi_80, _lo_95, "
              "_hi_95); the 80% interval of a customer's CLV spans a median {median} of the estimate.",
        "ja": "各顧客の今後{h}日の予測購入回数と予測CLVにも、同じパラメータから求めた同じ種類の80%・95%区間があり、"
              "exports/{file} にあります（列名の末尾が _lo_80、_hi_80、_lo_95、_hi_95）。顧客ごとのCLVの80%区間の幅は、"
              "推定値に対して中央値で{median}です。"},
    "clv_interval_failed": {
        "en": "{failed} of {draws} parameter draws gave no finite mean spend (Gamma-Gamma q at or below 1) and are "
              "left out.",
        "ja": "{draws}通り中{failed}通りのパラメータは平均購入額が定まらない（Gamma-Gammaの q が1以下）ため除外しました。"},
    "clv_interval_none": {
        "en": "No interval could be computed: the fit's uncertainty is not defined at the fitted parameters (its "
              "likelihood is flat in some direction), so no parameters could be drawn.",
        "ja": "区間を計算できませんでした：推定値で尤度が平坦な方向があり、推定の不確かさが定まらないため、"
              "パラメータを発生させられませんでした。"},
    "clv_export": {
        "en": "Every customer's predictions, with the probability of an order in the next 30, 60 and 90 days and the "
              "expected date of the next order (for timing CRM mails), are in exports/{file} ({count} customers).",
        "ja": "全顧客の予測と、今後30・60・90日以内に購入する確率、次回購入の予想日（CRMメールのタイミング用）は "
              "exports/{file} にあります（{count}人）。"},
    "clv_next_order": {
        "en": "Expected next order: {dated} customers have an even chance or better of ordering again within {horizon} "
              "days (the longest of clv.horizons_days); half of them by day {median}. Their date is the next_order_by "
              "column of exports/{file}. The others get no date: {inactive} have probably stopped buying (P(alive) "
              "under 50%) and {later} are not counted as stopped but buy less often than that.",
        "ja": "次回購入の予想：{dated}人は{horizon}日以内（clv.horizons_days の最長）に再購入する確率が50%以上で、その半数は"
              "{median}日以内に達します。予想日は exports/{file} の next_order_by 列にあります。ほかの顧客には日付がありません："
              "{inactive}人はすでに購入をやめた可能性が高く（P(alive)が50%未満）、{later}人は離脱とはみなされないものの"
              "購入間隔がそれより長い顧客です。"},
    "clv_next_order_client": {
        "en": "Expected next order: {dated} customers have an even chance or better of ordering again within {horizon} "
              "days; half of them by day {median}. Each one's date is in exports/{file}, one row per customer. The "
              "others get no date: {inactive} have probably stopped buying (P(alive) under 50%) and {later} are not "
              "counted as stopped but buy less often than that.",
        "ja": "次回購入の予想：{dated}人は{horizon}日以内に再購入する確率が50%以上で、その半数は{median}日以内に達します。"
              "各顧客の予想日は exports/{file} に1人1行で載っています。ほかの顧客には日付がありません：{inactive}人はすでに"
              "購入をやめた可能性が高く（P(alive)が50%未満）、{later}人は離脱とはみなされないものの購入間隔が"
              "それより長い顧客です。"},
    "clv_next_order_none": {
        "en": "Expected next order: no customer has an even chance of ordering again within {horizon} days (the longest "
              "of clv.horizons_days), so exports/{file} gives no next-order date: {inactive} have probably stopped "
              "buying (P(alive) under 50%) and {later} are not counted as stopped but buy less often than that.",
        "ja": "次回購入の予想：{horizon}日以内（clv.horizons_days の最長）に再購入する確率が50%以上の顧客はいないため、"
              "exports/{file} に次回購入の予想日はありません：{inactive}人はすでに購入をやめた可能性が高く（P(alive)が50%未満）、"
              "{later}人は離脱とはみなされないものの購入間隔がそれより長い顧客です。"},
    "clv_next_order_none_client": {
        "en": "Expected next order: no customer has an even chance of ordering again within {horizon} days, so "
              "exports/{file} gives no next-order date: {inactive} have probably stopped buying (P(alive) under 50%) "
              "and {later} are not counted as stopped but buy less often than that.",
        "ja": "次回購入の予想：{horizon}日以内に再購入する確率が50%以上の顧客はいないため、exports/{file} に次回購入の予想日は"
              "ありません：{inactive}人はすでに購入をやめた可能性が高く（P(alive)が50%未満）、{later}人は離脱とは"
              "みなされないものの購入間隔がそれより長い顧客です。"},
    "clv_choice_pinned": {
        "en": "The report uses {model}, as set in the shop's params (clv.model).",
        "ja": "このレポートはショップのパラメータ（clv.model）の指定どおり{model}モデルを使います。"},
    "clv_p_alive_repeat_only": {
        "en": "P(alive) is shown for repeat buyers only: {model} counts every one-time buyer as alive (P(alive) = 1) "
              "however long ago they bought, so for the {count} one-time buyers it is left blank (–) and their "
              "expected purchases come from their low purchase rate alone.",
        "ja": "P(alive)はリピート購入のある顧客だけに表示します（{model}モデルは一度しか購入していない顧客を、購入がどれほど前でも"
              "P(alive)=1とみなすため、{count}人の1回購入顧客は空欄（–）で、予測購入回数は低い購入頻度だけを反映します）。"},
    "clv_p_alive_all": {
        "en": "{model} lets one-time buyers drop out too, so P(alive) is shown for every customer; the {count} "
              "one-time buyers average {mean}.",
        "ja": "{model}モデルは1回購入の顧客も離脱しうるとみなすため、P(alive)を全顧客に表示します（{count}人の1回購入顧客の"
              "平均は{mean}）。"},
    "clv_one_timer_value": {
        "en": "One-time buyers are valued at their own average order value ({own} on average), not at the Gamma-Gamma "
              "population mean of {population} per purchase; repeat buyers at the Gamma-Gamma estimate.",
        "ja": "1回購入の顧客は各自の平均注文単価（平均 {own}）で評価し、Gamma-Gammaモデルの母集団平均（1回あたり {population}）は"
              "使いません（リピート顧客はGamma-Gammaモデルの推定値で評価）。"},
    "clv_stage_note": {
        "en": "Stages by number of orders and days since the last order, as of {as_of}.",
        "ja": "ステージは{as_of}時点の注文回数と最終購入からの日数で分けています。"},
    "clv_stage_name": {"en": "{name} ({range})", "ja": "{name}（{range}）"},
    "clv_range_orders_days": {"en": "{orders}, {days}", "ja": "{orders}・{days}"},
    "clv_orders_one": {"en": "1 order", "ja": "1回"},
    "clv_orders_range": {"en": "{lo}–{hi} orders", "ja": "{lo}〜{hi}回"},
    "clv_orders_same": {"en": "{lo} orders", "ja": "{lo}回"},
    "clv_orders_plus": {"en": "{lo}+ orders", "ja": "{lo}回以上"},
    "clv_days_range": {"en": "{lo}–{hi} days", "ja": "{lo}〜{hi}日"},
    "clv_days_plus": {"en": "{lo}+ days", "ja": "{lo}日以上"},
    "clv_no_repeat_cells": {
        "en": "The frequency / recency matrices need a fitted model; they appear once the model above can be fitted.",
        "ja": "frequency×recencyの表は推定済みモデルが必要で、上のモデルが推定できると表示されます。"},
    "repeat_buying": {"en": "Repeat buying so far", "ja": "これまでのリピート購入"},
    "repeat_buyers": {"en": "Repeat buyers (2+ purchase days)", "ja": "リピート顧客（2日以上購入）"},
    "one_time_buyers": {"en": "One-time buyers (1 purchase day)", "ja": "1回購入の顧客（購入日が1日）"},
    "repeat_share": {"en": "Share of repeat buyers", "ja": "リピート顧客の割合"},
    "revenue_per_customer": {"en": "Net revenue per customer so far", "ja": "これまでの顧客あたり純売上"},
    "model_choice": {"en": "Model choice", "ja": "モデルの選択"},
    "mae_bgnbd": {"en": "Holdout error per customer, BG/NBD", "ja": "ホールドアウト誤差（BG/NBD）"},
    "clv_not_available": {"en": "–", "ja": "–"},
})
LABELS.update({
    "clv_sections_need_model": {
        "en": "Validation, P(alive), the CLV distribution, the stage table and the top customers appear here once "
              "the model can be fitted.",
        "ja": "検証、P(alive)、予測CLVの分布、ステージ別の表と上位顧客は、モデルを推定できるようになるとここに表示されます。"},
    "customers_calibration": {"en": "Customers acquired in calibration", "ja": "学習期間に獲得した顧客"},
    "actual_holdout": {"en": "Actual repeat purchases (holdout)", "ja": "ホールドアウト期間のリピート購入（実績）"},
    "predicted_holdout": {"en": "Predicted repeat purchases (holdout)", "ja": "ホールドアウト期間のリピート購入（予測）"},
})
