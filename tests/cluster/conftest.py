"""The cluster test's world: ``tools.cluster`` (the runner of ``make cluster``) on free loopback
ports — nginx, two gunicorn instances, a job worker, the scheduler — on a database of its own
(``<name>_cluster``, migrated and seeded) and the test run's Redis, files in the database.

Needs PostgreSQL (``TEST_DATABASE_URL``), Redis (``TEST_REDIS_URL``) and nginx. Without
PostgreSQL it skips; without nginx or Redis it skips locally but fails under CI (``CI`` set),
where `.ci/run` installs nginx: a missing piece must not pass as a skip there.
"""

import os
import shutil

import pytest

from tests.servers import app_env, free_port, postgres_database, skip_unless_postgres

#: Few wrong passwords per account, so the shared counter is seen quickly.
ACCOUNT_LIMIT = 4


def pytest_collection_modifyitems(config, items):
    skip_unless_postgres(items, "tests/cluster", "the cluster test needs PostgreSQL: set TEST_DATABASE_URL")


@pytest.fixture(autouse=True)
def _app_context():
    """No in-process app: the test talks to nginx and the instances over HTTP."""
    yield


def _missing(what: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI installs it: the cluster test must run there)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def cluster_redis_url():
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        _missing(f"no Redis at {url}")
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture(scope="session")
def cluster(cluster_redis_url, tmp_path_factory):
    """The running cluster (a ``tools.cluster.Cluster``), stopped at the end."""
    if shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin") is None:
        _missing("nginx is not installed (apt-get install nginx)")
    from tools.cluster import Cluster

    run = tmp_path_factory.mktemp("cluster")
    with postgres_database("_cluster") as (url, libpq):
        env = app_env(
            url,
            run,
            SECRET_KEY="cluster-" + "0" * 56,
            REDIS_URL=cluster_redis_url,
            LOGIN_RATE_LIMIT_ACCOUNT=f"{ACCOUNT_LIMIT} per 15 minutes",
            LOGIN_RATE_LIMIT_IP="10000 per minute",
            SCHEDULER_TICK_SECONDS="1",
            GUNICORN_GRACEFUL_TIMEOUT="5",  # a bounded stop at the end
            WEBHOOK_ALLOW_PRIVATE="1",
            CBR_DAILY_URL="http://127.0.0.1:9/cbr",  # the FX job may fire: never the internet
        )
        env.pop("UPLOAD_DIR")  # files in the database: nothing on any instance's disk
        instance = Cluster(run, port=free_port(), app_ports=[free_port(), free_port()], env=env, workers=2)
        instance.libpq_url = libpq
        try:
            instance.up(migrate=True, seed=True)
            yield instance
        finally:
            instance.down()
            if os.environ.get("CLUSTER_SHOW_LOG"):
                for log in sorted((run / "logs").glob("*.log")):
                    print(f"==== {log.name}\n" + log.read_text(errors="replace")[-5000:])
