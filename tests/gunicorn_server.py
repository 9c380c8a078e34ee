"""Starting the app under gunicorn with the repository's gunicorn.conf.py, in a subprocess, for a test."""
from __future__ import annotations

import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.clock import python_command

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_CONF = "gunicorn.conf.py"
# The shipped settings plus a file per worker that has loaded the app (in BENCH_READY_DIR).
SIGNALLING_CONF = "bench/gunicorn_bench.conf.py"
START_SECONDS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], conf: str = SHIPPED_CONF, **popen) -> subprocess.Popen:
    """Start ``gunicorn -c <conf> wsgi:app`` in the repository root with ``env``, on the suite's clock."""
    command, clock_environment = python_command("-m", "gunicorn", "-c", conf, "wsgi:app")
    return subprocess.Popen(command, cwd=ROOT, env={**env, **clock_environment}, **popen)


def wait_until_serving(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the instance on port {port} exited with {server.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"the instance on port {port} did not start within {START_SECONDS} s")


@dataclass(frozen=True)
class Served:
    port: int
    workers: int


@contextmanager
def served_by_every_worker(env: dict[str, str]) -> Iterator[Served]:
    """Serve the app with the shipped settings; once every worker gunicorn started has loaded it, yield where and how many.

    The port answers as soon as the master listens: a test that counted requests then would see
    them all go to the one worker that happened to be ready first.
    """
    port = free_port()
    with tempfile.TemporaryDirectory() as ready_dir:
        server = start_gunicorn({**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "BENCH_READY_DIR": ready_dir},
                                conf=SIGNALLING_CONF)
        try:
            yield Served(port, wait_for_every_worker(Path(ready_dir), server))
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_for_every_worker(ready_dir: Path, server: subprocess.Popen) -> int:
    """Return how many workers gunicorn runs, once each of them has loaded the app."""
    # gunicorn forks all its workers within a fraction of a second, long before the first one has
    # imported the app: once one is ready, the master's children are all the workers there will be.
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn exited with {server.returncode}"
        ready = len(list(ready_dir.iterdir()))
        if ready and ready == len(children_of(server.pid)):
            return ready
        time.sleep(0.05)
    pytest.fail(f"gunicorn's workers were not all ready within {START_SECONDS} s")


def children_of(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
