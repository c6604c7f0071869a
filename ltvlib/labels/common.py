"""Display names shared by every report (metrics, axes, report chrome)."""

LABELS: dict[str, dict[str, str]] = {}
