"""The app's templates import macros as Jinja does, with the globals' keys compared as a set
(hearth.web.jinja_globals): an imported macro still sees the importing page's own globals."""
import pytest
from jinja2 import DictLoader

from hearth.web.jinja_globals import Globals, QuickImports

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True, scope="session")

MACROS = "{% macro greet() %}{{ greeting | default('no greeting') }}, {{ name }}{% endmacro %}"


def test_the_layout_globals_are_a_set_to_compare(app):
    assert isinstance(app.jinja_env, QuickImports)
    layout = app.jinja_env.get_template("base.html")
    assert isinstance(layout.globals, Globals)
    assert layout.globals.keys() == set(app.jinja_env.globals) and isinstance(layout.globals.keys(), set)
    page = app.jinja_env.from_string("{{ x }}", globals={"x": 1})
    assert page.globals.keys() == set(app.jinja_env.globals) | {"x"}
    assert layout.globals["url_for"] is app.jinja_env.globals["url_for"]


def test_an_imported_macro_sees_the_page_globals(app):
    env = app.jinja_env.overlay(loader=DictLoader({
        "macros.html": MACROS, "page.html": '{% from "macros.html" import greet %}{{ greet() }}',
        "other.html": '{% from "macros.html" import greet %}{{ greet() }}'}))
    with app.test_request_context():
        with_globals = env.get_template("page.html", globals={"greeting": "Hello"})
        assert with_globals.render(name="Sam") == "Hello, "  # an import sees globals, not the page's variables
        plain = env.get_template("other.html")
        assert plain.render(name="Sam") == "no greeting, "
