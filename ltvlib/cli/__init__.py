"""The ``ltv`` command.

Errors in input files or params print one paragraph and exit with status 2 (``--debug`` shows the
traceback). SIGINT (Ctrl-C) and SIGTERM stop a command cleanly (the store's transaction rolls back,
the run's partial report folder goes, earlier reports stay) and exit 130 / 143. SHOP is a shop id (``params/shops/<id>.yaml``) or the path of a shop params file.
Each command family lives in its own module here and adds itself with ``register(subparsers)``.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ltvlib.errors import LtvError
from ltvlib.params import ParamsError

EXIT_BAD_INPUT = 2
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

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
    from ltvlib.cli import core, segment, winback  # here, not at the top: main handles signals first

    p = argparse.ArgumentParser(prog="ltv", description="ltv-workbench: customer LTV analyses of e-commerce shops.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (core, segment, winback):
        module.register(sub)
    return p


class Interrupted(KeyboardInterrupt):
    """Raised by the first SIGINT/SIGTERM, so cleanup runs as on Ctrl-C (``finally``, rollbacks)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def _stoppable(received: list[int]) -> Iterator[None]:
    """Turn the first SIGINT/SIGTERM into ``Interrupted`` (noted in ``received``); later ones are noted only,
    so they cannot break the cleanup. Signals the caller ignores (``SIG_IGN``) stay ignored. Logging stops at
    the first: what Jupyter and asyncio report while kernels are torn down mid-cell ("Kernel died", a task
    exception never retrieved) is the interrupt itself, not news for the user."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        received.append(signum)
        if len(received) == 1:
            logging.disable(logging.CRITICAL)
            raise Interrupted(signum)

    previous = {s: signal.getsignal(s) for s in _STOP_SIGNALS}
    for s, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(s, stop)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def main(argv: list[str] | None = None) -> int:
    received: list[int] = []
    args = None
    with _stoppable(received):  # first: a signal while the commands' modules load is handled too
        try:
            args = build_parser().parse_args(argv)
            return args.func(args)
        except BaseException as e:
            if isinstance(e, SystemExit) or args is not None and args.debug:
                raise
            if received or isinstance(e, KeyboardInterrupt):
                # a library may turn the interrupt into its own exception (DuckDB: InterruptException)
                signum = received[0] if received else signal.SIGINT
                print(f"interrupted ({signal.Signals(signum).name}): stopped; the store and earlier reports are "
                      "as they were (an import is all or nothing).", file=sys.stderr)
                return 128 + signum
            from ltvlib.io import InputError

            if isinstance(e, (InputError, ParamsError, LtvError, FileNotFoundError)):
                print(f"error: {e}", file=sys.stderr)
                return EXIT_BAD_INPUT
            raise


if __name__ == "__main__":
    sys.exit(main())
