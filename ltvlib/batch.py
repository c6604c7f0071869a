"""``ltv run --all``: every shop's report as one task on ``dask.distributed``, and skipping what is done.

Each shop is one task that calls :func:`ltvlib.report.run_shop` in a worker process (``nthreads=1``: one
shop per worker at a time; the notebooks' kernels are the worker's child processes, started with
``subprocess``, which daemonic worker processes may do). By default the tasks run on a ``LocalCluster`` of
worker processes; ``--scheduler tcp://host:8786`` (or ``LTV_DASK_SCHEDULER``) sends them to an existing
cluster whose workers see the same paths (params, stores, reports).

Isolation: a shop whose run fails is reported and the others go on; a shop past ``--timeout`` seconds is
cancelled and its worker process ended (the run's kernels end with it, a nanny starts a new worker; its hidden partial folder is removed by
the shop's next run); a shop whose worker dies (killed, out of memory) is run once more on another worker
(the local scheduler's ``allowed-failures`` is 1: a second loss is final, reported as ``LOST``).
Task exceptions are not retried: a run that fails fails the same way again.

Skip: a complete report records a :func:`fingerprint` of what it was made from (params files, the store's
data version, audience, notebooks and their files); a shop whose fingerprint is unchanged is skipped unless
``force``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ltvlib.params import DEFAULTS_PATH, ShopParams, load_shop_params

__all__ = ["ENV_SCHEDULER", "ShopOutcome", "ShopTask", "dask_client", "fingerprint", "run_batch", "run_task"]

ENV_SCHEDULER = "LTV_DASK_SCHEDULER"
TOPIC = "ltv-run"


@dataclass(frozen=True)
class ShopTask:
    """What a worker needs to run one shop (plain values: it travels to the worker)."""

    shop: str
    params_path: str
    as_of: dt.date
    reports_root: str
    audience: str | None = None
    notebooks: tuple[str, ...] | None = None
    jobs: int | None = None
    force: bool = False


@dataclass
class ShopOutcome:
    """One shop's result: ``status`` is ok, partial, FAILED, skipped, TIMEOUT or LOST (as in the summary)."""

    shop: str
    as_of: dt.date
    status: str
    seconds: float
    report_dir: str | None = None
    error: str | None = None
    attempts: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def index(self) -> str | None:
        """The report's index.html when the report folder is the published one."""
        if self.report_dir is None or self.report_dir.endswith(".failed"):
            return None
        return str(Path(self.report_dir) / "index.html")


