"""Authentication actions, as the controller builds them (``pkg/ingress/auth_config_builder.go``,
``enhanced_backend_builder.go``, ``model_build_actions.go``): ``auth-type`` oidc / cognito with its
``auth-*`` settings, and ``jwt-validation``. On HTTPS listeners only, they come first in a rule's
actions (and a listener's default actions), before the backend action.

The ``auth-*`` annotations are read from the Ingress, and from the Service when the backend forwards
to exactly one Service (its annotations win). ``jwt-validation`` is read from the Ingress only.

OIDC client credentials
-----------------------
The controller reads ``clientID`` (or the legacy ``clientId``) and ``clientSecret`` from the Secret
named by ``auth-idp-oidc``'s ``secretName``, in the Ingress's namespace. albctl reads that Secret from
the inputs (``stringData`` wins over base64 ``data``, as the API server merges them). When the Secret
is not among the inputs (secrets kept out of the manifests given to albctl), the credentials come
from two environment variables::

    ALBCTL_OIDC_CLIENT_ID_<NAMESPACE>_<SECRET>
    ALBCTL_OIDC_CLIENT_SECRET_<NAMESPACE>_<SECRET>

``<NAMESPACE>`` and ``<SECRET>`` are the names upper-cased, with every character other than A-Z and
0-9 replaced by ``_``: Secret ``oidc-creds`` in namespace ``web`` is read from
``ALBCTL_OIDC_CLIENT_ID_WEB_OIDC_CREDS`` and ``ALBCTL_OIDC_CLIENT_SECRET_WEB_OIDC_CREDS``. The model
stays pure: the variables reach it through ``Settings.auth_env`` (fill it with :func:`oidc_env`).

The client secret never appears in any output: ``AuthenticateOidcConfig.client_secret`` is
``repr=False`` and ``to_data`` writes ``"<secret>"`` for it. ``apply`` gets the real values from the
desired stack with :func:`client_secrets` and hands them to the executor (``albctl.apply.executor``),
which fills the ``$secret`` markers of the plan's calls.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from typing import Any

from albctl.manifests.objects import Secret
from albctl.model.stack import (
    Action,
    AuthenticateCognitoConfig,
    AuthenticateOidcConfig,
    JwtAdditionalClaim,
    JwtValidationConfig,
    ListenerRuleSpec,
    ListenerSpec,
    Stack,
)

ENV_PREFIX = "ALBCTL_OIDC_"
DEFAULTS = {
    "auth-type": "none",
    "auth-on-unauthenticated-request": "authenticate",
    "auth-scope": "openid",
    "auth-session-cookie": "AWSELBAuthSessionCookie",
    "auth-session-timeout": 604800,
}
AUTH_ANNOTATIONS = ("auth-type", "auth-idp-cognito", "auth-idp-oidc", "auth-on-unauthenticated-request",
                    "auth-scope", "auth-session-cookie", "auth-session-timeout")


class AuthProblem(ValueError):
    """Auth settings that do not make an action; ``annotation`` is the suffix at fault."""

    def __init__(self, message: str, annotation: str) -> None:
        super().__init__(message)
        self.annotation = annotation


def merged_values(ingress: Mapping[str, Any], service: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``auth-*`` values in effect: the Ingress's, with the Service's on top (the controller's
    ``MergeStringMap(svc.Annotations, ing.Annotations)``)."""
    values = {k: v for k, v in ingress.items() if k in AUTH_ANNOTATIONS}
    values.update({k: v for k, v in (service or {}).items() if k in AUTH_ANNOTATIONS})
    return values


def env_names(namespace: str, secret_name: str) -> tuple[str, str]:
    """The (client id, client secret) environment variables for a Secret not in the inputs."""
    suffix = f"{_env_part(namespace)}_{_env_part(secret_name)}"
    return f"{ENV_PREFIX}CLIENT_ID_{suffix}", f"{ENV_PREFIX}CLIENT_SECRET_{suffix}"


