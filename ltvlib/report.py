"""Running the report notebooks of a shop with Papermill, converting them to self-contained HTML,
and writing ``reports/<shop>/<as_of>/index.html``.

A run builds everything in a hidden sibling folder and swaps it into place only when every notebook
succeeded, so an interrupted or failed run never replaces a good report with a half one. A failed
run keeps its notebooks under ``reports/<shop>/<as_of>.failed/`` for diagnosis. The hidden folders
carry the run's process id (``.<as_of>.partial-<pid>-*``): the next run of the shop removes those
of processes that no longer exist (runs that were killed), never those of a run still going.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ltvlib.findings import DIAGNOSTICS, findings
from ltvlib.labels import label
from ltvlib.layout import frame_page, header, page_title, style
from ltvlib.params import PROJECT_ROOT, ShopParams

__all__ = [
    "KERNEL_NAME",
    "NOTEBOOKS_DIR",
    "ShopRun",
    "atomic_write_text",
    "context",
    "ensure_kernel",
    "notebook_html",
    "read_figures",
    "remove_stale",
    "run_shop",
    "write_figures",
]

KERNEL_NAME = "ltv-workbench"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
FIGURES_SUFFIX = ".figures.json"


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes files private; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def context(shop: Any, as_of: dt.date | str | None = None, *, audience: str | None = None,
            out_dir: str | Path = ".") -> Any:
    """Everything a report notebook needs, from one call: a :class:`ltvlib.context.Context` with the shop's params,
    ``as_of`` (default ``ShopParams.report_date``), language, currency, thresholds, labels and the memoised loaders
    (orders, line items, history, customer summary; read-only). Within ``ltv run`` (an ``out_dir`` with a share
    folder) what several pages need is computed once and shared; on its own (``out_dir="."``) a notebook computes
    it itself and writes nothing."""
    from ltvlib.context import context as make

    return make(shop, as_of, audience=audience, out_dir=out_dir)


def ensure_kernel() -> str:
    """Register this interpreter as the Jupyter kernel ``ltv-workbench`` (in ``sys.prefix``) if needed.

    Reports and ``make lab`` then run the same interpreter and library; a kernel named after a conda env
    or another Python can never be picked up by accident. The kernel logs only critical errors, so a report
    run is not drowned in the kernel's notices, nor an interrupted run in the tracebacks of a kernel shut
    down mid-cell (cell errors are in the executed notebook).
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--IPKernelApp.log_level=CRITICAL"]
    ksm = KernelSpecManager()
    try:
        if ksm.get_kernel_spec(KERNEL_NAME).argv == argv:
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    with tempfile.TemporaryDirectory() as tmp:
        spec = {"argv": argv, "display_name": "ltv-workbench (.venv)", "language": "python",
                "metadata": {"debugger": True}}
        Path(tmp, "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
        ksm.install_kernel_spec(tmp, KERNEL_NAME, prefix=sys.prefix, replace=True)
    return KERNEL_NAME


def write_figures(out_dir: str | Path, notebook: str, figures: dict[str, Any]) -> Path:
    """Save a notebook's key figures as JSON beside its report (read by index.html and tests).

    With ``LTV_PEAK_LOG`` set (``make bench``), also appends the kernel's peak memory so far to that file, one
    JSON line per page: the benchmark names the page behind a run's peak."""
    path = Path(out_dir) / f"{notebook}{FIGURES_SUFFIX}"
    atomic_write_text(path, json.dumps(figures, ensure_ascii=False, indent=2, default=str))
    if log := os.environ.get("LTV_PEAK_LOG"):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        with open(log, "a", encoding="utf-8") as fh:  # one short line per write: appends do not interleave
            fh.write(json.dumps({"page": notebook, "peak_mib": round(peak, 1)}) + "\n")
    return path


def read_figures(report_dir: str | Path) -> dict[str, dict[str, Any]]:
    """All key figures of a report folder, by notebook name."""
    out = {}
    for p in sorted(Path(report_dir).glob(f"*{FIGURES_SUFFIX}")):
        out[p.name[: -len(FIGURES_SUFFIX)]] = json.loads(p.read_text(encoding="utf-8"))
    return out


def notebook_html(ipynb: Path, audience: str, language: str = "en") -> str:
    """Self-contained HTML of an executed notebook: images inline; code and prompts hidden for clients.

    Widgets (ipywidgets) need a live kernel: in a page each is replaced by a note saying where to use it,
    and the widget loader nbconvert would fetch from a CDN is left out (pages open offline)."""
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    client = audience == "client"
    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = ("injected-parameters", "parameters") if client else ()
    c.TagRemovePreprocessor.remove_input_tags = ("hide-input",)
    exporter = HTMLExporter(config=c, template_name="lab")
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    exporter.exclude_input = client
    exporter.exclude_input_prompt = client
    exporter.exclude_output_prompt = client
    exporter.embed_images = True
    nb = nbformat.read(str(ipynb), as_version=4)
    nb.metadata.pop("widgets", None)
    note = {"text/markdown": f"*{label('widget_note', language)}*"}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "application/vnd.jupyter.widget-view+json" in out.get("data", {}):
                out["data"] = dict(note)
    for cell in nb.cells:  # papermill gives its injected cell a random id: the same run must give the same page
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    body, _ = exporter.from_notebook_node(nb)
    return _stable_ids(_strip_network_assets(body))


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _stable_ids(body: str) -> str:
    """Replace random element ids (plotly's uuid4 div ids) by ids numbered in page order."""
    seen: dict[str, str] = {}
    return _UUID.sub(lambda m: seen.setdefault(m.group(0), f"00000000-0000-4000-8000-{len(seen) + 1:012d}"), body)


def _strip_network_assets(body: str) -> str:
    """Drop what nbconvert's template would fetch from a CDN (require.js / MathJax tags, the Mermaid
    loader's dynamic ``import("https://...")``): reports must open offline and fetch nothing."""
    body = re.sub(r'<script[^>]+src="https?://[^"]*"[^>]*>\s*</script>', "", body)
    return re.sub(r"<script[^>]*>(?:(?!</script>).)*?import\(\s*[\"']https?://.*?</script>", "", body, flags=re.S)


RUN_FILE = "run.json"


@dataclass
class ShopRun:
    """Outcome of one shop's run. ``ok``: every notebook succeeded; ``failed``: notebook -> reason.

    ``report_dir`` is where the pages are: the report folder (complete, or partial when there was no
    complete report of that date to keep), or ``<as_of>.failed/`` next to a kept earlier report.
    """

    shop: str
    as_of: dt.date
    ok: bool
    report_dir: Path | None
    seconds: float
    notebooks: list[str] = field(default_factory=list)
    error: str | None = None
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def published(self) -> bool:
        """Whether ``report_dir`` is the report folder people open (not the diagnosis folder)."""
        return self.report_dir is not None and not self.report_dir.name.endswith(".failed")


def _index_html(params: ShopParams, as_of: dt.date, audience: str, notebooks: list[str],
                figures: dict[str, dict[str, Any]], failed: dict[str, str] | None = None) -> str:
    lang = params.language
    failed = failed or {}
    title = page_title(params, None)
    esc = html.escape
    items = []
    for nb in notebooks:
        name = figures.get(nb, {}).get("title") or label(f"page_{nb}", lang)
        if nb in failed:
            items.append(f'<li class="failed">{esc(name)} — {esc(label("page_failed", lang))}'
                         f"<br><small>{esc(failed[nb])}</small></li>")
            continue
        items.append(f'<li><a href="{esc(nb)}.html">{esc(name)}</a>'
                     + (f' <small>(<a href="{esc(nb)}.ipynb">{esc(label("notebook", lang))}</a>)</small>'
                        if audience == "analyst" else "") + "</li>")
    found = findings(figures, lang, params.currency, params.thresholds)
    points = "".join(f'<li>{esc(f.text)} <a href="{esc(f.page)}.html">{esc(label("open_page", lang))} →</a></li>'
                     for f in found) or f"<li>{esc(label('findings_none', lang))}</li>"
    groups, models = [], []
    for nb in notebooks:
        rows, model_rows = [], []
        for key, item in figures.get(nb, {}).get("key_figures", {}).items():
            shown = item.get("text", item.get("value")) if isinstance(item, dict) else item
            name = item.get("label", key) if isinstance(item, dict) else key
            row = f"<tr><th>{esc(str(name))}</th><td>{esc(str(shown))}</td></tr>"
            (model_rows if key in DIAGNOSTICS and audience == "client" else rows).append(row)
        page_name = esc(figures.get(nb, {}).get("title") or label(f"page_{nb}", lang))
        if rows:
            groups.append(f'<h3><a href="{esc(nb)}.html">{page_name}</a></h3><table>{"".join(rows)}</table>')
        if model_rows:
            models.append(f'<h3>{page_name}</h3><table>{"".join(model_rows)}</table>')
    about = (f'<details class="ltv-models"><summary>{esc(label("about_models", lang))}</summary>{"".join(models)}'
             "</details>") if models else ""
    prepared = params.report.get("branding", {}).get("prepared_by")
    notice = (f'<p class="notice">{esc(label("report_incomplete", lang).format(n=len(failed)))}</p>'
              if failed else "")
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>{style(params)}</head>
<body>{header(params, as_of, notebooks, None, frozenset(failed))}<div class="ltv-page"><h1>{esc(title)}</h1>
<p>{esc(label("as_of", lang))}: {as_of.isoformat()}{(" · " + esc(prepared)) if prepared else ""}</p>
{notice}<h2>{esc(label("findings", lang))}</h2><ol class="ltv-findings">{points}</ol>
<h2>{esc(label("reports", lang))}</h2><ul>{"".join(items)}</ul>
<h2>{esc(label("key_figures", lang))}</h2>{"".join(groups)}{about}
</div></body></html>
"""


_LEFTOVER = re.compile(r"^\.(?P<report>.+)\.(?P<kind>partial|old)-(?P<pid>\d+)(?:-.*)?$")
_LEGACY_AGE = 24 * 3600  # seconds after which a partial folder without a process id (older runs) counts as stale


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (ours always does)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale(shop_dir: Path) -> list[Path]:
    """Clear what killed runs left in ``reports/<shop>/``; returns the folders removed or put back.

    ``.<as_of>.partial-<pid>-*`` of a process that no longer exists is removed (without a process id,
    from older versions: once a day old). ``.<as_of>.old-<pid>`` is an earlier report a run was swapping
    out when it died: put back if its report folder is missing, else removed. A process id reused since
    only keeps a folder until the next run.
    """
    done = []
    for path in sorted(shop_dir.glob(".*")) if shop_dir.is_dir() else []:
        m = _LEFTOVER.match(path.name)
        if not path.is_dir():
            continue
        if m is None:
            legacy = re.match(r"^\.\d{4}-\d{2}-\d{2}\.partial-", path.name)
            if not legacy or time.time() - path.stat().st_mtime < _LEGACY_AGE:
                continue
        elif _alive(int(m["pid"])):
            continue
        report = shop_dir / m["report"] if m else None
        if m and m["kind"] == "old" and not report.exists():
            os.replace(path, report)
        else:
            shutil.rmtree(path, ignore_errors=True)
        done.append(path)
    return done


def _is_complete(report_dir: Path) -> bool:
    """Whether a report folder holds a complete run (folders from before run records count as complete)."""
    if not report_dir.is_dir():
        return False
    record = report_dir / RUN_FILE
    if not record.is_file():
        return True
    try:
        return bool(json.loads(record.read_text(encoding="utf-8")).get("complete"))
    except ValueError:
        return False


def run_shop(
    params: ShopParams,
    as_of: dt.date,
    *,
    audience: str | None = None,
    notebooks: Iterable[str] | None = None,
    reports_root: Path = PROJECT_ROOT / "reports",
    progress: Callable[[str], None] = lambda msg: None,
    jobs: int | None = None,
    fingerprint: dict[str, Any] | None = None,
) -> ShopRun:
    """Execute the shop's notebooks for ``as_of`` into ``reports_root/<shop>/<as_of>/`` atomically.

    Each notebook runs on its own: one that fails is listed on the index with its reason and the others
    go on. A complete run replaces the report of that date; an incomplete one is published only where
    there is no complete report of that date to keep, else it goes to ``<as_of>.failed/`` beside it.
    Either way the failed notebooks are kept (executed, with their error) for diagnosis. ``jobs`` notebooks
    run at once, each in its own kernel (default: params ``report.jobs``, else one per core, at most 2).
    ``fingerprint`` (what the run was made from: params, store data version; see ``ltvlib.batch``) is kept in
    ``run.json``, so a batch can tell a report that is still up to date.
    """
    import papermill as pm

    audience = audience or params.report.get("audience", "client")
    names = list(notebooks or params.report.get("notebooks", ["rfm"]))
    known = {p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")}
    unknown = [nb for nb in names if nb not in known]
    if unknown:
        raise FileNotFoundError(f"no notebook {', '.join(map(repr, unknown))} in {NOTEBOOKS_DIR} "
                                f"(known: {', '.join(sorted(known))})")
    final = Path(reports_root).resolve() / params.shop / as_of.isoformat()  # notebooks run in notebooks/
    final.parent.mkdir(parents=True, exist_ok=True)
    for path in remove_stale(final.parent):
        progress(f"[{params.shop}] removed what an interrupted run left: {path.name}")
    work = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{as_of.isoformat()}.partial-{os.getpid()}-"))
    os.chmod(work, 0o755)
    from ltvlib.context import SHARE_DIR

    (work / SHARE_DIR).mkdir()  # what the run's kernels compute once and share (removed before publishing)
    started = time.perf_counter()
    failed: dict[str, str] = {}
    record: dict[str, Any] = {"shop": params.shop, "as_of": as_of.isoformat(), "audience": audience, "notebooks": {}}
    if fingerprint is not None:
        record["fingerprint"] = fingerprint
    try:
        kernel = ensure_kernel()
        timeout = int(params.report.get("execution_timeout", 1800))
        done = {nb: threading.Event() for nb in names}

        def execute(nb: str) -> None:
            for first in AFTER.get(nb, ()):  # a page that reuses another's result of this run waits for it
                if first in done:
                    done[first].wait()
            t0 = time.perf_counter()
            progress(f"[{params.shop}] {nb}: running")
            out_nb = work / f"{nb}.ipynb"
            try:
                _execute(pm, NOTEBOOKS_DIR / f"{nb}.ipynb", out_nb, kernel, timeout,
                         {"shop": str(params.path), "as_of": as_of.isoformat(), "audience": audience,
                          "out_dir": str(work)})
                page = frame_page(notebook_html(out_nb, audience, params.language), params, as_of, names, nb).replace(str(work), str(final))
                atomic_write_text(work / f"{nb}.html", page)
            except Exception as e:  # one page's failure must not cost the others
                failed[nb] = f"{type(e).__name__}: {_short(e)}"
                (work / f"{nb}.html").unlink(missing_ok=True)
                (work / f"{nb}{FIGURES_SUFFIX}").unlink(missing_ok=True)
                progress(f"[{params.shop}] {nb}: FAILED ({failed[nb][:200]})")
            else:
                progress(f"[{params.shop}] {nb}: done in {time.perf_counter() - t0:.1f}s")
            finally:
                done[nb].set()

        _run_all(execute, _schedule(names), jobs or params.report.get("jobs") or _default_jobs(),
                 ready=lambda nb: all(done[first].is_set() for first in AFTER.get(nb, ()) if first in done))
        shutil.rmtree(work / SHARE_DIR, ignore_errors=True)
        for nb in names:
            record["notebooks"][nb] = {"ok": nb not in failed, "error": failed.get(nb)}
        figures = read_figures(work)
        atomic_write_text(work / "index.html", _index_html(params, as_of, audience, names, figures, failed))
        record["complete"] = not failed
        atomic_write_text(work / RUN_FILE, json.dumps(record, ensure_ascii=False, indent=2))
    except BaseException as e:
        if not isinstance(e, Exception):  # interrupted: leave no partial folder, keep earlier results
            shutil.rmtree(work, ignore_errors=True)
            raise
        failed.setdefault("*", f"{type(e).__name__}: {_short(e)}")
        shutil.rmtree(work / SHARE_DIR, ignore_errors=True)
        return _keep_failed(params, as_of, work, final, names, failed, started)
    if failed and _is_complete(final):
        return _keep_failed(params, as_of, work, final, names, failed, started)
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        os.replace(final, old)
    os.replace(work, final)
    shutil.rmtree(old, ignore_errors=True)
    if not failed:
        shutil.rmtree(final.with_name(final.name + ".failed"), ignore_errors=True)
    return ShopRun(params.shop, as_of, not failed, final, time.perf_counter() - started, names,
                   error=_summary(failed), failed=failed)


# A page that reads another page's result of the same run (the win-back page reuses the CLV page's model
# choice, the cohorts page its fit for the predicted LTV:CAC) runs after it; pages otherwise run in any order, the
# heaviest first so that parallel runs end together.
AFTER = {"winback": ("clv",), "cohorts": ("clv",)}
HEAVIEST_FIRST = ("journey", "clv", "segments", "winback", "cohorts", "rfm")


def _default_jobs() -> int:
    """Notebooks run at once by default: one per core, at most 2 (each kernel of a 1M-customer shop peaks near
    4 GiB; more at once mostly adds memory)."""
    return max(1, min(2, os.cpu_count() or 1))


def _schedule(names: list[str]) -> list[str]:
    """The order notebooks start in: the heaviest first, every page after those it waits for."""
    rank = {nb: i for i, nb in enumerate(HEAVIEST_FIRST)}
    order = sorted(names, key=lambda nb: (rank.get(nb, len(rank)), names.index(nb)))
    out: list[str] = []
    for nb in order:  # move a page that waits for another behind it
        for first in AFTER.get(nb, ()):
            if first in order and first not in out:
                out.append(first)
        if nb not in out:
            out.append(nb)
    return out


def _run_all(execute: Callable[[str], None], order: list[str], jobs: int,
             ready: Callable[[str], bool] = lambda nb: True) -> None:
    """Run ``execute`` for every notebook, ``jobs`` at a time (each in its own kernel process).

    A free worker takes the first notebook in ``order`` that is ``ready`` (the pages it waits for are done), so
    a page waiting for the CLV page does not hold a worker while another page could run. Workers are daemon
    threads: when the run is interrupted (Ctrl-C, SIGTERM) the main thread leaves at once, no further notebook
    starts, and the kernels still running end with this process (a Jupyter kernel exits when its parent does)."""
    if jobs <= 1:
        for nb in order:
            execute(nb)
        return
    pending = list(order)
    lock = threading.Lock()
    stop = threading.Event()

    def take() -> str | None:
        while not stop.is_set():
            with lock:
                if not pending:
                    return None
                nb = next((nb for nb in pending if ready(nb)), None)
                if nb is not None:
                    pending.remove(nb)
                    return nb
            time.sleep(0.1)  # every pending page waits for one still running
        return None

    def work() -> None:
        while (nb := take()) is not None:
            execute(nb)

    threads = [threading.Thread(target=work, name=f"notebook-{i}", daemon=True) for i in range(jobs)]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.2)  # short waits keep the main thread responsive to signals
    except BaseException:
        stop.set()
        raise


def _execute(pm: Any, src: Path, out: Path, kernel: str, timeout: int, parameters: dict[str, str]) -> None:
    """One notebook through Papermill. Notebooks take absolute paths, so no working directory is set (it is
    process-wide, and parallel kernels would race on it); a kernel that fails to start (a port taken by
    another kernel starting at the same moment, a start-up timeout) is started once more."""
    for attempt in (1, 2):
        try:
            pm.execute_notebook(str(src), str(out), parameters=parameters, kernel_name=kernel,
                                execution_timeout=timeout, progress_bar=False, log_output=False)
            return
        except pm.PapermillExecutionError:
            raise  # a cell failed: running it again gives the same
        except Exception:
            if attempt == 2:
                raise


def _keep_failed(params: ShopParams, as_of: dt.date, work: Path, final: Path, names: list[str],
                 failed: dict[str, str], started: float) -> ShopRun:
    """Move a run that must not replace the report of that date to ``<as_of>.failed/``."""
    target = final.with_name(final.name + ".failed")
    shutil.rmtree(target, ignore_errors=True)
    os.replace(work, target)
    return ShopRun(params.shop, as_of, False, target, time.perf_counter() - started, names,
                   error=_summary(failed), failed=failed)


def _summary(failed: dict[str, str]) -> str | None:
    return "; ".join(f"{nb}: {why}" if nb != "*" else why for nb, why in failed.items()) or None


def _short(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    # papermill's message ends with the exception line of the failing cell: that is the useful part
    tail = [t for t in text if t.strip()][-3:]
    return " ".join(tail)[:600]
