"""Single sign-on by OpenID Connect: each council's own identity provider, as its council.yaml
sets it (``sign_in.single_sign_on``, hearth.engine.council_settings).

The protocol is Authlib's (its Flask client): the authorization code flow with PKCE (S256), a
state that ties the provider's answer to the browser that asked, and a nonce that ties the ID
token to that request. The ID token is checked here, never trusted as sent: its signature by
one of the provider's keys (JWKS), its issuer equal to the council's configured issuer
*exactly* (so no other council's provider, nor a provider that names another, can sign anyone
in), its audience our client id, its expiry and its nonce.

A client is made for each sign-in from the council's settings in force at that moment (a
publication that changes them takes effect at the next sign-in) and the client secret is read
from the environment variable the settings name, at use time: the secret never sits in a
policy file, which every policy officer can read. (Authlib's ``OAuth`` registry is not used:
it keeps one client per name for the life of the process, with the settings it was first
given; its FlaskOAuth2App, made here per sign-in, is the same client.) What each provider publishes about itself
(its discovery document and keys) is remembered for an hour, in the project's one cache
pattern (cachetools, as hearth.web.policy_library does).

Which council a sign-in is for travels with its state in the signed session cookie, so one
redirect URI, ``/sso/callback``, serves every council.
"""
from __future__ import annotations

import os
import threading
import time

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from authlib.oidc.core import CodeIDToken
from cachetools import TTLCache
from flask import current_app, request, session, url_for
from joserfc.errors import JoseError

from hearth.engine import api
from hearth.engine.council_settings import SingleSignOn

from .evaluation import today

# The name Authlib keeps each sign-in's state under in the session (one for every council:
# the council is in the state's data).
STATE_NAME = "hearth-sso"
_STATE_PREFIX = f"_state_{STATE_NAME}_"
# How long a provider's discovery document and keys are remembered, and for how many providers.
DISCOVERY_SECONDS = 3600
KEPT_PROVIDERS = 64
# How long Hearth waits for a provider's answer; and how long a sign-in started may take.
HTTP_TIMEOUT = 10
STATE_SECONDS = 600
# Clock difference allowed when checking an ID token's times.
LEEWAY_SECONDS = 60
REQUIRED_METADATA = ("authorization_endpoint", "token_endpoint", "jwks_uri")
# What of a provider's discovery document the client is given (nothing else it publishes
# can change how Hearth's client behaves).
USED_METADATA = ("issuer", *REQUIRED_METADATA, "jwks", "id_token_signing_alg_values_supported",
                 "token_endpoint_auth_methods_supported")

_lock = threading.Lock()
_discovered: TTLCache = TTLCache(maxsize=KEPT_PROVIDERS, ttl=DISCOVERY_SECONDS)


class SsoUnavailable(Exception):
    """Sign-in cannot happen because of how single sign-on is set up, or because the provider
    cannot be reached: said plainly to the person (``message``), with a short ``reason`` for the
    audit. Nothing about the person is wrong."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


class SsoRefused(Exception):
    """The provider's answer does not sign anyone in (a state, nonce, issuer, audience or
    signature that does not match, or the provider said no): ``reason`` is for the audit."""

    def __init__(self, reason: str, detail: str = "", audited: bool = False):
        super().__init__(reason)
        self.reason, self.detail, self.audited = reason, detail, audited


def settings_of(council_id: str) -> SingleSignOn | None:
    """The council's single sign-on settings in force today, or None (no such council, or it
    signs in with passwords)."""
    try:
        council = api.get_council(council_id, on=today())
    except api.UnknownCouncil:
        return None
    return council.settings.sign_in.single_sign_on


def councils_with_sso() -> list[tuple[str, str]]:
    """(council id, "Sign in with" label) of every council that has single sign-on set up."""
    return [(council.id, council.settings.sign_in.single_sign_on.label)
            for council in api.list_councils() if council.settings.sign_in.single_sign_on is not None]


def forget_providers() -> None:
    """Read every provider's discovery document and keys again at the next sign-in."""
    with _lock:
        _discovered.clear()


def _fetch_json(url: str) -> dict:
    answer = requests.get(url, timeout=HTTP_TIMEOUT, headers={"Accept": "application/json"})
    answer.raise_for_status()
    found = answer.json()
    if not isinstance(found, dict):
        raise ValueError("not a JSON object")
    return found


