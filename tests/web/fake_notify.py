"""A stand-in for GOV.UK Notify's API, for tests that run the real client against it.

A tiny Flask app on a free local port, in a thread: ``POST /v2/notifications/email`` checks
the ``Authorization: Bearer <JWT>`` header the official client sends (signed with the API
key's secret, issued by its service id, recent), as Notify does, records the body and
answers 201 with a notification id; a bad token is a 403 with Notify's error shape. Tests
read ``sent`` (the bodies accepted) and ``refused`` (the reasons tokens were refused).
"""
from __future__ import annotations

import threading
import time
import uuid

from flask import Flask, jsonify, request
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError
from werkzeug.serving import WSGIRequestHandler, make_server


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class FakeNotify:
    """Notify's email endpoint for one service, its key ``api_key``."""

    def __init__(self):
        self.service_id, self.secret = str(uuid.uuid4()), str(uuid.uuid4())
        self.api_key = f"hearth_test-{self.service_id}-{self.secret}"
        self.sent: list[dict] = []
        self.refused: list[str] = []
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True, request_handler=_Quiet)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeNotify:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, seconds: float = 20) -> list[dict]:
        """The bodies accepted, once there are at least ``count`` (or when time is up)."""
        deadline = time.monotonic() + seconds
        while len(self.sent) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.sent)

    def _app(self) -> Flask:
        app = Flask(__name__)

        @app.post("/v2/notifications/email")
        def email():
            problem = self._token_problem(request.headers.get("Authorization", ""))
            if problem:
                with self._lock:
                    self.refused.append(problem)
                return jsonify({"status_code": 403, "errors": [{"error": "AuthError", "message": problem}]}), 403
            body = request.get_json(force=True)
            missing = [key for key in ("email_address", "template_id") if not body.get(key)]
            if missing:
                return jsonify({"status_code": 400, "errors": [{"error": "ValidationError",
                                                               "message": f"{missing[0]} is a required property"}]}), 400
            notification = str(uuid.uuid4())
            with self._lock:
                self.sent.append(body)
            return jsonify({"id": notification, "reference": None, "uri": f"{self.base_url}/v2/notifications/{notification}",
                            "template": {"id": body["template_id"], "version": 1, "uri": ""},
                            "content": {"subject": "", "body": "", "from_email": "hearth@notify.test"}}), 201

        return app

    def _token_problem(self, header: str) -> str | None:
        scheme, _, token = header.partition(" ")
        if scheme != "Bearer" or not token:
            return "Unauthorized: authentication token must be provided"
        try:
            if get_token_issuer(token) != self.service_id:
                return "Invalid token: service not found"
            decode_jwt_token(token, self.secret)
        except TokenError as exc:
            return f"Invalid token: {exc.message if hasattr(exc, 'message') else exc}"
        return None
