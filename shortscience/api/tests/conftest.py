import pytest

from shortscience.api.throttling import SettingsRateThrottle


class FrozenClock:
    """The throttles' clock, at a time that a test sets."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def throttle_clock(monkeypatch) -> FrozenClock:
    """Stop the throttles' clock, so that a test's requests share one window.

    The clock is the same for the live server's threads. Set ``now`` to move it.
    """
    clock = FrozenClock(1_800_000_000.0)
    monkeypatch.setattr(SettingsRateThrottle, "timer", clock)
    return clock
