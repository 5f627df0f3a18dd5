"""The scheduler: the periodic jobs (``core.cli.periodic``) fired once across the cluster.

``flask scheduler`` may run on several machines for fail-over; one of them leads. The leader
holds a Redis lock (``SET NX PX``, renewed every tick, given up on exit); the others wait and
take over within ``SCHEDULER_LOCK_SECONDS`` of its death. Each firing of a job is a slot — the
cron time it is due (UTC) — and a slot is claimed with its own ``SET NX`` key before the job is
written to the outbox, so even two leaders (a paused process whose lock expired) fire a slot
once. A slot missed while no scheduler ran is still fired if it is at most
``SCHEDULER_CATCH_UP_SECONDS`` old. The job itself goes through the outbox and RQ like any
other, and a worker runs it.
"""

import logging
import os
import signal
import socket
import time
import uuid
from datetime import UTC, datetime

from croniter import croniter
from flask import current_app
from redis.exceptions import RedisError

from core import jobs
from core.extensions import db

log = logging.getLogger(__name__)

PREFIX = "agrobridge:scheduler"
LOCK_KEY = f"{PREFIX}:leader"
#: The last firings (newest first): ``<slot ISO> <path> <scheduler id>``, for operators and tests.
FIRED_KEY = f"{PREFIX}:fired"

# Renew the lock only if we still hold it; release it only if it is ours.
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def due_slot(expression: str, now: datetime) -> datetime:
    """The latest time at or before ``now`` at which ``expression`` (UTC) fires."""
    itr = croniter(expression, now)
    if croniter.match(expression, now.replace(second=0, microsecond=0)):
        return now.replace(second=0, microsecond=0)
    return itr.get_prev(datetime)


class Scheduler:
    def __init__(self, app, redis, periodic, *, lock_seconds=30, catch_up_seconds=600, tick_seconds=5.0):
        self.app, self.redis, self.periodic = app, redis, list(periodic)
        self.lock_ms = int(lock_seconds * 1000)
        self.catch_up = catch_up_seconds
        self.tick_seconds = tick_seconds
        self.identity = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leading = False
        self.stopping = False

    def lead(self) -> bool:
        """Take or keep the lock; True while we lead."""
        if self.leading and self.redis.eval(_RENEW, 1, LOCK_KEY, self.identity, self.lock_ms):
            return True
        self.leading = bool(self.redis.set(LOCK_KEY, self.identity, nx=True, px=self.lock_ms))
        if self.leading:
            log.info("scheduler %s leads", self.identity)
        return self.leading

    def release(self) -> None:
        if self.leading:
            self.redis.eval(_RELEASE, 1, LOCK_KEY, self.identity)
            self.leading = False

    def fire_due(self, now: datetime | None = None) -> list[str]:
        """Write each job whose slot has come and is unclaimed to the outbox; returns their paths."""
        now = now or datetime.now(UTC)
        fired = []
        for path, expression in self.periodic:
            slot = due_slot(expression, now)
            if (now - slot).total_seconds() > self.catch_up:
                continue
            key = f"{PREFIX}:slot:{path}:{slot:%Y%m%dT%H%M}"
            if not self.redis.set(key, self.identity, nx=True, ex=max(2 * 86400, self.catch_up * 2)):
                continue
            with self.app.app_context():
                jobs.enqueue_after_commit(path)
                db.session.commit()
            self.redis.lpush(FIRED_KEY, f"{slot.isoformat()} {path} {self.identity}")
            self.redis.ltrim(FIRED_KEY, 0, 999)
            log.info("periodic job %s fired for %s", path, slot.isoformat(), extra={"job": path})
            fired.append(path)
        return fired

    def tick(self) -> None:
        try:
            if self.lead():
                self.fire_due()
        except RedisError as exc:
            self.leading = False
            log.warning("scheduler: Redis unreachable (%s), retrying", exc)

    def run(self) -> None:
        def stop(signum, frame):
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("scheduler %s started with %d periodic job(s)", self.identity, len(self.periodic))
        try:
            while not self.stopping:
                self.tick()
                deadline = time.monotonic() + self.tick_seconds
                while not self.stopping and time.monotonic() < deadline:
                    time.sleep(0.2)
        finally:
            try:
                self.release()
            except RedisError:
                pass
            log.info("scheduler %s stopped", self.identity)


def from_app(app=None) -> Scheduler:
    from core.cli import PERIODIC_JOBS

    app = app or current_app._get_current_object()
    config = app.config
    return Scheduler(
        app,
        jobs.redis_connection(),
        PERIODIC_JOBS,
        lock_seconds=config.get("SCHEDULER_LOCK_SECONDS", 30),
        catch_up_seconds=config.get("SCHEDULER_CATCH_UP_SECONDS", 600),
        tick_seconds=config.get("SCHEDULER_TICK_SECONDS", 5),
    )
