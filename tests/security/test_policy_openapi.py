"""The API's OpenAPI document tells callers what the policy does: who needs a token, who may get 403."""
from __future__ import annotations

import re

from clinic.policy import Audience, need_of


def test_the_document_declares_each_operations_audience_as_the_policy_decides(app, client):
    document = client.get("/api/v1/openapi.json").json
    endpoints = {
        (re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower()): rule.endpoint
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":  # the path's parameters, not an operation
                continue
            need = need_of(endpoints[path, method], method.upper())
            assert need is not None, (method, path)
            public = need.audience is Audience.PUBLIC
            assert (operation["security"] == []) == public, (method, path)
            assert ("403" in operation["responses"]) == (need.resource is not None), (method, path)
            checked += 1
    assert checked == len(endpoints)
