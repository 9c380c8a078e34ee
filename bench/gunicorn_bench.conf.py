"""gunicorn settings for the benchmark and the tests: production's (``gunicorn.conf.py``), plus a sign per ready worker.

The port answers as soon as gunicorn's master listens, while each worker may still take seconds
to import the app; the benchmark starts its load only once every worker has written its file in
``BENCH_READY_DIR``, so no measured second goes to start-up (and no worker misses a test's requests).
"""
import os
import runpy
from pathlib import Path

globals().update(
    (name, value)
    for name, value in runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py")).items()
    if not name.startswith("__")
)


def post_worker_init(worker):
    Path(os.environ["BENCH_READY_DIR"], str(worker.pid)).touch()
