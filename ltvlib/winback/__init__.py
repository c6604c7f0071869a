"""Win-back lookalikes: dormancy episodes, what returners had in common, and a backtested score of
today's dormant customers.

``episodes`` (time semantics, features), ``profile`` (attributes, returners' profile), ``model``
(lookalike model, backtest, scoring), ``targets`` (dormant base, target list, control group, CSV),
``narrative`` (words and prose), ``analysis`` (the whole analysis in one call).
"""

from ltvlib.winback.analysis import WinbackResult, analyse
from ltvlib.winback.episodes import (
    EPISODE_COLUMNS,
    FEATURE_COLUMNS,
    GIFT_TAGS,
    WinbackSettings,
    dormancy_episodes,
    dormant_threshold,
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
    dormancy_decay,
    return_value_ratio,
    score_dormant,
)
from ltvlib.winback.narrative import (
    attribute_text,
    driver_text,
    narrative,
    notable_attributes,
    present_profile,
)
from ltvlib.winback.profile import ATTRIBUTES, AttributeEncoder, returners_profile, wilson_interval
from ltvlib.winback.targets import (
    DORMANCY_BANDS,
    assign_groups,
    dormant_summary,
    freeze_targets,
    select_targets,
    write_targets_csv,
)

__all__ = [
    "ATTRIBUTES",
    "DORMANCY_BANDS",
    "EPISODE_COLUMNS",
    "FEATURE_COLUMNS",
    "GIFT_TAGS",
    "SCORE_COLUMNS",
    "AttributeEncoder",
    "Backtest",
    "LookalikeModel",
    "NotEnoughEpisodes",
    "WinbackResult",
    "WinbackSettings",
    "analyse",
    "assign_groups",
    "attribute_text",
    "backtest",
    "default_cutoff",
    "dormancy_decay",
    "dormancy_episodes",
    "dormant_summary",
    "dormant_threshold",
    "driver_text",
    "freeze_targets",
    "load_orders",
    "narrative",
    "notable_attributes",
    "present_profile",
    "return_timing",
    "return_value_ratio",
    "returners_profile",
    "score_dormant",
    "select_targets",
    "settings_from",
    "wilson_interval",
    "write_targets_csv",
]
