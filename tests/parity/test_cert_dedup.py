"""Parity with ``Test_mergeListenPortConfigs_CertDedup`` (``pkg/ingress/model_builder_test.go``), case
"two ingresses with different literal cert tokens should merge both": two Ingresses of a group, each
with its own certificate on 443, give one HTTPS listener with both. (The other two cases need
certificates created by the controller, ``create-certificate``, which albctl does not model.)"""

from __future__ import annotations

from tests.parity.harness import Env, stacks_json
from tests.parity.inline import docs, ingress, service

ARN = "arn:aws:acm:us-east-1:123456789012:certificate/"


def test_two_ingresses_with_different_certificates_merge_both() -> None:
    group = {"group.name": "test-group", "listen-ports": '[{"HTTPS": 443}]'}
    text = docs(ingress("ing-a", "ns", {**group, "certificate-arn": ARN + "cert-a"}),
                ingress("ing-b", "ns", {**group, "certificate-arn": ARN + "cert-b"}, service="svc-2"),
                service("svc-1", "ns"), service("svc-2", "ns"))
    [stack] = stacks_json(text, Env())
    listener = stack["resources"]["AWS::ElasticLoadBalancingV2::Listener"]["443"]["spec"]
    # the controller's marshaller prints existing certificates as a reference to no resource
    assert listener["certificates"] == [{"certificateARN": {"$ref": "#/resources///status/certificateARN"}}] * 2
