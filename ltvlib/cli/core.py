"""Core ``ltv`` commands: import exports into a shop's store, build the demo shop, run reports."""

from __future__ import annotations

import argparse
import datetime as dt
import fnmatch
import glob
import os
import sys
import time
from pathlib import Path

from ltvlib.params import LOADERS, PROJECT_ROOT, ParamsError, ShopParams, load_shop_params

EXIT_OK, EXIT_FAILED, EXIT_BAD_PARAMS = 0, 1, 2



def _default_as_of(params: ShopParams) -> dt.date:
    """The params' ``as_of``, else the end of yesterday in the shop's zone (see ``ShopParams.report_date``)."""
    return params.report_date()


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-06-30") from None


def _source_files(params: ShopParams, files: list[str], loader: str | None) -> list[tuple[Path, dict]]:
    """Each file to import with the settings of its source (loader, mapping, product_lines).

    No FILE: every source of the params (a ``path`` with ``*``, ``?`` or ``[`` gives its files in name
    order). FILEs: the source whose ``path`` is or matches each file; a file of no source is read with
    ``--loader`` or auto, without mapping or product lines. ``--loader`` forces the loader of every file.
    """
    from ltvlib.io import InputError

    out: list[tuple[Path, dict]] = []
    if not files:
        if not params.sources:
            raise ParamsError(f"{params.path}: no FILE given and no 'sources' in the params.")
        for i, src in enumerate(params.sources):
            pattern = str(src["path"])
            found = sorted(glob.glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]
            if not found:
                raise InputError(pattern, "no file matches this source's path",
                                 f"Put the exports there, or fix sources[{i}].path in {params.path}.")
            out += [(Path(f), src) for f in found]
    for f in map(Path, files):
        full = f.resolve()
        src = next((s for s in params.sources if full == s["path"] or fnmatch.fnmatchcase(str(full), str(s["path"]))),
                   None)
        if src is None:
            print(f"{f}: no source of {params.path.name} has this path; read with loader {loader or 'auto'}.")
        out.append((f, src or {}))
    return [(f, {**src, "loader": loader}) for f, src in out] if loader else out


def cmd_import(args: argparse.Namespace) -> int:
    from ltvlib.io import load_sources
    from ltvlib.privacy import shop_secret
    from ltvlib.store import Store

    params = load_shop_params(args.shop)
    sources = _source_files(params, args.files, args.loader)
    files = [f for f, _ in sources]
    result = load_sources(sources, timezone=params.timezone)
    target = getattr(args, "store", None) or params.store
    with Store(target, timezone=params.timezone, shop=params.shop) as store:
        done = store.upsert(result, files=[str(f) for f in files])
        counts = store.counts()
    shop_secret(params.store)  # the shop's pseudonym secret, made now so read-only report runs find it
    print(result.summary_text())
    print(f"store {params.store}: {done['orders_new']:,} new orders, {done['orders_replaced']:,} replaced; "
          f"now {counts['orders']:,} orders, {counts['line_items']:,} line items.")
    return EXIT_OK


def _rebuild_store(shop: str | Path, files: list[str]) -> int:
    """Import ``files`` into a new store for ``shop`` (a temporary file swapped in at the end), so an export of
    another size or seed never mixes with an earlier one."""
    params = load_shop_params(shop)
    tmp = params.store.with_name(f".{params.store.name}.rebuild")
    tmp.unlink(missing_ok=True)
    try:
        status = cmd_import(argparse.Namespace(shop=str(shop), files=files, loader="shopify", store=tmp))
        os.replace(tmp, params.store)
    finally:
        tmp.unlink(missing_ok=True)
    return status


