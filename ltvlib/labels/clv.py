"""Display names the CLV report."""

LABELS: dict[str, dict[str, str]] = {}
