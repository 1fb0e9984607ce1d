"""Point this process's Celery app at another broker for the length of a test."""

import contextlib

from kombu import pools

from shortscience.celery import app as celery_app


def reset_broker_pools() -> None:
    """Close and forget every pooled broker connection and producer.

    kombu keeps its connection and producer pools per process, keyed by
    the broker's transport, host, port and credentials, and the Celery app
    caches one of each. A pool that is
    closed but left in place fails the next send with "Acquire on closed
    pool". A pool left open keeps sending to the broker a test switched
    away from.
    """
    pools.reset()
    # The attributes that Celery._after_fork clears (Celery 5.7), so the app
    # builds its pools again from ``broker_url`` on the next send.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def use_broker(url: str) -> None:
    """Send this process's tasks to ``url`` from now on, through fresh pools."""
    reset_broker_pools()
    celery_app.conf.broker_url = url


@contextlib.contextmanager
def using_broker(url: str, **conf):
    """Send this process's tasks to ``url``, with ``conf`` overrides, in the block.

    The previous broker and settings come back afterwards, with fresh pools.
    """
    previous = {name: celery_app.conf[name] for name in conf}
    previous_url = celery_app.conf.broker_url
    celery_app.conf.update(**conf)
    use_broker(url)
    try:
        yield
    finally:
        celery_app.conf.update(**previous)
        use_broker(previous_url)
