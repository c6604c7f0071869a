"""ltvlib: the analysis library behind ltv-workbench's notebooks and the ``ltv`` command.

Every function takes and returns DataFrames and takes its analysis date (``as_of``)
explicitly. Importing the package has no side effects.
"""

__version__ = "0.1.0"
