"""Display names journey flows."""

LABELS: dict[str, dict[str, str]] = {}
