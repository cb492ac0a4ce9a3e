"""Authentication actions (auth-type oidc / cognito, jwt-validation) and how their secrets stay secret."""

import base64
import json

import pytest

from albctl.apply.executor import Executor, MissingSecretError
from albctl.elbv2 import actions
from albctl.elbv2.call import Call
from albctl.model.auth import client_secrets, env_names, oidc_env
from albctl.model.serialize import stack_data, to_data
from albctl.model.stack import LISTENER, LISTENER_RULE, SECRET_MASK
from albctl.plan.model import Operation, Step
from albctl.settings import Settings
from tests.model.helpers import SETTINGS, errors, ingress, service, stacks

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
OIDC = {"issuer": "https://idp.example.com", "authorizationEndpoint": "https://idp.example.com/auth",
        "tokenEndpoint": "https://idp.example.com/token", "userInfoEndpoint": "https://idp.example.com/userinfo",
        "secretName": "oidc"}
COGNITO = {"userPoolARN": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
           "userPoolClientID": "client-1", "userPoolDomain": "auth.example.com"}
SECRET_VALUE = "s3cr3t-value"


def b64(text):
    return base64.b64encode(text.encode()).decode()


def secret(name="oidc", namespace="default", client_id="my-client", client_secret=SECRET_VALUE, key="clientID",
           string_data=False):
    body = (f"stringData: {{{key}: '{client_id}', clientSecret: '{client_secret}'}}" if string_data else
            f"data: {{{key}: '{b64(client_id)}', clientSecret: '{b64(client_secret)}'}}")
    return f"apiVersion: v1\nkind: Secret\nmetadata: {{name: {name}, namespace: {namespace}}}\n{body}\n"


