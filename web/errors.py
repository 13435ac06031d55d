"""GOV.UK-style error pages; a traceback never reaches the browser."""
from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import api

PAGES = {
    400: ("Sorry, there is a problem with the request", "errors/400.html"),
    403: ("You do not have permission to see this page", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("Sorry, there is a problem with the request", "errors/400.html"),
    413: ("The file or form is too large", "errors/400.html"),
    429: ("Too many attempts", "errors/400.html"),
    500: ("Sorry, there is a problem with the service", "errors/500.html"),
}


def _render(code: int, title: str | None = None, template: str | None = None):
    default_title, default_template = PAGES.get(code, PAGES[500] if code >= 500 else PAGES[400])
    return render_template(template or default_template, title=title or default_title, code=code), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_e):
        # Usually an expired form or session: say so plainly, outside any error summary.
        return _render(400, "Your form has expired", "errors/csrf.html")

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        if e.code is None or e.code < 400:
            return e
        if api.is_api_request():  # e.g. an /api/v1/ URL no route matches: answer JSON
            return api.http_error(e)
        return _render(e.code)

    @app.errorhandler(Exception)
    def _crash(e: Exception):
        app.logger.exception("Unhandled error")
        return _render(500)