def cmd_demo(args: argparse.Namespace) -> int:
    from ltvlib import demo

    if args.portfolio:  # N demo shops of different shapes, each imported into its own new store
        t0 = time.perf_counter()
        files = demo.write_portfolio(args.portfolio, args.params_dir, Path(args.data_dir) / "portfolio",
                                     customers=args.customers, seed=args.seed)
        for f in files:
            params = load_shop_params(f)
            status = _rebuild_store(f, [str(s["path"]) for s in params.sources])
            if status != EXIT_OK:
                return status
        print(f"demo portfolio: {len(files)} shops ({time.perf_counter() - t0:.1f}s); params: "
              + ", ".join(str(f) for f in files) + f"\nnext: ltv run --all {args.params_dir}")
        return EXIT_OK
    out = Path(args.out)
    t0 = time.perf_counter()
    info = demo.write_shopify_export(out, customers=args.customers, seed=args.seed)
    print(f"demo export: {info['rows']:,} rows, {info['orders']:,} orders, {info['customers']:,} customers "
          f"-> {out} ({time.perf_counter() - t0:.1f}s)")
    if args.no_import:
        return EXIT_OK
    return _rebuild_store(args.shop, [str(out)])


def cmd_run(args: argparse.Namespace) -> int:
    from ltvlib.report import run_shop

    if args.all:  # every shop as one task on dask.distributed, then the portfolio page (ltvlib.batch)
        from ltvlib.batch import cli_run_all

        folder = Path(args.all)
        shops = sorted(folder.glob("*.yaml"))
        if not shops:
            raise ParamsError(f"{folder}: no shop params (*.yaml) found.")
        results = cli_run_all(shops, args)
    elif args.shop:
        params = load_shop_params(args.shop)  # one shop: a ParamsError is printed as a paragraph, exit 2
        as_of = args.as_of or _default_as_of(params)
        notebooks = args.notebooks.split(",") if args.notebooks else None
        r = run_shop(params, as_of, audience=args.audience, notebooks=notebooks, reports_root=Path(args.reports_dir),
                     jobs=args.jobs,
                     progress=lambda m: print(m, flush=True))
        where = r.report_dir / "index.html" if r.published else r.report_dir
        status = "ok" if r.ok else "partial" if r.published else "FAILED"
        results = [(params.shop, as_of.isoformat(), status, r.seconds, str(where) if r.ok else r.error)]
        if r.ok:
            print(f"[{params.shop}] report: {where}")
        elif r.published:
            print(f"[{params.shop}] report (incomplete, failed pages listed on its index): {where}\n"
                  f"  FAILED: {r.error}", file=sys.stderr)
        else:
            print(f"[{params.shop}] FAILED: {r.error}\n  the earlier complete report of {as_of} is kept; this run's "
                  f"pages and failed notebooks are in {r.report_dir}", file=sys.stderr)
    else:
        raise ParamsError("give a SHOP or --all FOLDER.")
    if len(results) > 1:
        print("\nshop                 as_of       status  seconds  report / error")
        for shop, as_of, status, secs, what in results:
            print(f"{shop:<20} {as_of:<11} {status:<7} {secs:>7.1f}  {what}")
    if any(r[2] == "PARAMS" for r in results):
        return EXIT_BAD_PARAMS  # the other shops ran; a shop's params need fixing
    return EXIT_OK if all(r[2] in ("ok", "skipped") for r in results) else EXIT_FAILED


