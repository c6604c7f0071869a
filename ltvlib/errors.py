"""The error family for problems a user can fix: the ``ltv`` command prints them as one paragraph
and exits with status 2 (``--debug`` shows the traceback); anything else is a bug.
"""

from __future__ import annotations

__all__ = ["LtvError"]


class LtvError(ValueError):
    """A problem the user can fix (busy store, too deep condition, ...); the message says what to do."""