def _sha256_files(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def fingerprint(params: ShopParams, as_of: dt.date, audience: str | None = None,
                notebooks: list[str] | tuple[str, ...] | None = None) -> dict[str, Any]:
    """What a report of ``params`` for ``as_of`` is made from: the shop's params file and the defaults, the
    store's data version (``ltvlib.context.data_version``: row counts and the latest import), the audience, the
    notebooks and their files. Equal fingerprints give the same pages. Raises when the store cannot be read."""
    from ltvlib.context import data_version
    from ltvlib.report import NOTEBOOKS_DIR
    from ltvlib.store import Store

    audience = audience or params.report.get("audience", "client")
    names = list(notebooks or params.report.get("notebooks", ["rfm"]))
    with Store(params.store, timezone=params.timezone, read_only=True, shop=params.shop) as store:
        version = data_version(store)
    fp = {"as_of": as_of.isoformat(), "audience": audience, "notebooks": names,
          "params_sha256": _sha256_files([params.path, DEFAULTS_PATH]),
          "notebooks_sha256": _sha256_files([NOTEBOOKS_DIR / f"{nb}.ipynb" for nb in names
                                             if (NOTEBOOKS_DIR / f"{nb}.ipynb").is_file()]),
          "data": version}
    return json.loads(json.dumps(fp))  # as it reads back from run.json


def _recorded(report_dir: Path) -> dict[str, Any] | None:
    """The run record of a complete report folder (with its index), else None."""
    try:
        record = json.loads((report_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if record.get("complete") and (report_dir / "index.html").is_file() else None


def run_task(task: ShopTask, progress: Callable[[str], None] = lambda msg: None) -> ShopOutcome:
    """Run one shop (in whatever process calls it): skip it when its report is up to date, else ``run_shop``.

    Never raises for the shop's own trouble (bad params, missing store, a failing notebook): that is the
    outcome's ``FAILED`` / ``partial`` status with the reason."""
    from ltvlib.report import run_shop

    t0 = time.perf_counter()
    notes = []
    try:
        params = load_shop_params(task.params_path)
        final = Path(task.reports_root).resolve() / params.shop / task.as_of.isoformat()
        try:
            fp = fingerprint(params, task.as_of, task.audience, task.notebooks)
        except Exception as e:  # the run says what is wrong with the store; no fingerprint, no skipping
            fp = None
            notes.append(f"no fingerprint ({type(e).__name__}: {e}); the report is not reused")
        record = _recorded(final)
        if fp is not None and not task.force and record is not None and record.get("fingerprint") == fp:
            progress(f"[{task.shop}] skipped: the report of {task.as_of} is up to date (params and store unchanged)")
            return ShopOutcome(task.shop, task.as_of, "skipped", time.perf_counter() - t0, str(final), notes=notes)
        r = run_shop(params, task.as_of, audience=task.audience,
                     notebooks=list(task.notebooks) if task.notebooks else None,
                     reports_root=Path(task.reports_root), progress=progress, jobs=task.jobs, fingerprint=fp)
    except Exception as e:
        return ShopOutcome(task.shop, task.as_of, "FAILED", time.perf_counter() - t0, None,
                           f"{type(e).__name__}: {e}", notes=notes)
    status = "ok" if r.ok else "partial" if r.published else "FAILED"
    return ShopOutcome(task.shop, task.as_of, status, r.seconds, str(r.report_dir) if r.report_dir else None,
                       r.error, notes=notes)


def _worker_task(task: ShopTask) -> ShopOutcome:
    """The Dask task: :func:`run_task` with its progress sent to the client as events of topic ``ltv-run``."""
    from distributed import get_worker

    worker = get_worker()

    def emit(kind: str, msg: str) -> None:
        worker.log_event(TOPIC, {"shop": task.shop, "kind": kind, "msg": msg, "worker": worker.address,
                                 "pid": os.getpid()})

    emit("start", f"[{task.shop}] started on worker {worker.address} (pid {os.getpid()})")
    return run_task(task, progress=lambda msg: emit("progress", msg))


async def _end_worker() -> None:
    """Run on a worker whose shop timed out: end its process at once, the shop's kernels with it (a graceful
    restart would wait for the run to finish). Its nanny starts a fresh worker."""
    os._exit(1)


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None,
                dashboard_address: str | None = ":8787") -> Iterator[Any]:
    """A ``distributed.Client``: on ``scheduler`` (else ``$LTV_DASK_SCHEDULER``) when given, else on a new
    ``LocalCluster`` of ``workers`` processes (default: one per core) with one thread each, no memory limit
    on the worker process (the memory is the kernels', children of the worker) and a lost worker's task
    rescheduled once (``allowed-failures: 1``)."""
    import dask
    from distributed import Client, LocalCluster

    address = scheduler or os.environ.get(ENV_SCHEDULER)
    if address:
        with Client(address, timeout="30s") as client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), \
            LocalCluster(n_workers=n, threads_per_worker=1, processes=True, memory_limit=0,
                         dashboard_address=dashboard_address, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        yield client


def _dashboard(client: Any) -> str | None:
    """The dashboard's address when the scheduler runs one (it needs bokeh)."""
    try:
        services = client.scheduler_info().get("services", {})
    except Exception:
        return None
    return client.dashboard_link if "dashboard" in services else None


def run_batch(tasks: list[ShopTask], client: Any, *, timeout: float | None = None,
              echo: Callable[[str], None] = print) -> list[ShopOutcome]:
    """Run every task on ``client``'s cluster, one Dask task per shop; outcomes in the order of ``tasks``.

    ``echo`` gets the progress lines (start, each notebook, each shop's end with a count). A shop running
    longer than ``timeout`` seconds (from its start on a worker) is cancelled and its worker process ended (see the module docstring)."""
    from distributed.scheduler import KilledWorker

    link = _dashboard(client)
    if link:
        echo(f"Dask dashboard: {link}")
    started: dict[str, tuple[float, str, int]] = {}  # shop -> (start time, worker address, starts)

    def on_event(event: tuple[float, dict[str, Any]]) -> None:
        msg = event[1]
        if msg.get("kind") == "start":
            starts = started.get(msg["shop"], (0.0, "", 0))[2] + 1
            started[msg["shop"]] = (time.monotonic(), msg["worker"], starts)
            if starts > 1:
                echo(f"[{msg['shop']}] its worker was lost: run once more (attempt {starts})")
        echo(msg.get("msg", ""))

    client.subscribe_topic(TOPIC, on_event)
    futures = {client.submit(_worker_task, t, key=f"ltv-run-{t.shop}-{uuid.uuid4().hex[:8]}", pure=False): t
               for t in tasks}
    outcomes: dict[str, ShopOutcome] = {}
    t0 = time.monotonic()
    try:
        pending = set(futures)
        while pending:
            done = [f for f in pending if f.done()]
            if not done:
                time.sleep(0.2)
            for fut in done:
                task = futures[fut]
                attempts = max(1, started.get(task.shop, (0.0, "", 1))[2])
                try:
                    out = fut.result()
                    out.attempts = attempts
                except KilledWorker:
                    out = ShopOutcome(task.shop, task.as_of, "LOST", time.monotonic() - t0, None,
                                      "its worker died on every attempt (killed or out of memory); see the "
                                      "workers' log, then run the shop alone: ltv run SHOP", attempts=attempts)
                except Exception as e:
                    out = ShopOutcome(task.shop, task.as_of, "FAILED", time.monotonic() - t0, None,
                                      f"{type(e).__name__}: {e}", attempts=attempts)
                outcomes[task.shop] = out
                pending.discard(fut)
                echo(f"[{len(outcomes)}/{len(tasks)}] {task.shop}: {out.status} in {out.seconds:.1f}s")
            if timeout:
                for fut in list(pending):
                    task = futures[fut]
                    start = started.get(task.shop)
                    if start is None or time.monotonic() - start[0] <= timeout:
                        continue
                    fut.cancel()
                    pending.discard(fut)
                    try:
                        client.run(_end_worker, workers=[start[1]], wait=False)  # no answer to wait for
                    except Exception as e:
                        echo(f"[{task.shop}] could not end its worker {start[1]} ({type(e).__name__}: {e}); the "
                             "run may go on there until it ends")
                    outcomes[task.shop] = ShopOutcome(
                        task.shop, task.as_of, "TIMEOUT", time.monotonic() - start[0], None,
                        f"still running after --timeout {timeout:g} s: stopped (its worker restarted); the earlier "
                        "report of that date, if any, is kept", attempts=start[2])
                    echo(f"[{len(outcomes)}/{len(tasks)}] {task.shop}: TIMEOUT after {timeout:g}s")
    finally:
        client.unsubscribe_topic(TOPIC)
    return [outcomes[t.shop] for t in tasks]


RESERVED_IDS = ("_portfolio",)  # report folders of the batch itself, beside the shops'


def cli_run_all(shop_files: list[Path], args: Any) -> list[tuple[str, str, str, float, str]]:
    """``ltv run --all``: load every shop's params (a bad one is listed as ``PARAMS`` and the others run), run
    the shops on Dask, print each shop's outcome and the portfolio pages; return the summary rows of
    ``cmd_run`` (shop, as_of, status, seconds, report or error)."""
    import sys

    from ltvlib.params import ParamsError
    from ltvlib.portfolio import PortfolioShop, write_portfolio
    from ltvlib.report import ensure_kernel

    rows: dict[str, tuple[str, str, str, float, str]] = {}
    tasks: list[ShopTask] = []
    seen: dict[str, Path] = {}
    loaded: dict[str, ShopParams] = {}
    notebooks = tuple(args.notebooks.split(",")) if args.notebooks else None
    for path in shop_files:
        try:
            params = load_shop_params(path)
            if params.shop in seen:
                raise ParamsError(f"{path}: shop id '{params.shop}' is also the id of {seen[params.shop]}; "
                                  "two shops would write one report folder. Give each shop its own id.")
            if params.shop in RESERVED_IDS:
                raise ParamsError(f"{path}: shop id '{params.shop}' is the portfolio pages' folder; rename the shop.")
        except ParamsError as e:
            print(f"[{path.stem}] skipped: {e}", file=sys.stderr)
            rows[str(path)] = (path.stem, "-", "PARAMS", 0.0, str(e))
            continue
        seen[params.shop], loaded[params.shop] = path, params
        tasks.append(ShopTask(params.shop, str(path), args.as_of or params.report_date(), str(args.reports_dir),
                              args.audience, notebooks, args.jobs, args.force))
        rows[str(path)] = ()  # placed in file order; filled below
    outcomes: list[ShopOutcome] = []
    if tasks:
        ensure_kernel()  # once here: workers registering it at the same moment would race on its folder
        with dask_client(args.scheduler, args.workers) as client:
            n = len(client.scheduler_info().get("workers", {})) or 1
            print(f"{len(tasks)} shops on {n} Dask workers", flush=True)
            outcomes = run_batch(tasks, client, timeout=args.timeout, echo=lambda m: print(m, flush=True))
    for task, out in zip(tasks, outcomes):
        for note in out.notes:
            print(f"[{out.shop}] note: {note}", file=sys.stderr)
        if out.status in ("ok", "skipped"):
            what = out.index if out.status == "ok" else f"skipped (unchanged): {out.index}"
            print(f"[{out.shop}] report{' (unchanged, not run again)' if out.status == 'skipped' else ''}: "
                  f"{out.index}")
        elif out.status == "partial":
            what = out.error or ""
            print(f"[{out.shop}] report (incomplete, failed pages listed on its index): {out.index}\n"
                  f"  FAILED: {out.error}", file=sys.stderr)
        else:
            what = out.error or ""
            kept = f"; this run's pages and failed notebooks are in {out.report_dir}" if out.report_dir else ""
            print(f"[{out.shop}] {out.status}: {out.error}\n  the earlier complete report of {out.as_of}, if any, "
                  f"is kept{kept}", file=sys.stderr)
        if out.attempts > 1:
            what += f" (after {out.attempts} attempts: a worker was lost)"
        rows[task.params_path] = (out.shop, out.as_of.isoformat(), out.status, out.seconds, what)
    shops = [PortfolioShop(o.shop, loaded[o.shop].name, loaded[o.shop].currency, loaded[o.shop].language, o.as_of,
                           o.status) for o in outcomes]
    for page in write_portfolio(shops, Path(args.reports_dir)):
        print(f"portfolio: {page}")
    return list(rows.values())
