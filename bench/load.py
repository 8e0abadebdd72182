"""Saving answers under load: 16 clients against gunicorn on loopback, beside a bare route.

Each client is a thread with its own ``requests`` session, signed in as an auditor with cases
of its own (no two clients save to one case). Both servers run with the same gunicorn settings
on the same database kind; a bounded number of requests per client, with a time limit.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench.dataset import QUESTIONS
from bench.report import Row, blocked

ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
GUNICORN = [
    "--workers",
    "4",
    "--worker-class",
    "gthread",
    "--threads",
    "4",
    "--backlog",
    "256",
    "--preload",  # import the app once, before forking: starts in a quarter of the time
    "--log-level",
    "warning",
]
CLIENTS = 16
P95_TARGET = 0.030
THROUGHPUT_TARGET = 0.60
SAVE_ROUTE = "/audit/cases/<int:case_id>/answers/<question_id>"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app_spec: str, env: dict[str, str], log: Path) -> Iterator[str]:
    """Run gunicorn on a free loopback port until the block ends; yield its base URL."""
    port = free_port()
    with log.open("ab") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own fixed command line
            [
                str(Path(sys.executable).with_name("gunicorn")),
                *GUNICORN,
                "--bind",
                f"127.0.0.1:{port}",
                app_spec,
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log_file,
            stderr=log_file,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {app_spec} exited: see {log}")
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {app_spec} did not start: see {log}")
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class LoadResult:
    """Latencies of the successful requests, failures, and the wall time of the whole run."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def percentile(self, p: float) -> float | None:
        """The p-th percentile latency (nearest rank); None when no request succeeded."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def throughput(self) -> float:
        """Successful requests per second over the run."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0


Client = Callable[[requests.Session, int], tuple[str, dict[str, Any], dict[str, str]]]


def run_load(
    sessions: list[requests.Session],
    request_for: Callable[[int, int], tuple[str, dict[str, Any], dict[str, str]]],
    after: Callable[[int, int, requests.Response], None],
    requests_per_client: int,
    time_limit: float,
    warmup: int = 5,
) -> LoadResult:
    """Each session posts ``requests_per_client`` JSON requests (after ``warmup`` untimed ones).

    ``request_for(client, n)`` gives the URL, JSON body and headers of a client's n-th request;
    ``after`` sees each response (to follow versions). All clients start together.
    """
    result = LoadResult()
    lock = threading.Lock()
    barrier = threading.Barrier(len(sessions) + 1)

    def client(index: int) -> None:
        session = sessions[index]
        try:
            for n in range(warmup):
                url, body, headers = request_for(index, n)
                after(index, n, session.post(url, json=body, headers=headers, timeout=30))
        except Exception as error:  # a failed warm-up is reported, the run goes on
            with lock:
                result.failures.append(f"warm-up {type(error).__name__}: {error}")
        try:
            barrier.wait(timeout=300)
        except threading.BrokenBarrierError:
            return
        deadline = time.monotonic() + time_limit
        for n in range(warmup, warmup + requests_per_client):
            if time.monotonic() > deadline:
                break
            url, body, headers = request_for(index, n)
            start = time.perf_counter()
            try:
                response = session.post(url, json=body, headers=headers, timeout=30)
            except requests.RequestException as error:
                with lock:
                    result.failures.append(type(error).__name__)
                continue
            elapsed = time.perf_counter() - start
            with lock:
                if response.status_code == 200:
                    result.latencies.append(elapsed)
                else:
                    result.failures.append(f"{response.status_code}")
            after(index, n, response)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(sessions))]
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=300)
    except threading.BrokenBarrierError:
        result.failures.append("clients did not all start within 300 s")
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - start
    return result


