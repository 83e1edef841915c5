"""Long work off the request path: matching, optimisation and park planning run as
background jobs with progress and a cancel button.

A job reads the store without the app's lock (the stores give consistent reads), works,
and takes the lock only to commit. Pages never wait on a job: the job page shows its
phase and time, refreshes itself while the job runs and leads to the result when done.
Jobs live in the server process (the last :data:`KEEP` of them).
"""

from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from optimizer import SolveInterrupter
from symbiosis.errors import SymbiosisError

from .auth import login_required
from .i18n import gettext

__all__ = ["Job", "Jobs", "start", "bp", "api_view", "init_app", "wait"]

KEEP = 100
bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@dataclass
class Job:
    id: str
    kind: str  # "match" | "plan" | "park"
    owner: int
    title: str
    state: str = "queued"  # queued | running | done | failed | cancelled
    phase: str = ""
    started: float = field(default_factory=time.time)
    finished: float | None = None
    #: seconds the solver may take, for the progress bar
    limit_s: float | None = None
    #: the result to show: ("plan", plan_id), ("candidates", count) or ("park", ParkPlan)
    result: Any = None
    error: str = ""
    #: the error as a message code with its parameters, said in the reader's language
    reason: Any = None
    interrupter: SolveInterrupter = field(default_factory=SolveInterrupter)
    cancelled: threading.Event = field(default_factory=threading.Event)

    @property
    def running(self) -> bool:
        return self.state in ("queued", "running")

    @property
    def elapsed_s(self) -> float:
        return (self.finished or time.time()) - self.started

    @property
    def progress(self) -> float:
        """0 to 1: the share of the time limit used while solving, 1 when finished."""
        if not self.running:
            return 1.0
        if self.limit_s:
            return min(0.95, self.elapsed_s / self.limit_s)
        return 0.0


class Jobs:
    def __init__(self, workers: int = 2):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def submit(self, kind: str, owner: int, title: str, work: Callable[[Job], Any], *,
               limit_s: float | None = None) -> Job:
        job = Job(id=f"{kind}-{int(time.time())}-{next(self._ids)}", kind=kind, owner=owner,
                  title=title, limit_s=limit_s)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].running:
                    break
                self._jobs.popitem(last=False)

        def run() -> None:
            if job.cancelled.is_set():
                job.state, job.finished = "cancelled", time.time()
                return
            job.state = "running"
            try:
                job.result = work(job)
                job.state = "cancelled" if job.cancelled.is_set() else "done"
            except SymbiosisError as exc:
                job.state = "cancelled" if job.cancelled.is_set() else "failed"
                job.error = "" if job.cancelled.is_set() else str(exc)
                job.reason = getattr(exc, "reason", None)
            except Exception as exc:  # a job's failure is shown on its page
                job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
            finally:
                job.finished = time.time()

        self._pool.submit(run)
        return job

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def cancel(self, job: Job) -> None:
        job.cancelled.set()
        job.interrupter.interrupt()

    def shutdown(self) -> None:
        for job in list(self._jobs.values()):
            if job.running:
                self.cancel(job)
        self._pool.shutdown(wait=True)


def init_app(app: Flask) -> None:
    app.extensions["symbiosis_jobs"] = Jobs(workers=app.config.get("JOB_WORKERS", 2))


def _jobs() -> Jobs:
    return current_app.extensions["symbiosis_jobs"]  # type: ignore[no-any-return]


def start(kind: str, title: str, work: Callable[[Job], Any], *,
          limit_s: float | None = None) -> Job:
    """Run ``work(job)`` in the background for the signed-in user."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def in_app(job: Job) -> Any:
        with app.app_context():
            return work(job)

    return _jobs().submit(kind, g.user.id, title, in_app, limit_s=limit_s)


def wait(job: Job, timeout_s: float) -> None:
    """Block until ``job`` ends (API callers that ask to wait); the lock is not held."""
    deadline = time.monotonic() + timeout_s
    while job.running and time.monotonic() < deadline:
        time.sleep(0.05)


def own_job(job_id: str) -> Job:
    job = _jobs().get(job_id)
    if job is None or (job.owner != g.user.id and g.access.role != "admin"):
        abort(404, description=gettext("no job {id}").format(id=job_id))
    return job


def result_url(job: Job) -> str | None:
    if job.state != "done":
        return None
    if job.kind == "plan":
        return url_for("optimize.plan", plan_id=job.result)
    if job.kind == "match":
        return url_for("candidates.index")
    return None


def api_view(job: Job) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "state": job.state, "phase": job.phase,
            "progress": round(job.progress, 3), "elapsed_s": round(job.elapsed_s, 2),
            "error": job.error or None,
            "status_url": url_for("api.job", job_id=job.id)}


@bp.get("/<job_id>")
@login_required
def show(job_id: str) -> Any:
    job = own_job(job_id)
    target = result_url(job)
    if target is not None:
        return redirect(target)
    if job.kind == "park" and job.state == "done":
        from .parks import park_result_page

        return park_result_page(job.result)
    return render_template("job.html", job=job, refresh=job.running)


@bp.post("/<job_id>/cancel")
@login_required
def cancel(job_id: str) -> Any:
    job = own_job(job_id)
    if job.running:
        _jobs().cancel(job)
    return redirect(url_for("jobs.show", job_id=job.id))


def api_cancel(job_id: str) -> Any:
    job = own_job(job_id)
    if job.running:
        _jobs().cancel(job)
    return jsonify(api_view(job))


def phase(job: Job, text: str) -> None:
    """Say what the job does now; stop quietly when it was cancelled."""
    job.phase = text
    if job.cancelled.is_set():
        raise _Cancelled


class _Cancelled(SymbiosisError):
    pass


def request_wait() -> float | None:
    """The seconds an API caller asked to wait for the job (``"wait": true`` or seconds)."""
    body = request.get_json(silent=True) or {}
    raw = body.get("wait") if isinstance(body, dict) else None
    if raw is True:
        return float(current_app.config["OPTIMIZE_MAX_SECONDS"]) + 30
    if isinstance(raw, int | float) and not isinstance(raw, bool) and raw > 0:
        return float(raw)
    return None
