"""The benchmark's yardstick: the smallest Flask app, one route returning a small JSON document.

Served by the same gunicorn settings and driven by the same load as the clinic, its requests per
second tell what this machine can do at all right now; the clinic's figures are read as ratios to it.
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return {"status": "ok", "service": "baseline"}
