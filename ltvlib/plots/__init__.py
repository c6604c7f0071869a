"""Figure helpers shared by the notebooks: ``common`` for every report, one module per analysis.

Matplotlib helpers take an optional ``ax`` (``axes`` for several panels) to draw into, like seaborn, and return
the Axes they drew on; without one they draw a new figure (laid out, closed: a notebook displays ``ax.figure``).
The journey's interactive charts are plotly figures (``journey``, ``web``). None shows or saves anything.
"""

from ltvlib.plots.common import bar_metric, grid_heatmap, japanese_font_path, use_report_style

__all__ = ["bar_metric", "grid_heatmap", "japanese_font_path", "use_report_style"]
