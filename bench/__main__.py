"""`python -m bench [--scale S]`: see bench/run.py."""

from bench.run import main

raise SystemExit(main())
