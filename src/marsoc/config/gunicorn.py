"""gunicorn's settings for `make serve` and deploy/systemd/marsoc-web.service
(`gunicorn -c python:marsoc.config.gunicorn marsoc.config.wsgi:application`). Everything an operator
tunes comes from the environment; see docs/deployment.md."""

import gc
import os
from typing import Any

bind = os.environ.get("MARSOC_BIND", "127.0.0.1:8000")
# Sync-style threads: the service is database-bound, so a few threads per process keep both cores
# busy while queries wait. Workers default to the cores of the machine. MARSOC_WEB_THREADS=1 runs
# gunicorn's sync workers instead (one request at a time per process; docs/performance.md compares them).
workers = int(os.environ.get("MARSOC_WEB_WORKERS") or os.cpu_count() or 2)
threads = int(os.environ.get("MARSOC_WEB_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("MARSOC_WEB_TIMEOUT", "60"))  # a request longer than this kills its worker
graceful_timeout = 30
keepalive = 5
# Recycle each worker after some thousands of requests (jittered, so they do not all restart at once).
max_requests = 5000
max_requests_jitter = 500
# Behind the load balancer, which terminates TLS; X-Forwarded-* trusted from these addresses only.
forwarded_allow_ips = os.environ.get("MARSOC_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The application writes one JSON line per request itself (marsoc.ops.logs); gunicorn's own access
# log would repeat it with the query string, which may name a person.
accesslog = None
# No control socket in the home directory: several servers on one machine (tests, benches) would share it.
control_socket_disable = True
errorlog = "-"
loglevel = os.environ.get("MARSOC_WEB_LOG_LEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "marsoc.ops.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}


def post_worker_init(worker: Any) -> None:
    """Once the application is loaded in a worker: move everything alive now (modules, settings, the
    rule book, URL patterns) out of the garbage collector's sight. Those objects live as long as the
    process, yet every full collection walked them all again (one took about 200 ms of one request's
    time, bench/page_costs.py); objects made by requests are still collected as before."""
    gc.collect()
    gc.freeze()
