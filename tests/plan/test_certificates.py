"""Certificates checked at plan time: missing or not ISSUED fails the plan naming the ARN; expiring soon
and hosts no certificate covers are warnings."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from albctl.errors import RefusedError
from albctl.plan.planner import DesiredStack
from albctl.usecases import check_certificates

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
ARN = "arn:aws:acm:us-east-1:123456789012:certificate/abc"


def stack(*hosts: str) -> DesiredStack:
    rules = {f"443:{n}": {"spec": {"priority": n, "conditions": [{"field": "host-header", "values": [h]}],
                                   "actions": []}} for n, h in enumerate(hosts, 1)}
    return DesiredStack("ns/web", {
        "AWS::ElasticLoadBalancingV2::Listener": {"443": {"spec": {"port": 443, "protocol": "HTTPS",
                                                                   "certificates": [{"certificateARN": ARN}]}}},
        "AWS::ElasticLoadBalancingV2::ListenerRule": rules})


def cert(status: str = "ISSUED", days: int = 300, domains: tuple[str, ...] = ("*.example.com",)) -> dict[str, Any]:
    return {"Status": status, "NotAfter": NOW + timedelta(days=days), "DomainName": domains[0],
            "SubjectAlternativeNames": list(domains)}


def test_a_good_certificate_gives_no_warning() -> None:
    assert check_certificates([stack("a.example.com")], {ARN: cert()}, "us-east-1", NOW) == ()


def test_a_missing_certificate_fails_the_plan_with_its_arn_and_region() -> None:
    with pytest.raises(RefusedError, match=f"certificate {ARN} does not exist in ACM \\(region eu-west-1\\)"):
        check_certificates([stack("a.example.com")], {ARN: None}, "eu-west-1", NOW)


def test_a_certificate_not_issued_fails_the_plan() -> None:
    with pytest.raises(RefusedError, match="is PENDING_VALIDATION, not ISSUED"):
        check_certificates([stack("a.example.com")], {ARN: cert("PENDING_VALIDATION")}, "us-east-1", NOW)


def test_expiring_within_30_days_and_expired_are_warnings() -> None:
    (warning,) = check_certificates([stack("a.example.com")], {ARN: cert(days=10)}, "us-east-1", NOW)
    assert "expires on 2030-01-11, within 30 days" in warning and "listener 443" in warning
    (warning,) = check_certificates([stack("a.example.com")], {ARN: cert(days=-1)}, "us-east-1", NOW)
    assert "expired on 2029-12-31" in warning
    assert check_certificates([stack("a.example.com")], {ARN: cert(days=31)}, "us-east-1", NOW) == ()


def test_a_host_no_certificate_covers_is_named() -> None:
    warnings = check_certificates([stack("a.example.com", "a.b.example.com", "shop.example.org")],
                                  {ARN: cert()}, "us-east-1", NOW)
    assert [w.split(": ", 1)[1] for w in warnings] == [
        "host a.b.example.com is covered by none of its certificates (*.example.com)",
        "host shop.example.org is covered by none of its certificates (*.example.com)"]
