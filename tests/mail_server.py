"""A real SMTP server on the loopback address for the tests (aiosmtpd), collecting messages.

Never a mock: the app sends through Flask-Mailman's SMTP backend over TCP to this server,
exactly as it would to the organisation's relay. Used by the `smtp_server` fixture
(tests/conftest.py).
"""

from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"
URL_RE = re.compile(r"https?://\S+")


def free_port() -> int:
    """A TCP port on the loopback address that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@dataclass
class ReceivedMail:
    """One message as the SMTP server received it: envelope and parsed content."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, "no text/plain part"
        return str(part.get_content())

    def links(self) -> list[str]:
        """Every http(s) address in the body."""
        return URL_RE.findall(self.body)


@dataclass
class _Collector:
    """aiosmtpd handler: keeps every message it accepts."""

    received: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.received.append(
                ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), message)
            )
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd's Controller on 127.0.0.1 and a free port, in its own thread."""

    def __init__(self) -> None:
        self.host = LOOPBACK
        self.port = free_port()
        self._collector = _Collector()
        self._controller = Controller(self._collector, hostname=self.host, port=self.port)

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[ReceivedMail]:
        """The messages received so far, oldest first."""
        with self._collector.lock:
            return list(self._collector.received)

    def messages_to(self, address: str) -> list[ReceivedMail]:
        """The messages whose envelope names this recipient."""
        return [m for m in self.messages if address in m.rcpt_tos]