def cmd_summary(args: argparse.Namespace) -> int:
    from ltvlib import customers, rfm
    from ltvlib.segments.metrics import segment_metrics
    from ltvlib.store import Store

    params = load_shop_params(args.shop)
    as_of = args.as_of or _default_as_of(params)
    with Store(params.store, timezone=params.timezone, read_only=True, shop=params.shop) as store:
        orders = store.orders()
    s = customers.customer_summary(orders, as_of)
    grid = rfm.status_grid(s, params.thresholds)
    m = segment_metrics(s, grid["cell"])[rfm.PAGE_METRICS]
    print(f"{params.name} as of {as_of}: {len(s):,} customers, net revenue {s['net_revenue'].sum():,.0f} "
          f"{params.currency}")
    print(m.round(3).to_string())
    sug = rfm.suggest_thresholds(customers.repurchase_intervals(orders, as_of))
    print("\nsuggested thresholds (days between consecutive purchases):")
    print(sug.to_string(index=False))
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add the core commands: import, demo, run, summary."""

    s = sub.add_parser("import", help="load order exports into a shop's store (upsert by order id)",
                       description="Load Shopify 'Export orders' CSVs, Amazon All Orders reports, Rakuten RMS order "
                       "CSVs (or mapped CSV/Parquet) into the shop's store, each file with its source's loader, "
                       "mapping and product lines. Re-importing overlapping exports never double-counts: the newest "
                       "export wins. Prints how every input row was used or why it was not. Exit status 2: invalid "
                       "params or input file.")
    s.add_argument("shop", help="shop id or params file")
    s.add_argument("files", nargs="*", help="export files (default: the params' sources)")
    s.add_argument("--loader", choices=LOADERS, help="force a loader for every file (default: each file's source "
                   "in the params, else auto)")
    s.set_defaults(func=cmd_import)

    s = sub.add_parser("demo", help="generate the demo shop's Shopify export and import it",
                       description="Write a deterministic Shopify-format export of the fictional tea shop "
                       "and import it into the demo store.")
    s.add_argument("--customers", type=int, default=3000, help="number of customers (default 3000)")
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--out", default=str(PROJECT_ROOT / "data" / "demo" / "orders_export.csv"))
    s.add_argument("--shop", default="demo", help="shop to import into (default demo)")
    s.add_argument("--no-import", action="store_true", help="only write the export")
    s.add_argument("--portfolio", type=int, metavar="N",
                   help="instead: N demo shops pf-1 ... pf-N of different shapes (sizes scaled from --customers; "
                        "channels, repeat behaviour, product mix, history, one in dollars and English), params in "
                        "--params-dir, exports and stores in --data-dir/portfolio/, imported; then ltv run --all")
    s.add_argument("--params-dir", default=str(PROJECT_ROOT / "params" / "shops"),
                   help="with --portfolio: where the shops' params go (default params/shops)")
    s.add_argument("--data-dir", default=str(PROJECT_ROOT / "data"),
                   help="with --portfolio: where data/portfolio/<shop>/ goes (default data)")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("run", help="run a shop's report notebooks into reports/<shop>/<as_of>/",
                       description="Execute the shop's notebooks with Papermill and write self-contained HTML "
                       "reports and an index.html. Earlier reports stay intact if a run fails. Exit status: 0 every "
                       "report complete, 1 a report failed, 2 invalid params (with --all the other shops still run).")
    s.add_argument("shop", nargs="?", help="shop id or params file")
    s.add_argument("--all", metavar="FOLDER", help="run every shop params file in FOLDER")
    s.add_argument("--as-of", type=_date, help="analysis date (default: params as_of, else yesterday)")
    s.add_argument("--audience", choices=["client", "analyst"], help="client hides code (default: params)")
    s.add_argument("--notebooks", help="comma-separated notebook names (default: params report.notebooks)")
    s.add_argument("--jobs", type=int, metavar="N",
                   help="notebooks run at once, each in its own kernel (default: params report.jobs, else one per "
                        "core, at most 2)")
    s.add_argument("--reports-dir", default=str(PROJECT_ROOT / "reports"),
                   help="where reports/<shop>/<as_of>/ go (default: the project's reports/)")
    s.add_argument("--workers", type=int, metavar="N",
                   help="with --all: worker processes of the local Dask cluster, one shop each at a time "
                        "(default: one per core)")
    s.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --all: run on an existing Dask cluster (tcp://host:8786; default: $LTV_DASK_SCHEDULER, "
                        "else a local cluster); its workers must see the same params, stores and reports paths")
    s.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="with --all: stop a shop's run after this many seconds (its worker is restarted; the others "
                        "go on)")
    s.add_argument("--force", action="store_true",
                   help="with --all: run shops whose report of that date is up to date too (default: skip them)")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("summary", help="print customer status-grid figures for a shop")
    s.add_argument("shop", help="shop id or params file")
    s.add_argument("--as-of", type=_date)
    s.set_defaults(func=cmd_summary)


