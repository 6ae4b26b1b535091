"""The access table's rows for the ops app (issue 15). The probes are open to every caller, signed in or
not (a load balancer has no session), say nothing about any person, and refuse every method but GET and
HEAD: tests/ops/test_probes.py holds the allow (anonymous and each role: 200/503 with checks only) and
deny (POST: 405) rows."""

ROUTES = {"readyz"}  # "healthz" was already in the table
