"""gunicorn settings for auditapp: `gunicorn -c gunicorn.conf.py wsgi:app`.

Environment (read in config.py, ServerConfig): GUNICORN_BIND (default 127.0.0.1:8000: put a
TLS-terminating proxy in front), WEB_CONCURRENCY (workers), FORWARDED_ALLOW_IPS (the proxy's
address, so it may set the scheme).
gunicorn's `Server` header says only "gunicorn", never its version; the app sends no other
version information.
"""

import sys
from pathlib import Path

# gunicorn loads this file by path, before it changes directory (--chdir): find config.py beside it.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from config import ServerConfig

bind = ServerConfig.BIND
workers = ServerConfig.WORKERS
# A request that runs longer than this is stuck: the worker is replaced. Exports of a whole
# inspection are the slowest requests and take seconds, not minutes.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Small, bounded request heads: no form or API needs long header lines or many headers.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
forwarded_allow_ips = ServerConfig.FORWARDED_ALLOW_IPS
accesslog = "-"  # paths carry ids only, never case content
errorlog = "-"