def _env_part(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def oidc_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The ``ALBCTL_OIDC_*`` variables of an environment, for ``Settings.auth_env``."""
    return {k: v for k, v in environ.items() if k.startswith(ENV_PREFIX)}


def auth_action(values: Mapping[str, Any], namespace: str, secrets: Mapping[tuple[str, str], Secret],
                env: Mapping[str, str]) -> Action | None:
    """The authenticate action of ``auth-type`` (``None`` for ``none``)."""
    kind = values.get("auth-type", DEFAULTS["auth-type"])
    if kind == "cognito":
        return _cognito(values)
    if kind == "oidc":
        return _oidc(values, namespace, secrets, env)
    return None


def _common(values: Mapping[str, Any]) -> dict[str, Any]:
    def pick(key: str) -> Any:
        return values.get(key, DEFAULTS[key])

    return {
        "on_unauthenticated_request": pick("auth-on-unauthenticated-request"),
        "scope": pick("auth-scope"),
        "session_cookie_name": pick("auth-session-cookie"),
        "session_timeout": int(pick("auth-session-timeout")),
    }


def _cognito(values: Mapping[str, Any]) -> Action:
    idp = values.get("auth-idp-cognito")
    if idp is None:
        raise AuthProblem("auth-type is cognito but auth-idp-cognito is not set (missing IDPConfigCognito)",
                          "auth-idp-cognito")
    return Action("authenticate-cognito", authenticate_cognito_config=AuthenticateCognitoConfig(
        user_pool_arn=idp["userPoolARN"],
        user_pool_client_id=idp["userPoolClientID"],
        user_pool_domain=idp["userPoolDomain"],
        authentication_request_extra_params=dict(idp.get("authenticationRequestExtraParams") or {}),
        **_common(values)))


def _oidc(values: Mapping[str, Any], namespace: str, secrets: Mapping[tuple[str, str], Secret],
          env: Mapping[str, str]) -> Action:
    idp = values.get("auth-idp-oidc")
    if idp is None:
        raise AuthProblem("auth-type is oidc but auth-idp-oidc is not set (missing IDPConfigOIDC)", "auth-idp-oidc")
    client_id, client_secret = oidc_credentials(namespace, idp["secretName"], secrets, env)
    return Action("authenticate-oidc", authenticate_oidc_config=AuthenticateOidcConfig(
        issuer=idp["issuer"],
        authorization_endpoint=idp["authorizationEndpoint"],
        token_endpoint=idp["tokenEndpoint"],
        user_info_endpoint=idp["userInfoEndpoint"],
        client_id=client_id,
        client_secret=client_secret,
        authentication_request_extra_params=dict(idp.get("authenticationRequestExtraParams") or {}),
        **_common(values)))


def oidc_credentials(namespace: str, secret_name: str, secrets: Mapping[tuple[str, str], Secret],
                     env: Mapping[str, str]) -> tuple[str, str]:
    """(client id, client secret): from the Secret in the inputs, else from the environment."""
    secret = secrets.get((namespace, secret_name))
    if secret is not None:
        return _from_secret(secret)
    id_var, secret_var = env_names(namespace, secret_name)
    missing = [v for v in (id_var, secret_var) if not env.get(v)]
    if missing:
        raise AuthProblem(
            f"auth-idp-oidc secretName {secret_name!r}: Secret {namespace}/{secret_name} is not in the inputs "
            f"and {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set (give the Secret "
            "manifest, or set both environment variables)", "auth-idp-oidc")
    return _trim(env[id_var], str.isspace), _trim(env[secret_var], _is_control)


def _from_secret(secret: Secret) -> tuple[str, str]:
    ref = secret.meta.key
    raw_id = _secret_value(secret, "clientID")
    if raw_id is None:
        raw_id = _secret_value(secret, "clientId")  # the legacy AWSALBIngressController key
    if raw_id is None:
        raise AuthProblem(f"Secret {ref} has no clientID (missing clientID, secret: {ref})", "auth-idp-oidc")
    raw_secret = _secret_value(secret, "clientSecret")
    if raw_secret is None:
        raise AuthProblem(f"Secret {ref} has no clientSecret (missing clientSecret, secret: {ref})", "auth-idp-oidc")
    return _trim(raw_id, str.isspace), _trim(raw_secret, _is_control)


def _secret_value(secret: Secret, key: str) -> str | None:
    if key in secret.string_data:
        return str(secret.string_data[key])
    if key not in secret.data:
        return None
    try:
        return base64.b64decode(str(secret.data[key]), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise AuthProblem(f"Secret {secret.meta.key}: data.{key} is not valid base64 UTF-8 text",
                          "auth-idp-oidc") from None


def _is_control(ch: str) -> bool:
    """Go's unicode.IsControl: C0 and C1 control characters."""
    return ord(ch) <= 0x1F or 0x7F <= ord(ch) <= 0x9F


def _trim(value: str, drop: Callable[[str], bool]) -> str:
    """Go's strings.TrimRightFunc."""
    end = len(value)
    while end and drop(value[end - 1]):
        end -= 1
    return value[:end]


def jwt_action(values: Mapping[str, Any]) -> Action | None:
    """The ``jwt-validation`` action of an Ingress's annotations (``None`` when not set)."""
    cfg = values.get("jwt-validation")
    if cfg is None:
        return None
    claims = tuple(JwtAdditionalClaim(c["format"], c["name"], tuple(c["values"]))
                   for c in cfg.get("additionalClaims") or [])
    return Action("jwt-validation", jwt_validation_config=JwtValidationConfig(cfg["jwksEndpoint"], cfg["issuer"],
                                                                              claims))


def client_secrets(stack: Stack) -> dict[str, str]:
    """OIDC client id → client secret, for every authenticate-oidc action of a desired stack: what
    the executor needs for the plan's ``$secret`` markers, since ``to_data`` masks the secrets."""
    out: dict[str, str] = {}
    for res in stack.resources:
        spec = res.spec
        items: tuple[Action, ...] = ()
        if isinstance(spec, ListenerSpec):
            items = spec.default_actions
        elif isinstance(spec, ListenerRuleSpec):
            items = spec.actions
        for item in items:
            if item.authenticate_oidc_config is not None:
                cfg = item.authenticate_oidc_config
                out[cfg.client_id] = cfg.client_secret
    return out
