"""Display names the cohorts report."""

LABELS: dict[str, dict[str, str]] = {}
