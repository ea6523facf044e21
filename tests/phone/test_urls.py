"""Templates build the same URLs as Flask's url_for, in every session state."""

import flask
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from mobile_gateway.accounts import web_session
from mobile_gateway.phone import urls

pytestmark = pytest.mark.sqlite_only

_TEXT = st.text(min_size=1, max_size=12)
_QUERY = st.dictionaries(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=6),
    st.one_of(_TEXT, st.integers(0, 10**12), st.none()),
    max_size=3,
)


def _values(rule, draw):
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = draw(st.integers(1, 2**31 - 1))
        else:
            values[name] = draw(_TEXT)
    return values


@pytest.fixture
def states(app, signed_in):
    """Return the requests to compare in: (path, headers) for each session state."""
    foma_c100 = signed_in("docomo_foma_b1", "aoi")
    pc = signed_in("pc", "kenta")
    sid = foma_c100.sid
    assert sid
    return {
        "signed out PC": ("/", {"User-Agent": pc.headers["User-Agent"]}),
        "cookieless DoCoMo, sid in URLs": (f"/?sid={sid}", foma_c100.headers),
        "cookieless DoCoMo asked with guid=ON": (f"/?sid={sid}&guid=ON", foma_c100.headers),
        "PC with its cookie": ("/", {**pc.headers, "Cookie": f"mgsid={pc.cookie}"}),
    }


@pytest.mark.parametrize(
    "state",
    [
        "signed out PC",
        "cookieless DoCoMo, sid in URLs",
        "cookieless DoCoMo asked with guid=ON",
        "PC with its cookie",
    ],
)
def test_every_endpoint_gets_flasks_url(app, states, state):
    """Every endpoint, with any values, gets the URL flask.url_for builds."""
    path, headers = states[state]
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint)

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(data=st.data())
    def check(data):
        with app.test_request_context(path, headers=headers):
            assert app.preprocess_request() is None
            for rule in rules:
                values = {**_values(rule, data.draw), **data.draw(_QUERY)}
                expected = flask.url_for(rule.endpoint, **dict(values))
                assert urls.url_for(rule.endpoint, **dict(values)) == expected, rule.endpoint

    check()


def test_the_session_state_of_each_rendering_is_its_own(app, signed_in):
    """Signing out between two renderings drops the sid from the second one's URLs."""
    foma_c100 = signed_in("docomo_foma_b1", "aoi")
    sid = foma_c100.sid
    page = "{{ url_for('echo.home') }} {{ url_for('echo.show', echo_id=7) }}"
    with app.test_request_context(f"/?sid={sid}", headers=foma_c100.headers):
        assert app.preprocess_request() is None
        before = flask.render_template_string(page)
        web_session.sign_out()
        after = flask.render_template_string(page)
    assert before == f"/?sid={sid} /echo/7?sid={sid}"
    assert after == "/ /echo/7"


def test_options_and_relative_endpoints_go_to_flask(app):
    """Anchors, external URLs and None values are Flask's own."""
    with app.test_request_context("/"):
        assert urls.url_for("echo.home", _anchor="top") == "/#top"
        assert urls.url_for("echo.home", _external=True) == "http://localhost/"
        assert urls.url_for("echo.show", echo_id=5, page=None) == "/echo/5"
