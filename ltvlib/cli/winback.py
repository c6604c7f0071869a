"""``ltv winback ...``: the one step of the win-back analysis that writes to the shop's store.

The report (``ltv run SHOP --notebooks winback``) only reads the store and writes the target list into
its own ``exports/`` folder. ``ltv winback freeze SHOP --as-of DATE`` computes the same list (same
params, same seed: the same targets and control group) and freezes it as list segment
``winback-<as_of>``, so that ``ltv segment measure`` can compare both groups later.

Exit status: 0 frozen, 2 invalid input (unknown shop, bad params, no list to freeze for this shop and
date, a list of that name already frozen without ``--overwrite``).
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable

from ltvlib.cli.core import _date, _default_as_of
from ltvlib.params import load_shop_params

EXIT_OK, EXIT_BAD_INPUT = 0, 2

EPILOG = """examples:
  ltv run demo --notebooks winback --audience analyst   the page and exports/winback_*.csv (no store write)
  ltv winback freeze demo --as-of 2026-06-30             freeze that list as list segment winback-2026-06-30
  ltv segment show demo winback-2026-06-30               its members and control group
  ltv segment measure demo winback-2026-06-30 --as-of 2026-12-31   later: how both groups bought
"""


def _guarded(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Print user errors (no list to freeze, a taken list name, bad values) as one paragraph and exit 2."""
    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except ValueError as e:  # ListError, NotEnoughEpisodes and bad winback params are ValueErrors
            if getattr(args, "debug", False):
                raise
            print(f"error: {e}", file=sys.stderr)
            return EXIT_BAD_INPUT
    return run


@_guarded
def cmd_freeze(args: argparse.Namespace) -> int:
    from ltvlib import winback

    params = load_shop_params(args.shop)
    as_of = args.as_of or _default_as_of(params)
    page = winback.build_page(params.path, as_of)
    info = winback.freeze_list(page, params.store, params.timezone, overwrite=args.overwrite)
    control = int(info.get("control_members", page.control_count()))
    print(f"{params.name}: froze list segment '{page.list_name}' (as of {as_of}): "
          f"{int(info.get('members', len(page.targets))) - control:,} customers to contact and {control:,} held out "
          f"as the control group (seed {page.settings.seed}). Measure it after {page.result.horizon_days} days with "
          f"'ltv segment measure {params.shop} {page.list_name}'.")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``ltv winback`` and its subcommand ``freeze``."""
    p = sub.add_parser("winback", help="win-back: freeze the report's target list as a list segment",
                       description="The win-back report never writes to the store; freezing its target list "
                       "(targets and control group) for later measurement is this explicit step.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    wsub = p.add_subparsers(dest="winback_command", required=True, metavar="SUBCOMMAND")
    s = wsub.add_parser("freeze", help="freeze the target list of SHOP as of a date as list segment winback-<as_of>",
                        description="Compute the win-back target list exactly as the report does (same params and "
                        "seed, so the same targets and control group) and freeze it in the shop's store as list "
                        "segment winback-<as_of>.")
    s.add_argument("shop", help="shop id or params file")
    s.add_argument("--as-of", type=_date, help="analysis date (default: params as_of, else yesterday)")
    s.add_argument("--overwrite", action="store_true", help="replace a list of the same name")
    s.set_defaults(func=cmd_freeze)
