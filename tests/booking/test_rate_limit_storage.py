"""Rate-limit counters can live in Redis, so several app instances share one limit."""
import uuid

from clinic.extensions import limiter
from tests.conftest import require_redis


def test_two_app_instances_share_the_booking_limit_through_redis(variant_app, clinic):
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": require_redis(),
        # A fresh key prefix per run: earlier runs' counters must not count.
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "BOOKING_SUBMIT_RATE_LIMIT": "3 per hour",
    }
    first, second = variant_app(**settings).test_client(), variant_app(**settings).test_client()
    # One Limiter object serves every app of the test session: start from empty counters.
    limiter.reset()
    statuses = [client.post("/afspraak/bevestigen", data={}).status_code for client in (first, second, first, second)]
    assert statuses == [302, 302, 302, 429]
