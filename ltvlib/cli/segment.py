"""``ltv segment ...``: condition segments and list segments from the terminal.

Exit status: 0 done (warnings, e.g. unmatched CSV rows, go to stderr), 2 invalid input (a bad
condition, an unknown segment or list, a taken name without --overwrite, an unreadable file).
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ltvlib.cli.core import _date, _default_as_of
from ltvlib.params import PROJECT_ROOT, ShopParams, load_shop_params

EXIT_OK, EXIT_BAD_INPUT = 0, 2

EPILOG = """examples:
  ltv segment list demo
  ltv segment show demo loyal_active --sample 5
  ltv segment show demo --condition "count(orders WHERE tags CONTAINS 'gift') >= 2"
  ltv segment freeze demo spring_dm --segment repeat_at_risk --control-share 0.1 --seed 7
  ltv segment import demo unsubscribed unsubscribe.csv
  ltv segment combine demo spring_dm_final difference spring_dm unsubscribed
  ltv segment export demo spring_dm_final --format shopify --tag spring_dm --existing customers_export.csv
  ltv segment measure demo spring_dm --as-of 2026-06-30
  ltv segment fields
"""


def _guarded(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Print segment, list and value errors as one paragraph and exit 2 (``--debug`` re-raises)."""
    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        from ltvlib.segments import SegmentError
        from ltvlib.segments.lists import ListError

        try:
            return func(args)
        except (SegmentError, ListError, ValueError) as e:
            if getattr(args, "debug", False):
                raise
            print(f"error: {e}", file=sys.stderr)
            return EXIT_BAD_INPUT
    return run


def _store(params: ShopParams, write: bool = False):
    from ltvlib.store import Store

    return Store(params.store, timezone=params.timezone, read_only=not write, shop=params.shop)


def _segmenter(params: ShopParams, store):
    from ltvlib.segments import Segmenter, lists

    orders = store.orders()
    items = store.line_items(["order_id", "line_no", "product", "product_line"])
    return orders, Segmenter(orders, items, params.segments, params.thresholds, lists=lists.all_members(store))


def _print_table(df: pd.DataFrame) -> None:
    print(df.to_string() if len(df) else "  (none)")


def _metrics_text(m: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=m.index)
    out["customers"] = m["customers"].map("{:,}".format)
    for col in ("share", "revenue_share", "repeat_rate"):
        out[col] = m[col].map(lambda v: "–" if v != v else f"{v:.1%}")
    for col in ("ltv", "aov"):
        out[col] = m[col].map(lambda v: "–" if v != v else f"{v:,.0f}")
    out["orders/cust"] = m["orders_per_customer"].map(lambda v: "–" if v != v else f"{v:.2f}")
    out["median gap"] = m["median_days_between_orders"].map(lambda v: "–" if v != v else f"{v:.0f}d")
    return out


@_guarded
def cmd_list(args: argparse.Namespace) -> int:
    from ltvlib.segments import lists, metrics

    params = load_shop_params(args.shop)
    as_of = args.as_of or _default_as_of(params)
    with _store(params) as store:
        _, seg = _segmenter(params, store)
        catalog = lists.catalog(store)
    snap = seg.snapshot(as_of)
    m = metrics.segment_metrics(snap, seg.masks(snap))
    table = _metrics_text(m)[["customers", "share", "ltv"]]
    table.insert(0, "group", [seg.definition(n).group for n in m.index])
    print(f"{params.name}: condition segments as of {as_of} ({len(snap):,} customers)")
    _print_table(table)
    print(f"\nlist segments in {params.store.name}:")
    if len(catalog):
        catalog = catalog[["name", "members", "control_members", "as_of", "how", "description"]].set_index("name")
    _print_table(catalog)
    return EXIT_OK


def _sample(params: ShopParams, keys: pd.Index, snap, n: int) -> pd.DataFrame:
    from ltvlib.privacy import redact, shop_secret

    pos = snap.keys.get_indexer(keys[:n])
    df = pd.DataFrame({"orders": snap.orders[pos], "net_revenue": snap.net_revenue[pos],
                       "days_since_last_order": snap.recency_days[pos]}, index=pd.Index(keys[:n], name="customer_key"))
    return redact(df, show_personal_data=params.show_personal_data, secret=shop_secret(params.store))


