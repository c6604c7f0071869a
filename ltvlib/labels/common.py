"""Display names shared by every report (metrics, axes, report chrome)."""

LABELS: dict[str, dict[str, str]] = {
    "index": {"en": "Summary", "ja": "サマリー"},
    "contents": {"en": "On this page", "ja": "このページの内容"},
}
