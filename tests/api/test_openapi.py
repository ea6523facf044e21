"""The OpenAPI description matches the code, and schemathesis finds nothing against it.

schemathesis generates requests from the description (valid ones and invalid ones) and
sends them over real HTTP to the app on SQLite; every response must be no 5xx, have a
documented status, content type, headers and a body that fits its schema, and invalid
requests must be refused.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mobile_gateway.api import openapi

#: Examples per operation and mode: enough to find what the bad-input tests name, fast
#: enough for the default test command (about 20 s for all operations on 2 cores).
EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _routes(app) -> dict[str, set[str]]:
    """Return the API's routes as OpenAPI paths and their methods."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
            found.setdefault(path, set()).update(
                m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}
            )
    return found


@pytest.mark.sqlite_only
def test_every_route_is_described_with_its_scope(app, api):
    """The description lists exactly the blueprint's routes, each with the view's scope."""
    paths = openapi.operations()
    assert _routes(app) == {path: set(methods) for path, methods in paths.items()}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            security = paths[path][method.lower()]["security"]
            scope = getattr(view, "api_scope", None)
            assert security == ([{"token": [scope]}] if scope else []), (path, method)


@pytest.mark.sqlite_only
def test_the_served_description_is_openapi_3_1(api):
    """/api/v1/openapi.json is an OpenAPI 3.1 document whose server is this API."""
    document = api.get("/api/v1/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": f"{api.base}/api/v1"}]


@pytest.fixture
def fuzzed(app, api, store):
    """The served app with data to find, generous limits, and a read-write token."""
    app.config.update(
        RATE_LIMIT_API_PER_TOKEN=(10**6, 60),
        RATE_LIMIT_API_PER_ADDRESS=(10**6, 60),
        RATE_LIMIT_POST_PER_USER=(10**6, 60),
    )
    token = api.token("taro")
    store.user("hanako")
    store.ask("hanako", "taro")
    first = store.echo("hanako", "雨" + chr(0x1016A6), minutes_ago=3)
    store.echo("taro", "返信☀️", minutes_ago=2, reply_to=first)
    schema = schemathesis.openapi.from_url(f"{api.base}/api/v1/openapi.json")
    return schema, {"Authorization": f"Bearer {token}"}


@pytest.mark.sqlite_only
def test_schemathesis_finds_no_server_error_and_no_schema_violation(api, fuzzed):
    """Generated valid and invalid requests to every operation: nothing breaks the contract."""
    schema, headers = fuzzed
    operations = [result.ok() for result in schema.get_all_operations()]
    described = sum(len(methods) for methods in openapi.operations().values())
    assert len(operations) >= described - 1  # schemathesis may leave the description out
    for operation in operations:
        for mode, checks in (
            (schemathesis.GenerationMode.POSITIVE, CHECKS),
            (schemathesis.GenerationMode.NEGATIVE, [*CHECKS, negative_data_rejection]),
        ):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                case.call_and_validate(
                    base_url=f"{api.base}/api/v1", headers=headers, checks=checks
                )

            run()