@_guarded
def cmd_show(args: argparse.Namespace) -> int:
    from ltvlib.segments import lists, metrics

    params = load_shop_params(args.shop)
    as_of = args.as_of or _default_as_of(params)
    with _store(params) as store:
        _, seg = _segmenter(params, store)
        is_list = args.name is not None and args.name not in seg.names and lists.exists(store, args.name)
        list_info = lists.info(store, args.name) if is_list else None
    snap = seg.snapshot(as_of)
    if args.condition:
        for w in seg.warnings(args.condition):
            print(f"warning: {w}", file=sys.stderr)
        col = seg.evaluate(args.condition, as_of)
        title = f"condition: {args.condition}"
    elif list_info is not None:
        col = pd.Series(snap.keys.isin(seg.lists[args.name]), index=snap.keys)
        title = (f"list '{args.name}' ({list_info['how']}, as of {list_info['as_of']}, {list_info['members']:,} "
                 f"members, {list_info['control_members']:,} in control): {list_info['description']}")
    elif args.name is not None:
        d = seg.definition(args.name)
        col = seg.membership(as_of, [args.name])[args.name]
        title = f"segment '{d.name}' — {d.en} / {d.ja}\n  condition: {d.condition}"
    else:
        raise ValueError("give a segment or list NAME, or --condition TEXT")
    print(title)
    m = metrics.segment_metrics(snap, {"members": col.to_numpy()})
    print(f"as of {as_of}:")
    _print_table(_metrics_text(m).T.rename(columns={"members": ""}).rename_axis(None, axis=1))
    if args.sample:
        print(f"\nsample of members (first {args.sample} by first order):")
        _print_table(_sample(params, col.index[col.to_numpy()], snap, args.sample))
    return EXIT_OK


@_guarded
def cmd_freeze(args: argparse.Namespace) -> int:
    from ltvlib.segments import lists

    params = load_shop_params(args.shop)
    as_of = args.as_of or _default_as_of(params)
    if bool(args.condition) == bool(args.segment):
        raise ValueError("give exactly one of --condition TEXT or --segment NAME")
    with _store(params, write=True) as store:
        _, seg = _segmenter(params, store)
        opts = dict(description=args.description or "", control_share=args.control_share, seed=args.seed,
                    overwrite=args.overwrite)
        if args.condition:
            for w in seg.warnings(args.condition):
                print(f"warning: {w}", file=sys.stderr)
            info = lists.freeze_condition(store, args.name, seg, args.condition, as_of, **opts)
        else:
            info = lists.freeze_segment(store, args.name, seg, args.segment, as_of, **opts)
    _print_info(info)
    return EXIT_OK


def _print_info(info: dict) -> None:
    control = (f", {info['control_members']:,} held out as control (share {info['control_share']:.0%}, "
               f"seed {info['seed']})") if info["control_members"] else ""
    print(f"list '{info['name']}': {info['members']:,} members as of {info['as_of']}{control}; how: {info['how']}")


@_guarded
def cmd_combine(args: argparse.Namespace) -> int:
    from ltvlib.segments import lists

    params = load_shop_params(args.shop)
    with _store(params, write=True) as store:
        info = lists.combine(store, args.name, args.op, args.lists, description=args.description or "",
                             control_share=args.control_share, seed=args.seed, overwrite=args.overwrite)
    _print_info(info)
    return EXIT_OK


@_guarded
def cmd_import(args: argparse.Namespace) -> int:
    from ltvlib.segments import lists

    params = load_shop_params(args.shop)
    with _store(params, write=not args.dry_run) as store:
        rep = lists.import_csv(store, args.name, args.file, column=args.column, description=args.description or "",
                               control_share=args.control_share, seed=args.seed, overwrite=args.overwrite,
                               as_of=args.as_of, dry_run=args.dry_run)
    c = rep.counts()
    print(f"{args.file}: {len(rep.rows):,} rows ({rep.encoding}, column '{rep.column}'): {c['matched']:,} matched, "
          f"{c['duplicate']:,} duplicate, {c['unmatched']:,} unmatched, {c['blank']:,} blank")
    problems = rep.rows.loc[rep.rows["status"] != "matched"]
    if args.report:
        from ltvlib.io.csvout import write_csv

        write_csv(rep.rows, args.report)
        print(f"row report -> {args.report}")
    if len(problems):
        print(f"warning: {len(problems):,} rows are not in the list:", file=sys.stderr)
        print(problems.head(20).to_string(index=False), file=sys.stderr)
        if len(problems) > 20 and not args.report:
            print("  ... (all rows with --report FILE)", file=sys.stderr)
    if rep.list is not None:
        _print_info(rep.list)
    return EXIT_OK


