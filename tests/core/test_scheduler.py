"""The scheduler fires each periodic job once per slot, however many schedulers run."""

from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis

from core.scheduler import FIRED_KEY, Scheduler, due_slot

pytestmark = pytest.mark.redis

RAN: list[str] = []
EVERY_MINUTE = [("tests.core.test_scheduler:tick_job", "* * * * *")]


def tick_job():
    RAN.append("ran")


@pytest.fixture
def redis(redis_url):
    RAN.clear()
    return Redis.from_url(redis_url)


def test_due_slot():
    now = datetime(2026, 12, 2, 6, 0, 0, tzinfo=UTC)
    assert due_slot("0 6 * * *", now) == now
    assert due_slot("0 6 * * *", now + timedelta(seconds=59)) == now
    assert due_slot("0 6 * * *", now - timedelta(seconds=1)) == now - timedelta(days=1)
    assert due_slot("*/15 * * * *", datetime(2026, 12, 2, 6, 14, 59, tzinfo=UTC)) == now


def test_one_leader_and_take_over(app, redis):
    first = Scheduler(app, redis, EVERY_MINUTE, lock_seconds=5)
    second = Scheduler(app, redis, EVERY_MINUTE, lock_seconds=5)
    assert first.lead()
    assert not second.lead()
    assert first.lead()  # renewed
    first.release()
    assert second.lead()
    assert not first.lead()


def test_a_slot_fires_once_even_with_two_leaders(app, redis):
    first = Scheduler(app, redis, EVERY_MINUTE)
    second = Scheduler(app, redis, EVERY_MINUTE)
    now = datetime(2026, 12, 2, 10, 30, 20, tzinfo=UTC)
    assert first.fire_due(now) == ["tests.core.test_scheduler:tick_job"]
    assert second.fire_due(now) == []
    assert first.fire_due(now + timedelta(seconds=30)) == []
    assert RAN == ["ran"]
    later = now + timedelta(minutes=1)
    assert second.fire_due(later) == ["tests.core.test_scheduler:tick_job"]
    assert first.fire_due(later) == []
    fired = [line.decode() for line in redis.lrange(FIRED_KEY, 0, -1)]
    assert len(fired) == len(RAN) == 2
    assert fired[0].endswith(second.identity) and fired[-1].endswith(first.identity)


def test_an_old_slot_is_not_caught_up(app, redis):
    daily = [("tests.core.test_scheduler:tick_job", "0 6 * * *")]
    scheduler = Scheduler(app, redis, daily, catch_up_seconds=600)
    six = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)
    assert scheduler.fire_due(six + timedelta(minutes=11)) == []
    assert scheduler.fire_due(six + timedelta(minutes=9)) == ["tests.core.test_scheduler:tick_job"]
    assert RAN == ["ran"]


def test_the_periodic_jobs_all_have_valid_schedules(app):
    from croniter import croniter

    from core.cli import PERIODIC_JOBS
    from core.jobs import resolve

    assert PERIODIC_JOBS
    for path, expression in PERIODIC_JOBS:
        assert croniter.is_valid(expression), path
        assert callable(resolve(path))
