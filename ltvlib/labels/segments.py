"""Display names segments and list segments."""

LABELS: dict[str, dict[str, str]] = {}
