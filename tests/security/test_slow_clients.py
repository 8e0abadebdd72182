"""Slow clients (issue 20, point 16): connections sending their headers a byte at a time do not
stop the app answering.

The attack that got through: five slow-header connections froze all four sync workers for about
a minute. gunicorn now runs gthread workers (gunicorn.conf.py), so a slow client ties up one
thread. This starts gunicorn exactly as production does (`-c gunicorn.conf.py`, production
configuration) with 2 workers, opens more slow connections than there are workers, and checks
that /healthz still answers promptly meanwhile, and that the slow requests themselves are
answered once complete. No browser is needed.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.security.gunicorn_server import healthz, server

__all__ = ["server"]  # the fixture, used by name
SLOW_CLIENTS = 6  # three per worker: with sync workers, both would be frozen
BYTE_INTERVAL = 0.15  # seconds between bytes: a whole request head takes about 7 s
SLOW_REQUEST = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\n\r\n"
PROMPT = 2.0  # seconds: /healthz answers in milliseconds when nothing blocks it


class _SlowClient(threading.Thread):
    """Sends a request head a byte at a time, then reads the answer."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.answer = b""
        self.sent_all = False

    def run(self) -> None:
        try:
            for byte in SLOW_REQUEST:
                self.sock.sendall(bytes([byte]))
                time.sleep(BYTE_INTERVAL)
            self.sent_all = True
            while chunk := self.sock.recv(4096):
                self.answer += chunk
                if b"\r\n\r\n" in self.answer:
                    break
        except OSError:
            pass
        finally:
            self.sock.close()


@pytest.mark.slow
def test_slow_header_connections_do_not_stop_the_app_answering(server: int) -> None:
    slow = [_SlowClient(server) for _ in range(SLOW_CLIENTS)]
    for client in slow:
        client.start()
    time.sleep(1.0)  # every slow client is now part-way through its request head
    assert not any(client.sent_all for client in slow)

    timings = []
    for _ in range(5):
        status, elapsed = healthz(server, timeout=PROMPT * 5)
        assert status == 200
        timings.append(elapsed)
    assert max(timings) < PROMPT, f"/healthz took {max(timings):.1f}s with slow clients open"
    # They were still sending meanwhile: the server held them, it did not turn them away.
    assert not any(client.sent_all for client in slow)

    for client in slow:
        client.join(timeout=len(SLOW_REQUEST) * BYTE_INTERVAL + 15)
    assert all(client.answer.startswith(b"HTTP/1.1 200") for client in slow), [
        client.answer[:40] for client in slow
    ]
