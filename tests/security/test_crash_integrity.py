"""Integrity under faults: gunicorn on a SQLite file is SIGKILLed in the middle of a burst of
saves and submissions; afterwards the database is intact, every acknowledged save is there, and
no submission is half-stored.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from cryptography.fernet import Fernet
from flask_migrate import upgrade

from auditapp import create_app
from auditapp.extensions import db
from auditapp.models import InspectionRole
from config import TestConfig
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Every question shown when no child is involved, all met.
COMPLETE = factories.GOOD_DOMESTIC_ABUSE_ANSWERS
NOTE_QUESTIONS = ("DA02", "DA04", "DA10")  # one writer thread each
READY_CASES = 10


class Browser:
    """A minimal HTTP client that keeps its session cookie (Secure or not) and CSRF token."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""
        self.token = ""

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            all_headers = {"Cookie": self.cookie, **(headers or {})}
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            text = response.read().decode()
            head = {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()
        if "set-cookie" in head:
            self.cookie = head["set-cookie"].split(";", 1)[0]
        match = CSRF_RE.search(text)
        if match:
            self.token = match.group(1)
        return response.status, head, text

    def form(self, path: str, data: dict[str, str]) -> int:
        body = urlencode({"csrf_token": self.token, **data}).encode()
        status, _, _ = self.send(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        return status

    def json(self, path: str, data: dict[str, Any]) -> int:
        status, _, _ = self.send(
            "POST",
            path,
            json.dumps(data).encode(),
            {"Content-Type": "application/json", "X-CSRFToken": self.token},
        )
        return status


@dataclass
class Ledger:
    """What the clients were told: saves and submissions acknowledged, and ones in flight."""

    acked_notes: dict[str, list[str]] = field(default_factory=dict)
    in_flight: dict[str, str] = field(default_factory=dict)
    acked_submissions: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def prepared_database(tmp_path: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """A migrated SQLite file with an auditor, a draft case to save into, cases ready to submit."""
    path = tmp_path / "crash.sqlite"

    class _Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"

    application = create_app(_Config)
    with application.app_context():
        upgrade()
        inspection = factories.make_inspection("Review 2022")
        auditor = factories.make_member(inspection, "auditor@example.test", InspectionRole.AUDITOR)
        draft = factories.make_case(inspection, "SAVES", auditor=auditor, answers=COMPLETE)
        ready = [
            factories.make_case(inspection, f"READY-{n}", auditor=auditor, answers=COMPLETE).id
            for n in range(READY_CASES)
        ]
        facts = {"email": auditor.email, "draft": draft.id, "ready": ready}
        db.session.remove()
        db.engine.dispose()
    yield path, facts


def _start_server(path: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AUDITAPP_ENV": "production",
        "SECRET_KEY": "crash-test-" + "k" * 40,
        "SECOND_FACTOR_KEY": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{path}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    env.pop("REDIS_URL", None)
    return subprocess.Popen(  # noqa: S603 - a fixed command, no shell
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches every worker
    )


def _wait_until_up(port: int) -> dict[str, str]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, headers, _ = Browser(port).send("GET", "/healthz")
            if status == 200:
                return headers
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not start within 60 seconds")


def _sign_in(port: int, email: str) -> Browser:
    browser = Browser(port)
    browser.send("GET", "/auth/login")
    status = browser.form("/auth/login", {"email": email, "password": factories.PASSWORD})
    assert status == 302, status
    browser.send("GET", "/auth/password")  # a page with a form: a token for this session
    return browser


def _save_notes(port: int, browser: Browser, case_id: int, code: str, ledger: Ledger) -> None:
    previous = None
    for number in range(10_000):
        note = f"{code}-note-{number}"
        with ledger.lock:
            ledger.in_flight[code] = note
        try:
            status = browser.json(
                f"/audit/cases/{case_id}/answers/{code}",
                {"note": note, "base_version": None, "base_note": previous},
            )
        except OSError:
            return  # the server is gone
        if status == 200:
            previous = note
            with ledger.lock:
                ledger.acked_notes.setdefault(code, []).append(note)


def _submit(browser: Browser, ready: list[int], ledger: Ledger) -> None:
    for case_id in ready:
        try:
            status = browser.form(f"/audit/cases/{case_id}/submit", {"grade_choice": "computed"})
        except OSError:
            return
        if status == 302:
            with ledger.lock:
                ledger.acked_submissions.append(case_id)
        time.sleep(0.05)


@pytest.mark.slow
def test_sigkill_during_a_burst_of_saves_loses_nothing_acknowledged(
    prepared_database: tuple[Path, dict[str, Any]],
) -> None:
    path, facts = prepared_database
    port = _free_port()
    server = _start_server(path, port)
    ledger = Ledger()
    try:
        headers = _wait_until_up(port)
        assert headers.get("server") == "gunicorn"  # no version, no Python, no Werkzeug
        browsers = [_sign_in(port, facts["email"]) for _ in range(len(NOTE_QUESTIONS) + 1)]
        threads = [
            threading.Thread(target=_save_notes, args=(port, b, facts["draft"], code, ledger))
            for b, code in zip(browsers, NOTE_QUESTIONS, strict=False)
        ]
        threads.append(
            threading.Thread(target=_submit, args=(browsers[-1], facts["ready"], ledger))
        )
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with ledger.lock:
                saves = sum(len(notes) for notes in ledger.acked_notes.values())
                submitted = len(ledger.acked_submissions)
            if saves >= 30 and submitted >= 3:
                break
            time.sleep(0.05)
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # mid-burst: no shutdown, no flush, no goodbye
        server.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=30)
    assert sum(len(n) for n in ledger.acked_notes.values()) >= 10, "too few saves before the kill"
    assert ledger.acked_submissions, "no submission before the kill"

    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        for code, notes in ledger.acked_notes.items():
            stored = connection.execute(
                "SELECT note FROM answer WHERE case_id = ? AND question_code = ? "
                "AND audit_round = 1",
                (facts["draft"], code),
            ).fetchone()[0]
            # The last acknowledged note, or the one in flight when the server died.
            assert stored in (notes[-1], ledger.in_flight.get(code)), (code, stored, notes[-3:])
            logged = {
                row[0]
                for row in connection.execute(
                    # A note is free text: the event keeps its key, the text is in free_text.
                    "SELECT free_text.body FROM audit_event "
                    "JOIN free_text ON free_text.key = audit_event.new_text_key "
                    "WHERE case_id = ? AND field = ? AND action = 'change_note'",
                    (facts["draft"], code),
                )
            }
            assert set(notes) <= logged, f"acknowledged saves of {code} missing from the log"
        for case_id in facts["ready"]:
            status, submitted_at, grade = connection.execute(
                'SELECT status, submitted_at, computed_grade FROM "case" WHERE id = ?', (case_id,)
            ).fetchone()
            events = connection.execute(
                "SELECT count(*) FROM audit_event WHERE case_id = ? AND action = 'submit'",
                (case_id,),
            ).fetchone()[0]
            whole = (status, submitted_at is not None, events) == ("submitted", True, 1)
            untouched = (status, submitted_at, events) == ("draft", None, 0)
            assert whole or untouched, f"case {case_id} half-submitted: {status}, {events}"
            assert grade is not None
            if case_id in ledger.acked_submissions:
                assert whole, f"acknowledged submission of case {case_id} lost"
    finally:
        connection.close()
