"""gunicorn settings for auditapp: `gunicorn -c gunicorn.conf.py wsgi:app`.

Environment (read in config.py, ServerConfig): GUNICORN_BIND (default 127.0.0.1:8000: put a
TLS-terminating proxy in front), WEB_CONCURRENCY (workers), GUNICORN_THREADS (threads per
worker), FORWARDED_ALLOW_IPS (the proxy's address, so it may set the scheme).
gunicorn's `Server` header says only "gunicorn", never its version; the app sends no other
version information.

Slow clients: the proxy in front must buffer requests (nginx does by default:
`proxy_request_buffering on`, and it always reads the whole request head first), so gunicorn
only ever sees complete requests from a fast local peer. Behind a proxy that does not, or when
gunicorn is reached directly, a client sending its request a byte at a time ties up one thread
of a gthread worker, not the whole worker as with sync workers: the other threads, and idle
kept-alive connections (back in the worker's poller, holding no thread), keep being served
(tests/security/test_slow_clients.py).
"""

import sys
from pathlib import Path

from gunicorn.glogging import Logger

# gunicorn loads this file by path, before it changes directory (--chdir): find config.py beside it.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from auditapp.log_masking import mask_one_time_links
from config import ServerConfig

bind = ServerConfig.BIND
workers = ServerConfig.WORKERS
# Threads in each worker: requests mostly wait on the database, and a slow client holds a
# thread, not a worker. The app is thread-safe (one SQLAlchemy session per request, pooled
# connections: the pool's 5 + 10 overflow cover the threads).
worker_class = "gthread"
threads = ServerConfig.THREADS
# Connections one worker holds at once (idle kept-alive ones included); more wait in the backlog.
worker_connections = 200
# A worker whose main loop stops answering for this long is stuck and is replaced. Exports of a
# whole inspection are the slowest requests and take seconds, not minutes.
timeout = 60
graceful_timeout = 30
# Seconds an idle kept-alive connection stays open: the proxy reuses its connections; short,
# so an idle client costs little.
keepalive = 5
# Small, bounded request heads: no form or API needs long header lines or many headers.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
forwarded_allow_ips = ServerConfig.FORWARDED_ALLOW_IPS
accesslog = "-"  # paths carry ids only, never case content; one-time links are masked below


# The one-time links (invitations, password resets) carry their token in the path: every part of
# a logged request (request line, path, referrer, headers) has the token masked.
class AccessLogWithoutTokens(Logger):
    """gunicorn's logger, with the tokens of one-time links masked in the access log."""

    def atoms(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask_one_time_links(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }


logger_class = AccessLogWithoutTokens
errorlog = "-"
