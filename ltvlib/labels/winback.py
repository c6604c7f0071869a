"""Display names the win-back report."""

LABELS: dict[str, dict[str, str]] = {}
