"""A real OpenID provider for the single sign-on tests, run by the suite on a free local port.

Hearth's sign-in (hearth.web.sso) talks plain HTTP to it exactly as it talks to Microsoft
Entra ID or Google: it reads ``/.well-known/openid-configuration``, sends the browser to
``/authorize`` (authorization code with PKCE, state and nonce), changes the code at
``/token`` (client secret, HTTP Basic) and checks the ID token's RS256 signature with the keys
at ``/jwks``. Nothing in Hearth is replaced: the provider is Authlib's own server side
(AuthorizationServer, the authorization code grant, the OpenIDCode and PKCE extensions),
signing with an RSA key it makes at start (joserfc, the JOSE library Authlib itself uses;
``authlib.jose`` is deprecated).

A test changes who is in which group (``provider.users[...].groups``) between sign-ins, and
can make the provider misbehave the ways a token can be wrong: ``forged_by`` hands out ID
tokens made by another provider (its issuer and its key), ``claimed_issuer`` puts another
issuer in tokens signed with this provider's own key.

``/authorize`` is a tiny sign-in page (choose the user, press Continue) for the browser test;
a web test posts the same form with ``sign_in_as`` and follows the redirect itself.
"""
from __future__ import annotations

import html
import secrets
import threading
import time
from dataclasses import dataclass, field

import requests
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server

CODE_SECONDS = 300


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@dataclass
class ProviderUser:
    """Someone the provider knows: their groups are what the council maps to Hearth roles."""
    username: str
    email: str
    name: str
    groups: list[str] = field(default_factory=list)
    subject: str = field(default_factory=lambda: secrets.token_hex(8))


@dataclass
class _Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        return " ".join(name for name in (scope or "").split() if name in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class _Code:
    code: str
    user: ProviderUser
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    issued_at: float = field(default_factory=time.time)

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return int(self.issued_at)

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class OidcProvider:
    """One issuer, one client (Hearth), its users; ``with OidcProvider() as provider:``."""

    def __init__(self, client_id: str | None = None):
        self.client = _Client(client_id or f"hearth-{secrets.token_hex(4)}", secrets.token_urlsafe(24), [])
        self.users: dict[str, ProviderUser] = {}
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(6), "use": "sig", "alg": "RS256"})
        self.forged_by: OidcProvider | None = None
        self.claimed_issuer: str | None = None
        self._codes: dict[str, _Code] = {}
        self._nonces: set[str] = set()
        self._lock = threading.Lock()
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True, request_handler=_Quiet)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> OidcProvider:
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_user(self, username: str, email: str, name: str, groups: list[str]) -> ProviderUser:
        user = ProviderUser(username, email, name, list(groups))
        self.users[username] = user
        return user

    def sign_in_as(self, authorize_url: str, username: str) -> str:
        """Post the sign-in page as ``username`` would: the address the provider sends the
        browser back to (Hearth's callback, with the code and state, or an error)."""
        answer = requests.post(authorize_url, data={"username": username}, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        return answer.headers["Location"]

    # ------------------------------------------------------------ what the ID token says
    def _signer(self) -> OidcProvider:
        return self.forged_by or self

    def _user_info(self, user: ProviderUser, scope: str) -> UserInfo:
        info = UserInfo(sub=user.subject, groups=list(user.groups))
        if "email" in scope:
            info.update(email=user.email, email_verified=True)
        if "profile" in scope:
            info["name"] = user.name
        return info

    def _app(self) -> Flask:
        app = Flask(__name__)
        provider = self

        class OpenIDCodeOfThisProvider(OpenIDCode):
            def resolve_client_private_key(self, client):
                return provider._signer().key

            def get_client_claims(self, client):
                signer = provider._signer()
                return {"iss": provider.claimed_issuer or signer.issuer, "aud": [client.client_id]}

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": provider._signer().key.kid}

            def exists_nonce(self, nonce, request):
                with provider._lock:
                    return nonce in provider._nonces

            def generate_user_info(self, user, scope):
                return provider._user_info(user, scope)

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                data = request.payload.data
                with provider._lock:
                    provider._codes[code] = _Code(code, request.user, request.payload.redirect_uri,
                                                  request.payload.scope, data.get("nonce"),
                                                  data.get("code_challenge"), data.get("code_challenge_method"))
                    if data.get("nonce"):
                        provider._nonces.add(data["nonce"])

            def query_authorization_code(self, code, client):
                with provider._lock:
                    found = provider._codes.get(code)
                if found is None or time.time() - found.issued_at > CODE_SECONDS:
                    return None
                return found

            def delete_authorization_code(self, authorization_code):
                with provider._lock:
                    provider._codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        server = AuthorizationServer(app, query_client=lambda client_id: (
            self.client if client_id == self.client.client_id else None), save_token=lambda token, request: None)
        server.register_grant(CodeGrant, [OpenIDCodeOfThisProvider(require_nonce=True), CodeChallenge(required=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "email", "profile"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "email", "name", "groups"],
            })

        @app.get("/jwks")
        def jwks():
            return jsonify({"keys": [self.key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize_page():
            try:
                server.get_consent_grant(end_user=None)
            except OAuth2Error as error:
                return jsonify(dict(error.get_body())), 400
            options = "".join(f'<option value="{html.escape(name)}">{html.escape(user.name)}</option>'
                              for name, user in self.users.items())
            return (f'<!doctype html><html lang="en"><head><title>Test identity provider</title></head>'
                    f'<body><main><h1>Test identity provider</h1><form method="post">'
                    f'<label for="username">Who are you?</label> <select id="username" name="username">{options}'
                    f'</select> <button type="submit">Continue</button></form></main></body></html>')

        @app.post("/authorize")
        def authorize():
            user = self.users.get(request.form.get("username", ""))
            grant = server.get_consent_grant(end_user=user)
            return server.create_authorization_response(grant_user=user, grant=grant)

        @app.post("/token")
        def token():
            return server.create_token_response()

        return app