def sign_in(base: str, email: str, password: str) -> tuple[requests.Session, str]:
    """A session signed in through the sign-in form, and a CSRF token for its next posts."""
    session = requests.Session()
    page = session.get(f"{base}/auth/login", timeout=30).text
    token = CSRF_RE.search(page)
    assert token, "no CSRF token on the sign-in page"
    response = session.post(
        f"{base}/auth/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, f"sign-in of {email} answered {response.status_code}"
    home = CSRF_RE.search(session.get(f"{base}/", timeout=30).text)
    assert home, "no CSRF token on the home page"
    return session, home.group(1)


def _rows(name: str, app: LoadResult, bare: LoadResult, note: str) -> list[Row]:
    if not app.latencies or not bare.latencies:
        failed = "app" if not app.latencies else "bare route"
        reason = f"no {failed} request succeeded: {sorted(set(app.failures + bare.failures))[:5]}"
        return [blocked(f"{name}: p95 latency", "s", reason, target_max=P95_TARGET)]
    rows = [
        Row(
            f"{name}: p50 latency",
            app.percentile(50),
            "s",
            floor=bare.percentile(50),
            note=note,
        ),
        Row(
            f"{name}: p95 latency",
            app.percentile(95),
            "s",
            floor=bare.percentile(95),
            target_max=P95_TARGET,
        ),
        Row(f"{name}: p99 latency", app.percentile(99), "s", floor=bare.percentile(99)),
        Row(
            f"{name}: throughput",
            app.throughput,
            "req/s",
            floor=bare.throughput,
            target_min_ratio=THROUGHPUT_TARGET,
        ),
    ]
    return rows


def measure_bare(
    bare_url: str, log: Path, requests_per_client: int, time_limit: float
) -> LoadResult:
    """The floor: 16 clients posting to the bare route, one row per request."""
    from bench.bare_app import create_table

    create_table(bare_url)
    with serve("bench.bare_app:app", {"BENCH_BARE_DATABASE_URL": bare_url}, log) as base:
        sessions = [requests.Session() for _ in range(CLIENTS)]

        def request_for(client: int, n: int) -> tuple[str, dict[str, Any], dict[str, str]]:
            body = {"case_id": client, "question_code": f"BQ{n % 40:02d}", "value": "yes"}
            return f"{base}/rows", body, {}

        return run_load(sessions, request_for, lambda *_: None, requests_per_client, time_limit)


def _stored_answers(
    app: Any, assignments: list[tuple[str, list[int]]]
) -> dict[tuple[int, int, str], str | None]:
    """What each client sees on its cases before it saves: the answers stored now."""
    from sqlalchemy import select

    from auditapp.extensions import db
    from auditapp.models import Answer

    client_of = {case_id: n for n, (_, cases) in enumerate(assignments) for case_id in cases}
    with app.app_context():
        rows = db.session.execute(
            select(Answer.case_id, Answer.question_code, Answer.value).where(
                Answer.case_id.in_(client_of), Answer.audit_round == 1
            )
        ).all()
        db.session.remove()
    return {(client_of[case_id], case_id, code): value for case_id, code, value in rows}


def _save_endpoint(app: Any) -> str | None:
    for rule in app.url_map.iter_rules():
        if (
            rule.rule.startswith("/audit/cases/")
            and "POST" in (rule.methods or ())
            and set(rule.arguments) == {"case_id", "question_id"}
            and "answer" in rule.rule
        ):
            return rule.endpoint
    return None


@contextmanager
def _counting_statements() -> Iterator[list[int]]:
    """Count SQL statements on every engine inside the block (BEGIN/COMMIT excluded)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    count = [0]

    def listener(*_: Any) -> None:
        count[0] += 1

    event.listen(Engine, "before_cursor_execute", listener)
    try:
        yield count
    finally:
        event.remove(Engine, "before_cursor_execute", listener)


def measure_in_process(
    app: Any, endpoint: str, bare_url: str, assignment: tuple[str, list[int]], saves: int = 200
) -> list[Row]:
    """One save at a time through the Flask test client, beside the bare route's one row.

    No server, no other clients: the time and SQL statements the save itself costs. This is
    the evidence for the load figures: with two cores shared by the clients and the server,
    throughput follows the CPU time of a request.
    """
    from flask import url_for

    from bench.bare_app import create_app as bare_app
    from bench.pages import signed_in

    email, cases = assignment
    client = signed_in(app, email)
    token = CSRF_RE.search(client.get("/").get_data(as_text=True))
    assert token, "no CSRF token on the home page"
    state = {(c, q): v for (_, c, q), v in _stored_answers(app, [assignment]).items()}
    questions = [f"BQ{n:02d}" for n in range(5, QUESTIONS - 2) if n % 9 != 0]
    versions: dict[int, int] = {}
    with app.test_request_context():
        urls = {
            (c, q): url_for(endpoint, case_id=c, question_id=q) for c in cases for q in questions
        }

    def save(n: int) -> None:
        case_id, question = cases[n % len(cases)], questions[(n // len(cases)) % len(questions)]
        seen = state.get((case_id, question))
        value = "no" if seen == "yes" else "yes"
        response = client.post(
            urls[(case_id, question)],
            json={"value": value, "base_value": seen, "base_version": versions.get(case_id)},
            headers={"X-CSRFToken": token.group(1)},
        )
        if response.status_code != 200:
            raise RuntimeError(f"save answered {response.status_code}: {response.get_data()!r}")
        body = response.get_json()
        state[(case_id, question)] = value
        versions[case_id] = body["version"]

    bare = bare_app(bare_url).test_client()

    def bare_row(n: int) -> None:
        bare.post("/rows", json={"case_id": 0, "question_code": f"BQ{n % 40:02d}", "value": "y"})

    figures = {}
    for label, func in (("app", save), ("bare", bare_row)):
        for n in range(10):
            func(n)
        times = []
        with _counting_statements() as count:
            for n in range(10, 10 + saves):
                start = time.perf_counter()
                func(n)
                times.append(time.perf_counter() - start)
        figures[label] = (statistics.median(times), count[0] / saves)
    note = f"{saves} saves one after another, Flask test client; floor: the bare route's one row"
    return [
        Row(
            "save answer, one at a time: time per save",
            figures["app"][0],
            "s",
            floor=figures["bare"][0],
            note=note,
        ),
        Row(
            "save answer, one at a time: SQL statements per save",
            figures["app"][1],
            "statements",
            floor=figures["bare"][1],
        ),
    ]


def measure(
    app: Any,
    database_url: str,
    bare_url: str,
    assignments: list[tuple[str, list[int]]],
    password: str,
    workdir: Path,
    requests_per_client: int,
    time_limit: float,
) -> list[Row]:
    """Answer saves under load against the bare route; p50/p95/p99 and throughput."""
    kind = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    log = ROOT / "artifacts" / f"gunicorn-{kind}.log"  # kept: errors under load are findings
    log.parent.mkdir(exist_ok=True)
    log.write_text("", encoding="utf-8")
    name = f"save answer, {CLIENTS} clients"
    bare = measure_bare(bare_url, log, requests_per_client, time_limit)
    endpoint = _save_endpoint(app)
    if endpoint is None:
        reason = f"no POST {SAVE_ROUTE} route yet (bare floor measured)"
        rows = [
            blocked(f"{name}: p50 latency", "s", reason),
            blocked(f"{name}: p95 latency", "s", reason, target_max=P95_TARGET),
            blocked(f"{name}: p99 latency", "s", reason),
            blocked(f"{name}: throughput", "req/s", reason, target_min_ratio=THROUGHPUT_TARGET),
        ]
        for row, floor in zip(
            rows,
            [bare.percentile(50), bare.percentile(95), bare.percentile(99), bare.throughput],
            strict=True,
        ):
            row.floor = floor
        return rows

    from flask import url_for

    with serve("bench.wsgi_app:app", {"BENCH_DATABASE_URL": database_url}, log) as base:
        signed = [sign_in(base, email, password) for email, _ in assignments]
        sessions = [s for s, _ in signed]
        tokens = [t for _, t in signed]
        # Yes/no questions shown whatever the other answers, not critical (BQ05-BQ37).
        questions = [f"BQ{n:02d}" for n in range(5, QUESTIONS - 2) if n % 9 != 0]
        state = _stored_answers(app, assignments)
        versions: dict[int, int | None] = {}
        with app.test_request_context():
            urls = {
                (case_id, q): url_for(endpoint, case_id=case_id, question_id=q)
                for _, cases in assignments
                for case_id in cases
                for q in questions
            }

        def target(client: int, n: int) -> tuple[int, str]:
            cases = assignments[client][1]
            return cases[n % len(cases)], questions[(n // len(cases)) % len(questions)]

        def request_for(client: int, n: int) -> tuple[str, dict[str, Any], dict[str, str]]:
            case_id, question = target(client, n)
            seen = state.get((client, case_id, question))
            value = "no" if seen == "yes" else "yes"
            body = {
                "value": value,
                "base_value": seen,
                "base_version": versions.get(case_id),
            }
            headers = {"X-CSRFToken": tokens[client], "Accept": "application/json"}
            return f"{base}{urls[(case_id, question)]}", body, headers

        def after(client: int, n: int, response: requests.Response) -> None:
            case_id, question = target(client, n)
            if response.status_code == 200:
                data = response.json()
                state[(client, case_id, question)] = data.get("answer", {}).get("value")
                version = data.get("version")
                if version is not None:
                    versions[case_id] = version

        app_result = run_load(sessions, request_for, after, requests_per_client, time_limit)
    note = (
        f"{len(app_result.latencies)} saves in {app_result.seconds:.1f} s "
        f"({len(app_result.failures)} failed: {sorted(set(app_result.failures))[:5]}); "
        f"floor: bare route, {len(bare.latencies)} rows in {bare.seconds:.1f} s; gunicorn "
        f"{' '.join(GUNICORN[:6])}"
    )
    return _rows(name, app_result, bare, note) + measure_in_process(
        app, endpoint, bare_url, assignments[0]
    )
