"""Figure helpers shared by the notebooks: ``common`` for every report, one module per analysis.

Each helper returns a matplotlib ``Figure`` (or a plotly figure) and never shows or saves it.
"""

from ltvlib.plots.common import bar_metric, grid_heatmap, japanese_font_path, use_report_style

__all__ = ["bar_metric", "grid_heatmap", "japanese_font_path", "use_report_style"]
