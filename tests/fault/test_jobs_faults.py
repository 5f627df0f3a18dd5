"""Redis stopped, and a job worker killed mid-job.

Each test starts its own redis-server on a free port (never the machine's) and an SMTP sink;
the app runs under gunicorn with ``REDIS_URL`` set, so its jobs go through RQ and the outbox.
"""

import asyncio
import os
import signal
import subprocess
import threading
import uuid
from email import message_from_bytes, policy

import pytest

from tests.fault.conftest import BIN, ROOT, until
from tests.fault.test_worker_killed import orderable_product

pytestmark = [pytest.mark.fault, pytest.mark.postgres, pytest.mark.redis]

BUYER = "buyer@agrobridge.demo"


class Sink:
    """An SMTP server (aiosmtpd) that can hold its answer to DATA until released.

    ``accepted``: messages whose sender was still connected to hear "250 OK"; ``aborted``:
    those whose sender died first (a careful MTA drops them: nobody was told they arrived).
    """

    def __init__(self):
        self.accepted, self.aborted = [], []
        self.receiving = threading.Event()
        self.release = threading.Event()
        self.release.set()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.receiving.set()
        try:
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        except asyncio.CancelledError:  # aiosmtpd cancels the handler when the sender hangs up
            self.aborted.append(message)
            raise
        self.accepted.append(message)
        return "250 OK"


@pytest.fixture
def sink():
    from aiosmtpd.controller import Controller

    from tests.journey.conftest import free_port

    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        handler.release.set()
        controller.stop()


@pytest.fixture(autouse=True)
def _no_earlier_jobs(database):
    """Jobs the other fault tests left pending (documents issued for their orders, mail to
    no server) are theirs: marked done, so this test's worker runs only this test's jobs
    rather than a backlog that outlasts its deadline."""
    database.value("UPDATE job_outbox SET done_at = now() WHERE done_at IS NULL RETURNING 1")


@pytest.fixture
def job_worker(tmp_path):
    """``job_worker(server)`` starts ``flask jobs worker`` (its own process group)."""
    started = []

    def _start(server):
        log = open(tmp_path / f"worker-{len(started)}.log", "wb")  # noqa: SIM115 - closed below
        process = subprocess.Popen(
            [str(BIN / "flask"), "jobs", "worker", "--poll", "0.3"],
            env=server.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append((process, log))
        return process

    yield _start
    for process, log in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def _place_and_cancel(server, database):
    """A buyer places and cancels an order: the farmer is e-mailed (a job)."""
    product = orderable_product(server, database)
    headers = {**server.token(BUYER), "Idempotency-Key": uuid.uuid4().hex}
    body = {"lines": [{"product_id": product["id"], "quantity": product["moq"] or "1"}]}
    status, order, _ = server.request("POST", "/api/v1/orders", body, headers)
    assert status == 201, order
    status, answer, _ = server.request(
        "POST", f"/api/v1/orders/{order['id']}/cancel", {"reason": "changed plans"}, server.token(BUYER)
    )
    assert status == 200, answer
    return order


def _email_jobs(database, since_id):
    return database.rows(
        "SELECT key, done_at IS NOT NULL, attempts FROM job_outbox "
        "WHERE id > %s AND path = 'core.mail:send_templated_email' ORDER BY id",
        since_id,
    )


def test_with_redis_stopped_pages_and_api_work_and_jobs_wait(
    start_server, database, private_redis, sink, job_worker
):
    server = start_server(
        REDIS_URL=private_redis.url, MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, RATELIMIT_ENABLED="1"
    )
    last_job = database.value("SELECT coalesce(max(id), 0) FROM job_outbox")
    private_redis.kill()

    # Pages, search, log-in (rate-limited, counting in memory now) and orders all work.
    for path in ("/", "/catalog", "/catalog?q=%E8%8D%9E%E9%BA%A6", "/login", "/healthz"):
        assert server.request("GET", path)[0] == 200, path
    order = _place_and_cancel(server, database)
    status, body, _ = server.request("GET", f"/api/v1/orders/{order['id']}", headers=server.token(BUYER))
    assert (status, body["status"]) == (200, "cancelled")
    ((key, done, _attempts),) = _email_jobs(database, last_job)
    assert not done and sink.accepted == []  # kept in PostgreSQL, not lost with Redis

    # The worker, with Redis still down, drains the outbox.
    job_worker(server)
    until(lambda: _email_jobs(database, last_job)[0][1], seconds=30, what="the drained e-mail job")
    (message,) = sink.accepted
    assert message["Message-ID"] == f"<{key}@agrobridge>"


def test_a_job_worker_killed_mid_job_runs_it_again_once(
    start_server, database, private_redis, sink, job_worker
):
    server = start_server(REDIS_URL=private_redis.url, MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port)
    last_job = database.value("SELECT coalesce(max(id), 0) FROM job_outbox")
    sink.release.clear()  # the first delivery will hang in the middle
    worker = job_worker(server)
    _place_and_cancel(server, database)
    assert sink.receiving.wait(timeout=30), "the worker did not start sending"
    ((key, done, _attempts),) = _email_jobs(database, last_job)
    assert not done
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    until(lambda: sink.aborted, seconds=10, what="the sink to see the sender gone")
    sink.release.set()

    job_worker(server)
    until(lambda: _email_jobs(database, last_job)[0][1], seconds=30, what="the job to run again")
    assert len(sink.accepted) == 1  # its effect happened once
    assert {m["Message-ID"] for m in sink.aborted + sink.accepted} == {f"<{key}@agrobridge>"}
