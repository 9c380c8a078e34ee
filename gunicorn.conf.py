"""gunicorn settings for production and for the benchmark (``gunicorn -c gunicorn.conf.py wsgi:app``).

Every value can be overridden from the environment, e.g. ``GUNICORN_WORKERS=4`` on a bigger server.
Threaded workers keep connections alive (a browser or a proxy reuses them); the application is
thread-safe (one SQLAlchemy session per request).
"""
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
keepalive = 5
timeout = 30
graceful_timeout = 20
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a reverse proxy on the same host: trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
