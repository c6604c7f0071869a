"""The ``ltv`` command.

Errors in input files or params print one paragraph and exit with status 2 (``--debug`` shows the
traceback). SHOP is a shop id (``params/shops/<id>.yaml``) or the path of a shop params file.
Each command family lives in its own module here and adds itself with ``register(subparsers)``.
"""

from __future__ import annotations

import argparse
import sys

from ltvlib.cli import core, segment, winback
from ltvlib.params import ParamsError

EXIT_BAD_INPUT = 2

EPILOG = """examples:
  ltv demo                                   build the demo shop (data/demo/) and import it
  ltv import demo data/demo/orders_export.csv
  ltv run demo                               weekly report -> reports/demo/<as_of>/index.html
  ltv run demo --as-of 2026-03-31 --audience analyst
  ltv run --all params/shops/                every shop; a failure does not stop the others
  ltv run demo --notebooks cohorts,clv      only some reports (rfm, segments, journey, cohorts, clv, winback)
  ltv summary demo --as-of 2026-06-30        customer summary figures in the terminal
  ltv segment list demo                      segments and frozen lists (see: ltv segment --help)
  ltv winback freeze demo --as-of 2026-06-30 freeze the win-back report's target list (reports never write)
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ltv", description="ltv-workbench: customer LTV analyses of e-commerce shops.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (core, segment, winback):
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    from ltvlib.io import InputError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (InputError, ParamsError, FileNotFoundError) as e:
        if args.debug:
            raise
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