def discover(issuer: str) -> dict:
    """The provider's discovery document with its keys (``jwks``), remembered for an hour.
    Its ``issuer`` must be the configured issuer exactly (OpenID Connect Discovery 4.3): a
    document naming another issuer is a mix-up, and nothing is signed in with it."""
    with _lock:
        found = _discovered.get(issuer)
    if found is not None:
        return found
    address = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        metadata = _fetch_json(address)
        missing = [key for key in REQUIRED_METADATA if not isinstance(metadata.get(key), str)]
        if missing:
            raise ValueError(f"no {missing[0]}")
        metadata["jwks"] = _fetch_json(metadata["jwks_uri"])
    except (requests.RequestException, ValueError) as error:
        raise SsoUnavailable("provider_unreachable",
                             f"Hearth could not read the identity provider's settings at {address} "
                             f"({type(error).__name__}).") from None
    if metadata.get("issuer") != issuer:
        raise SsoUnavailable("issuer_mismatch",
                             "The identity provider says its issuer is not the one this council's "
                             "council.yaml names, so Hearth will not trust it.")
    with _lock:
        _discovered[issuer] = metadata
    return metadata


def client_secret(settings: SingleSignOn) -> str:
    """The client secret, from the environment variable the settings name (or the app's
    config of that name), read now: council IT may set or rotate it without a deploy."""
    secret = current_app.config.get(settings.client_secret_from) or os.environ.get(settings.client_secret_from)
    if not secret:
        raise SsoUnavailable("client_secret_missing",
                             f"The client secret is not set: the environment variable "
                             f"{settings.client_secret_from} named by council.yaml is empty or missing.")
    return secret


def _client(settings: SingleSignOn) -> FlaskOAuth2App:
    """An Authlib client for the council's provider, from its settings as they are now."""
    discovered = discover(settings.issuer)
    metadata = {key: discovered[key] for key in USED_METADATA if key in discovered}
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth_method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    integration = FlaskIntegration(STATE_NAME)
    integration.expires_in = STATE_SECONDS
    return FlaskOAuth2App(integration, STATE_NAME, client_id=settings.client_id,
                          client_secret=client_secret(settings),
                          client_kwargs={"scope": " ".join(settings.scopes), "code_challenge_method": "S256",
                                         "token_endpoint_auth_method": auth_method,
                                         "default_timeout": HTTP_TIMEOUT},
                          **metadata)


def authorization_url(council_id: str, settings: SingleSignOn) -> str:
    """Where to send the browser to sign in with the council's provider; the state, nonce,
    PKCE verifier and the council are kept in the session until the provider answers."""
    client = _client(settings)
    redirect_uri = url_for("sso.callback", _external=True)
    for key in [key for key in session if key.startswith(_STATE_PREFIX)]:
        session.pop(key)   # one sign-in at a time: abandoned ones must not pile up in the cookie
    try:
        started = client.create_authorization_url(redirect_uri)
    except requests.RequestException:
        raise SsoUnavailable("provider_unreachable", "Hearth could not reach the identity provider.") from None
    client.save_authorize_data(redirect_uri=redirect_uri, council_id=council_id, **started)
    return started["url"]


def pending_council() -> str | None:
    """The council the sign-in the provider is answering was started for (from its state), or
    None when this browser started no sign-in with that state."""
    kept = session.get(_STATE_PREFIX + request.args.get("state", "")[:200])
    if not isinstance(kept, dict) or not isinstance(kept.get("data"), dict) or kept.get("exp", 0) < time.time():
        return None   # Authlib keeps an expiry with the state but does not check it: Hearth does
    return kept["data"].get("council_id")


def finish(settings: SingleSignOn) -> dict:
    """The provider's answer, checked: the ID token's claims. SsoRefused when anything does
    not match; SsoUnavailable when the provider cannot be reached or is set up wrong."""
    client = _client(settings)
    claims_options = {"iss": {"essential": True, "value": settings.issuer},
                      "aud": {"essential": True, "value": settings.client_id},
                      "sub": {"essential": True}, "exp": {"essential": True}, "nonce": {"essential": True}}
    try:
        token = client.authorize_access_token(claims_options=claims_options, claims_cls=CodeIDToken,
                                              leeway=LEEWAY_SECONDS)
    except MismatchingStateError:
        raise SsoRefused("state_mismatch") from None
    except OAuthError as error:
        raise SsoRefused("provider_error", str(error.error or "")[:100]) from None
    except JoseError as error:
        raise SsoRefused("id_token_invalid", f"{type(error).__name__}: {getattr(error, 'error', '')}"[:100]) from None
    except requests.RequestException:
        raise SsoUnavailable("provider_unreachable", "Hearth could not reach the identity provider.") from None
    claims = token.get("userinfo")
    if not claims:
        raise SsoRefused("no_id_token")
    return dict(claims)