def https(extra=None, **kw):
    ann = {"certificate-arn": CERT, "listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]', **(extra or {})}
    return ingress(annotations=ann, **kw)


def one(*docs, **kw):
    (stack,) = stacks(*docs, **kw)
    return stack


def rule(stack, rid):
    return next(r.spec for r in stack.of_type(LISTENER_RULE) if r.id == rid)


def test_oidc_action_comes_first_on_https_only_with_defaults():
    st = one(https({"auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}), service(), secret())
    assert [a.type for a in rule(st, "443:1").actions] == ["authenticate-oidc", "forward"]
    assert [a.type for a in rule(st, "80:1").actions] == ["forward"]
    cfg = rule(st, "443:1").actions[0].authenticate_oidc_config
    assert (cfg.issuer, cfg.client_id, cfg.client_secret) == (OIDC["issuer"], "my-client", SECRET_VALUE)
    assert (cfg.on_unauthenticated_request, cfg.scope, cfg.session_cookie_name, cfg.session_timeout) == (
        "authenticate", "openid", "AWSELBAuthSessionCookie", 604800)


def test_secret_never_shows_in_repr_or_data():
    st = one(https({"auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}), service(), secret())
    action = rule(st, "443:1").actions[0]
    assert SECRET_VALUE not in repr(st)
    data = to_data(action)
    assert data["authenticateOIDCConfig"]["clientSecret"] == SECRET_MASK
    assert data["authenticateOIDCConfig"]["clientID"] == "my-client"
    assert SECRET_VALUE not in json.dumps(stack_data(st))


def test_string_data_legacy_client_id_key_and_trimming():
    doc = secret(client_id="legacy-id  ", key="clientId", string_data=True)
    st = one(https({"auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}), service(), doc)
    cfg = rule(st, "443:1").actions[0].authenticate_oidc_config
    assert cfg.client_id == "legacy-id"


def test_control_characters_trimmed_from_client_secret():
    st = one(https({"auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}), service(),
             secret(client_secret="abc \r\n"))  # base64 of a value ending in a newline, as `echo | base64` makes
    assert rule(st, "443:1").actions[0].authenticate_oidc_config.client_secret == "abc "
    env = {"ALBCTL_OIDC_CLIENT_ID_DEFAULT_OIDC": "id", "ALBCTL_OIDC_CLIENT_SECRET_DEFAULT_OIDC": "sec\r\n"}
    st = one(https({"auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}), service(),
             settings=Settings(cluster_name="c", auth_env=env))
    assert rule(st, "443:1").actions[0].authenticate_oidc_config.client_secret == "sec"


def test_missing_secret_falls_back_to_environment():
    env = oidc_env({"ALBCTL_OIDC_CLIENT_ID_DEFAULT_OIDC": "env-id", "ALBCTL_OIDC_CLIENT_SECRET_DEFAULT_OIDC": "zq-9",
                    "HOME": "/root"})
    assert "HOME" not in env
    st = one(https({"auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}), service(),
             settings=Settings(cluster_name="c", auth_env=env))
    assert rule(st, "443:1").actions[0].authenticate_oidc_config.client_id == "env-id"
    assert "zq-9" not in repr(Settings(auth_env=env))


def test_env_names_are_upper_case_with_underscores():
    assert env_names("web-apps", "oidc.creds") == ("ALBCTL_OIDC_CLIENT_ID_WEB_APPS_OIDC_CREDS",
                                                   "ALBCTL_OIDC_CLIENT_SECRET_WEB_APPS_OIDC_CREDS")


def test_missing_secret_and_env_is_an_error_naming_both():
    (message,) = errors(https({"auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}), service())
    assert "Secret default/oidc is not in the inputs" in message
    assert "ALBCTL_OIDC_CLIENT_ID_DEFAULT_OIDC" in message and "ALBCTL_OIDC_CLIENT_SECRET_DEFAULT_OIDC" in message
    assert "auth-idp-oidc" in message


def test_secret_without_client_secret_is_an_error():
    doc = ("apiVersion: v1\nkind: Secret\nmetadata: {name: oidc, namespace: default}\n"
           f"data: {{clientID: {b64('a')}}}\n")
    (message,) = errors(https({"auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}), service(), doc)
    assert "missing clientSecret, secret: default/oidc" in message


def test_secret_is_read_from_the_ingress_namespace():
    (message,) = errors(https({"auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}), service(),
                        secret(namespace="other"))
    assert "Secret default/oidc is not in the inputs" in message


def test_oidc_without_idp_config_is_an_error_on_https_only():
    (message,) = errors(https({"auth-type": "oidc"}), service())
    assert "auth-idp-oidc is not set" in message
    assert not errors(ingress(annotations={"auth-type": "oidc"}), service())  # HTTP only: no auth action


def test_cognito_with_custom_settings():
    ann = {"auth-type": "cognito", "auth-idp-cognito": json.dumps({**COGNITO, "authenticationRequestExtraParams":
                                                                  {"display": "page"}}),
           "auth-on-unauthenticated-request": "deny", "auth-scope": "email openid",
           "auth-session-cookie": "my-cookie", "auth-session-timeout": "3600"}
    st = one(https(ann), service())
    action = rule(st, "443:1").actions[0]
    assert action.type == "authenticate-cognito"
    cfg = action.authenticate_cognito_config
    assert (cfg.user_pool_arn, cfg.user_pool_client_id, cfg.user_pool_domain) == tuple(COGNITO.values())
    assert (cfg.on_unauthenticated_request, cfg.scope, cfg.session_cookie_name, cfg.session_timeout) == (
        "deny", "email openid", "my-cookie", 3600)
    data = to_data(action)["authenticateCognitoConfig"]
    assert data["userPoolARN"] == COGNITO["userPoolARN"] and data["userPoolClientID"] == "client-1"
    assert data["authenticationRequestExtraParams"] == {"display": "page"}


def test_service_auth_annotations_win_over_ingress():
    ing = https({"auth-type": "cognito", "auth-idp-cognito": json.dumps(COGNITO), "auth-scope": "from-ingress"})
    svc = service(annotations={"auth-scope": "from-service", "auth-type": "cognito"})
    st = one(ing, svc)
    assert rule(st, "443:1").actions[0].authenticate_cognito_config.scope == "from-service"
    off = one(ing, service(annotations={"auth-type": "none"}))
    assert [a.type for a in rule(off, "443:1").actions] == ["forward"]


def test_service_auth_not_merged_for_weighted_forward_to_two_services():
    actions = json.dumps({"type": "forward", "forwardConfig": {"targetGroups": [
        {"serviceName": "svc", "servicePort": 80, "weight": 50},
        {"serviceName": "svc2", "servicePort": 80, "weight": 50}]}})
    rules = ("- http:\n    paths:\n      - {path: /, pathType: Prefix, "
             "backend: {service: {name: split, port: {name: use-annotation}}}}")
    ing = https({"actions.split": actions}, rules=rules)
    svc = service(annotations={"auth-type": "cognito", "auth-idp-cognito": json.dumps(COGNITO)})
    st = one(ing, svc, service("svc2", node_port=30081))
    assert [a.type for a in rule(st, "443:1").actions] == ["forward"]


def test_auth_applies_to_the_default_backend_on_https():
    ing = https({"auth-type": "cognito", "auth-idp-cognito": json.dumps(COGNITO)},
                extra_spec="defaultBackend: {service: {name: svc, port: {number: 80}}}")
    st = one(ing, service())
    by_port = {r.id: [a.type for a in r.spec.default_actions] for r in st.of_type(LISTENER)}
    assert by_port == {"80": ["forward"], "443": ["authenticate-cognito", "forward"]}


def test_jwt_validation_on_https():
    jwt = {"jwksEndpoint": "https://idp.example.com/jwks", "issuer": "https://idp.example.com",
           "additionalClaims": [{"name": "scope", "format": "space-separated-values", "values": ["read", "write"]}]}
    st = one(https({"jwt-validation": json.dumps(jwt)}), service())
    action = rule(st, "443:1").actions[0]
    assert action.type == "jwt-validation"
    assert to_data(action)["jwtValidationConfig"] == jwt
    assert [a.type for a in rule(st, "80:1").actions] == ["forward"]


def test_jwt_validation_and_auth_together_is_an_error():
    jwt = {"jwksEndpoint": "https://idp.example.com/jwks", "issuer": "https://idp.example.com"}
    ann = {"jwt-validation": json.dumps(jwt), "auth-type": "cognito", "auth-idp-cognito": json.dumps(COGNITO)}
    (message,) = errors(https(ann), service())
    assert "can't both be configured" in message


# -- apply conversion -----------------------------------------------------------------------------


def test_convert_uses_the_real_secret_from_the_stack():
    st = one(https({"auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC), "auth-scope": "openid email"}),
             service(), secret())
    data = to_data(rule(st, "443:1").actions[0])
    secrets = client_secrets(st)
    assert secrets == {"my-client": SECRET_VALUE}
    out = Executor(None, secrets).resolve(actions.write_action(data, 1))
    assert out["Type"] == "authenticate-oidc" and out["Order"] == 1
    assert out["AuthenticateOidcConfig"] == {
        "Issuer": OIDC["issuer"], "AuthorizationEndpoint": OIDC["authorizationEndpoint"],
        "TokenEndpoint": OIDC["tokenEndpoint"], "UserInfoEndpoint": OIDC["userInfoEndpoint"],
        "ClientId": "my-client", "ClientSecret": SECRET_VALUE, "OnUnauthenticatedRequest": "authenticate",
        "Scope": "openid email", "SessionCookieName": "AWSELBAuthSessionCookie", "SessionTimeout": 604800}


def test_a_plan_never_holds_the_secret_and_apply_refuses_without_it():
    st = one(https({"auth-type": "oidc", "auth-idp-oidc": json.dumps(OIDC)}), service(), secret())
    data = to_data(rule(st, "443:1").actions[0])
    written = actions.write_actions([data])
    assert SECRET_VALUE not in json.dumps(written)
    assert written[0]["AuthenticateOidcConfig"]["ClientSecret"] == {"$secret": "my-client"}
    op = Operation(Step.CREATE, "s", LISTENER_RULE, "443:1", "443:1",
                   (Call("elbv2", "CreateRule", {"Actions": written}),))
    with pytest.raises(MissingSecretError, match="my-client"):
        Executor(None, {}).check([op])


def test_convert_cognito_and_jwt():
    st = one(https({"auth-type": "cognito", "auth-idp-cognito": json.dumps(COGNITO)}), service())
    out = actions.write_actions([to_data(a) for a in rule(st, "443:1").actions])
    assert [a["Type"] for a in out] == ["authenticate-cognito", "forward"] and [a["Order"] for a in out] == [1, 2]
    assert out[0]["AuthenticateCognitoConfig"]["UserPoolArn"] == COGNITO["userPoolARN"]
    jwt = actions.write_action({"type": "jwt-validation", "jwtValidationConfig": {
        "jwksEndpoint": "https://j", "issuer": "i", "additionalClaims": [
            {"format": "single-string", "name": "admin", "values": ["true"]}]}}, 1)
    assert jwt["JwtValidationConfig"] == {"JwksEndpoint": "https://j", "Issuer": "i", "AdditionalClaims": [
        {"Format": "single-string", "Name": "admin", "Values": ["true"]}]}


def test_default_settings_have_no_auth_env():
    assert SETTINGS.auth_env == {}
