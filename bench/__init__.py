"""National-scale benchmark of auditapp: `make bench` (see README, "Performance")."""
