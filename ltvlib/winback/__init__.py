"""Win-back lookalikes: lapse episodes, what returners had in common, and a backtested score of
today's lapsed customers.

*Lapsed* means more than ``thresholds.active_days`` days without an order (``winback.lapsed_days``,
default 121+); it is not the status grid's *dormant* (a different day range).

``episodes`` (time semantics, features), ``profile`` (attributes, returners' profile), ``model``
(lookalike model, backtest, scoring), ``targets`` (lapsed base, target list, control group, CSV exports,
freezing), ``narrative`` (words and prose), ``analysis`` (the whole analysis in one call), ``page`` (the
report page's content, and the list ``ltv winback freeze`` freezes).
"""

from ltvlib.winback.analysis import WinbackResult, analyse
from ltvlib.winback.episodes import (
    EPISODE_COLUMNS,
    FEATURE_COLUMNS,
    GIFT_TAGS,
    WinbackSettings,
    lapse_episodes,
    load_orders,
    return_timing,
    settings_from,
)
from ltvlib.winback.model import (
    SCORE_COLUMNS,
    Backtest,
    LookalikeModel,
    NotEnoughEpisodes,
    backtest,
    default_cutoff,
    lapse_decay,
    return_value_ratio,
    score_lapsed,
)
from ltvlib.winback.narrative import (
    attribute_text,
    driver_text,
    narrative,
    notable_attributes,
    present_profile,
)
from ltvlib.winback.page import SECTIONS, WinbackPage, build_page, compute_page, freeze_list, json_safe
from ltvlib.winback.profile import ATTRIBUTES, AttributeEncoder, returners_profile, wilson_interval
from ltvlib.winback.targets import (
    EXPORT_COLUMNS,
    EXPORT_FILES,
    LAPSE_BANDS,
    assign_groups,
    export_table,
    freeze_targets,
    lapsed_summary,
    select_targets,
    write_target_exports,
)

__all__ = [
    "ATTRIBUTES",
    "EPISODE_COLUMNS",
    "EXPORT_COLUMNS",
    "EXPORT_FILES",
    "FEATURE_COLUMNS",
    "GIFT_TAGS",
    "LAPSE_BANDS",
    "SCORE_COLUMNS",
    "SECTIONS",
    "AttributeEncoder",
    "Backtest",
    "LookalikeModel",
    "NotEnoughEpisodes",
    "WinbackPage",
    "WinbackResult",
    "WinbackSettings",
    "analyse",
    "assign_groups",
    "attribute_text",
    "backtest",
    "build_page",
    "compute_page",
    "default_cutoff",
    "driver_text",
    "export_table",
    "freeze_list",
    "freeze_targets",
    "json_safe",
    "lapse_decay",
    "lapse_episodes",
    "lapsed_summary",
    "load_orders",
    "narrative",
    "notable_attributes",
    "present_profile",
    "return_timing",
    "return_value_ratio",
    "returners_profile",
    "score_lapsed",
    "select_targets",
    "settings_from",
    "wilson_interval",
    "write_target_exports",
]
