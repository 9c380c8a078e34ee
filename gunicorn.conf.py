"""gunicorn settings for production and for the benchmark (``gunicorn -c gunicorn.conf.py wsgi:app``).

Every value can be overridden from the environment, e.g. ``GUNICORN_WORKERS=4`` on a bigger server.
Threaded workers keep connections alive (a browser or a proxy reuses them); the application is
thread-safe (one SQLAlchemy session per request).
"""
import os

from config import CONFIGS

# The app's own settings, read from the same environment as the app (wsgi.py) reads them.
app_settings = CONFIGS[os.environ.get("CLINIC_CONFIG", "production")]
# With RATELIMIT_STORAGE_URI=memory:// every worker process keeps its own rate-limit counters, so
# N workers would let N times each limit through. The limits the README documents hold only if
# the workers share their counters (Redis), or if there is one worker. So: one worker (with its
# threads) unless the counters are shared or the limits are off, and a refusal to start rather
# than a limit that silently multiplies.
counters_per_process = app_settings.RATELIMIT_ENABLED and app_settings.RATELIMIT_STORAGE_URI.startswith("memory://")
workers = int(os.environ.get("GUNICORN_WORKERS", 1 if counters_per_process else 2))
if counters_per_process and workers > 1:
    raise SystemExit(
        f"gunicorn.conf.py: GUNICORN_WORKERS={workers} with RATELIMIT_STORAGE_URI=memory:// would allow every "
        f"rate limit {workers} times (each worker counts on its own). Set RATELIMIT_STORAGE_URI to a Redis that "
        "the workers share (redis://host:6379/0), or run one worker."
    )

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
keepalive = 5
timeout = 30
graceful_timeout = 20
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn trusts no forwarding header of its peer, not even from loopback (its own default trusts
# X-Forwarded-Proto, -Ssl and -Protocol from 127.0.0.1, whatever TRUSTED_PROXY_HOPS says). The app
# reads X-Forwarded-For / X-Forwarded-Proto for exactly TRUSTED_PROXY_HOPS proxies (clinic/web.py):
# one setting, one place.
forwarded_allow_ips = ""
secure_scheme_headers = {}
forwarder_headers = ""
