"""auditapp on the benchmark's database, for gunicorn: ``gunicorn bench.wsgi_app:app``.

``BENCH_DATABASE_URL`` names the database; the settings are those of ``bench_config``.
"""

from __future__ import annotations

import os

from auditapp import create_app
from bench.database import bench_config

app = create_app(bench_config(os.environ["BENCH_DATABASE_URL"]))
