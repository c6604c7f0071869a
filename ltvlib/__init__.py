"""ltvlib: the analysis library behind ltv-workbench's notebooks and the ``ltv`` command.

Every function takes and returns DataFrames and takes its analysis date (``as_of``) explicitly.
Importing the package has no side effects and loads no analysis module: each module is imported
when first used (``from ltvlib import rfm`` or ``ltvlib.rfm``), so the CLI starts fast and heavy
dependencies (lifetimes, scikit-learn) load only for the analyses that need them.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

__all__ = [
    "clv", "cohorts", "customers", "demo", "io", "journey", "labels", "params", "plots", "privacy", "report",
    "rfm", "segments", "store", "text", "winback",
]  # fmt: skip


def __getattr__(name: str) -> ModuleType:
    if name in __all__:
        return importlib.import_module(f"ltvlib.{name}")
    raise AttributeError(f"module 'ltvlib' has no attribute {name!r}")
