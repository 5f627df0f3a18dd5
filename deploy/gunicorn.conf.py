"""gunicorn settings for one AgroBridge app instance: ``gunicorn -c deploy/gunicorn.conf.py app:app``.

Every value can be overridden from the environment (``GUNICORN_BIND``, ``GUNICORN_WORKERS``…) so
one file serves the systemd template, ``make cluster`` and the tests.
"""

import glob
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
#: Synchronous workers: two per core plus one (the app waits on PostgreSQL, not on the CPU).
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
#: A request taking longer is killed (and logged); nginx gives up a little later.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
#: On SIGTERM or a reload (SIGHUP), workers finish what they are serving for this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
#: nginx keeps connections to the upstream open (``keepalive`` in the site).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
#: A worker is replaced after this many requests (bounded memory growth), staggered by jitter.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
#: nginx in front on the same machine sets X-Forwarded-*; PROXY_COUNT tells the app to trust it.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "agrobridge")
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
accesslog = None  # the app writes one JSON line per request, with its request id
errorlog = "-"
#: gunicorn's control socket is one path per user by default, which several instances on one
#: machine would share: off unless GUNICORN_CONTROL_SOCKET names one for this instance.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or None
control_socket_disable = control_socket is None
if control_socket is None:
    del control_socket
#: Not preloaded: a reload (SIGHUP) then picks up new code, worker by worker.
preload_app = False


def on_starting(server):
    """Prometheus multiprocess mode: start from an empty directory of this instance's own."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        os.makedirs(path, exist_ok=True)
        for name in glob.glob(os.path.join(path, "*.db")):
            os.remove(name)


def child_exit(server, worker):
    """A dead worker's live gauges go; its counters and histograms stay summed."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
