"""Display names shared by every report (metrics, axes, report chrome)."""

LABELS: dict[str, dict[str, str]] = {
    "index": {"en": "Summary", "ja": "サマリー"},
    "contents": {"en": "On this page", "ja": "このページの内容"},
    "widget_note": {"en": "An interactive control is here when this notebook runs in JupyterLab (make lab).",
                    "ja": "JupyterLab（make lab）でこのノートブックを開くと、ここに操作パネルが表示されます。"},
}
