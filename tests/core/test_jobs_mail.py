"""Jobs run only after commit — in-process without Redis, through RQ with it — and e-mail
goes out over real SMTP."""

import redis
from rq import Queue, SimpleWorker

from core import jobs
from core.extensions import db
from core.mail import queue_email
from tests import factories

DONE: list = []


def record(value, redis_url=None):
    """A job: remember that it ran (in a list, or in Redis when run by a worker)."""
    if redis_url:
        redis.Redis.from_url(redis_url).rpush("ran", value)
    else:
        DONE.append(value)


def test_inline_job_runs_after_commit_only(app):
    DONE.clear()
    factories.UserFactory()
    jobs.enqueue_after_commit(record, "first")
    assert DONE == []
    db.session.commit()
    assert DONE == ["first"]


def test_rollback_drops_the_job(app):
    DONE.clear()
    db.session.add(factories.UserFactory.build())
    db.session.flush()
    jobs.enqueue_after_commit(record, "never")
    db.session.rollback()
    db.session.commit()
    assert DONE == []


def test_jobs_go_through_redis_when_configured(app, redis_url):
    saved = app.config["JOBS_INLINE"], app.config["REDIS_URL"]
    app.config.update(JOBS_INLINE=False, REDIS_URL=redis_url)
    try:
        jobs.enqueue_after_commit(record, "queued", redis_url=redis_url)
        db.session.commit()
        connection = redis.Redis.from_url(redis_url)
        queue = Queue(app.config["JOBS_QUEUE"], connection=connection)
        assert queue.count == 1
        assert connection.lrange("ran", 0, -1) == []  # nothing ran yet: a worker will
        SimpleWorker([queue], connection=connection).work(burst=True)
        assert connection.lrange("ran", 0, -1) == [b"queued"]
    finally:
        app.config["JOBS_INLINE"], app.config["REDIS_URL"] = saved


def test_email_in_the_recipients_language_arrives_over_smtp(app, smtp_server):
    queue_email("buyer@example.cn", "zh", "core/email/test", name="王伟")
    assert smtp_server.messages == []  # not before commit
    db.session.commit()
    (message,) = smtp_server.messages
    assert message["To"] == "buyer@example.cn"
    assert message["Subject"] == "AgroBridge 测试邮件"
    assert "王伟" in message.get_content()
