"""gunicorn settings for auditapp: `gunicorn -c gunicorn.conf.py wsgi:app`.

Environment: GUNICORN_BIND (default 127.0.0.1:8000: put a TLS-terminating proxy in front),
WEB_CONCURRENCY (workers), FORWARDED_ALLOW_IPS (the proxy's address, so it may set the scheme).
gunicorn's `Server` header says only "gunicorn", never its version; the app sends no other
version information.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# A request that runs longer than this is stuck: the worker is replaced. Exports of a whole
# inspection are the slowest requests and take seconds, not minutes.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Small, bounded request heads: no form or API needs long header lines or many headers.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"  # paths carry ids only, never case content
errorlog = "-"