def _safe_name(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "list"


@_guarded
def cmd_export(args: argparse.Namespace) -> int:
    from ltvlib.io.csvout import write_csv
    from ltvlib.segments import exports, lists

    params = load_shop_params(args.shop)
    groups = ("target", "control") if args.include_control else ("target",)
    with _store(params) as store:
        members = lists.load(store, args.name)
        emails = lists.customer_emails(store)
    if args.format == "email":
        out = exports.email_csv(members, emails, groups=groups)
    else:
        if not args.tag:
            raise ValueError("--format shopify needs --tag TAG (the tag to add to these customers)")
        existing = None
        if args.existing:
            from ltvlib.io import read_text_table

            existing = read_text_table(args.existing)
        out = exports.shopify_customer_csv(members, emails, args.tag, existing=existing, groups=groups)
    path = Path(args.out) if args.out else (PROJECT_ROOT / "reports" / params.shop / "exports"
                                            / f"{_safe_name(args.name)}_{args.format}.csv")
    write_csv(out.frame, path, encoding=args.encoding)
    print(f"{len(out.frame):,} rows -> {path}")
    if out.neutralised:
        print(f"warning: {out.neutralised:,} cells started like a spreadsheet formula and were prefixed with '",
              file=sys.stderr)
    if len(out.missing):
        print(f"warning: {len(out.missing):,} members have no e-mail on their orders and are not in the file",
              file=sys.stderr)
    if args.format == "shopify" and out.not_in_existing:
        print(f"warning: {out.not_in_existing:,} rows have no current Shopify tags to keep"
              + ("" if args.existing else " (pass --existing with Shopify's customer export to keep them)")
              + ": importing with 'overwrite existing customers' replaces their tags with this tag", file=sys.stderr)
    return EXIT_OK


@_guarded
def cmd_measure(args: argparse.Namespace) -> int:
    from ltvlib.segments import campaign, lists

    params = load_shop_params(args.shop)
    as_of = args.as_of or _default_as_of(params)
    with _store(params) as store:
        info = lists.info(store, args.name)
        members = lists.load(store, args.name)
        orders = store.orders(["order_id", "customer_key", "ordered_at", "net_revenue", "cancelled_at"])
    start, end = campaign.window(info, as_of, args.days, start=args.start)
    r = campaign.measure(orders, members, start, end, confidence=args.confidence)
    print(f"list '{args.name}' ({info['members']:,} members, as of {info['as_of']}): {start} to {end}")
    g = r.groups

    def fmt(col: str, spec: str) -> pd.Series:
        return g[col].map(lambda v: "–" if v != v else format(v, spec))

    _print_table(pd.DataFrame({"members": fmt("members", ","), "buyers": fmt("buyers", ","),
                               "purchase rate": fmt("purchase_rate", ".1%"), "orders": fmt("orders", ","),
                               "orders/member": fmt("orders_per_member", ".3f"),
                               "net revenue": fmt("net_revenue", ",.0f"),
                               "revenue/member": fmt("revenue_per_member", ",.0f")}))
    if info["control_members"] == 0:
        print("no control group: freeze with --control-share to measure an effect")
        return EXIT_OK
    e = r.effects
    print(f"\neffect (target - control), {args.confidence:.0%} confidence interval:")
    for k, row in e.iterrows():
        fmt = "{:+.2%}" if k == "purchase_rate" else "{:+,.2f}"
        print(f"  {k:<20} {fmt.format(row['difference'])}  [{fmt.format(row['ci_low'])}, "
              f"{fmt.format(row['ci_high'])}]  p={row['p_value']:.3f}")
    return EXIT_OK


@_guarded
def cmd_delete(args: argparse.Namespace) -> int:
    from ltvlib.segments import lists

    params = load_shop_params(args.shop)
    with _store(params, write=True) as store:
        n = lists.delete(store, args.name)
    print(f"deleted list '{args.name}' ({n:,} members)")
    return EXIT_OK


def cmd_fields(args: argparse.Namespace) -> int:
    from ltvlib.segments.fields import ALIASES, FIELDS, ORDER_FIELDS
    from ltvlib.segments.language import OPERATORS

    print("customer fields (kind: meaning):")
    for name, spec in FIELDS.items():
        print(f"  {name:<28} {spec.kind:<7} {spec.doc}" + ("  [WITHIN n DAYS]" if spec.window else ""))
    print("\naliases: " + ", ".join(f"{a} = {t}" for a, t in ALIASES.items()))
    print("\norder fields, inside count(orders WHERE ...), sum(...), avg(...):")
    for name, spec in ORDER_FIELDS.items():
        print(f"  {name:<28} {spec.kind:<7} {spec.doc}")
    print("\noperators: " + ", ".join(OPERATORS))
    print("combine with AND, OR, NOT and parentheses; segment('name') reuses a segment or a frozen list.")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``ltv segment`` and its subcommands."""
    p = sub.add_parser("segment", help="condition segments and list segments (freeze, combine, import, export)",
                       description="Condition segments are defined in the shop's params (`segments:`); list "
                       "segments are frozen member lists kept in the shop's store.", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    ss = p.add_subparsers(dest="segment_command", required=True, metavar="SUBCOMMAND")

    def shop(s: argparse.ArgumentParser, name: bool = True) -> None:
        s.add_argument("shop", help="shop id or params file")
        if name:
            s.add_argument("name", help="list (or segment) name")

    def control(s: argparse.ArgumentParser) -> None:
        s.add_argument("--description", help="what the list is for")
        s.add_argument("--control-share", type=float, default=0.0, help="share held out as control (e.g. 0.1)")
        s.add_argument("--seed", type=int, help="random seed of the control split (recorded; drawn if omitted)")
        s.add_argument("--overwrite", action="store_true", help="replace a list of the same name")

    s = ss.add_parser("list", help="condition segments with their size, and the frozen lists")
    shop(s, name=False)
    s.add_argument("--as-of", type=_date)
    s.set_defaults(func=cmd_list)

    s = ss.add_parser("show", help="a segment's or list's definition, metrics and sample members")
    s.add_argument("shop", help="shop id or params file")
    s.add_argument("name", nargs="?", help="segment or list name")
    s.add_argument("--condition", help="evaluate this condition instead of a named segment")
    s.add_argument("--as-of", type=_date)
    s.add_argument("--sample", type=int, default=10, help="members to show (0 = none; pseudonymised unless "
                   "the params allow personal data)")
    s.set_defaults(func=cmd_show)

    s = ss.add_parser("freeze", help="freeze a condition or a condition segment's members into a list")
    shop(s)
    s.add_argument("--condition", help="condition text")
    s.add_argument("--segment", help="condition segment name from the params")
    s.add_argument("--as-of", type=_date, help="evaluate at this date (default: params as_of, else yesterday)")
    control(s)
    s.set_defaults(func=cmd_freeze)

    s = ss.add_parser("combine", help="a list from other lists: union, intersection or difference")
    shop(s)
    s.add_argument("op", choices=["union", "intersection", "difference"], help="difference = first minus the rest")
    s.add_argument("lists", nargs="+", help="input lists")
    control(s)
    s.set_defaults(func=cmd_combine)

    s = ss.add_parser("import", help="a list from a CSV of e-mails or Shopify customer ids (UTF-8 or cp932)")
    shop(s)
    s.add_argument("file", help="CSV file")
    s.add_argument("--column", help="column holding e-mails or ids (default: detected)")
    s.add_argument("--as-of", type=_date, help="date the list refers to (default: today)")
    s.add_argument("--report", help="write every row's status (matched/duplicate/unmatched/blank) to this CSV")
    s.add_argument("--dry-run", action="store_true", help="match and report, but do not save the list")
    control(s)
    s.set_defaults(func=cmd_import)

    s = ss.add_parser("export", help="write a list as an e-mail CSV or a Shopify customer CSV with a tag")
    shop(s)
    s.add_argument("--format", choices=["email", "shopify"], default="email")
    s.add_argument("--tag", help="tag to add (Shopify format)")
    s.add_argument("--existing", help="Shopify customer export, to keep customers' current tags")
    s.add_argument("--out", help="output file (default reports/<shop>/exports/<name>_<format>.csv)")
    s.add_argument("--encoding", choices=["utf-8", "utf-8-sig", "cp932"], default="utf-8")
    s.add_argument("--include-control", action="store_true", help="also export the control group")
    s.set_defaults(func=cmd_export)

    s = ss.add_parser("measure", help="purchase rate, orders and revenue of a list's target vs control group")
    shop(s)
    s.add_argument("--as-of", type=_date, help="end of the window (default: params as_of, else yesterday)")
    s.add_argument("--start", type=_date, help="start of the window (default: the day after the list's as_of)")
    s.add_argument("--days", type=int, help="window length in days (default: up to --as-of)")
    s.add_argument("--confidence", type=float, default=0.95)
    s.set_defaults(func=cmd_measure)

    s = ss.add_parser("delete", help="delete a list segment")
    shop(s)
    s.set_defaults(func=cmd_delete)

    s = ss.add_parser("fields", help="the fields and operators of the condition language")
    s.set_defaults(func=cmd_fields)

