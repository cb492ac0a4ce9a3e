"""The cluster's worker nodes, for instance-mode targets."""

from __future__ import annotations

from albctl.aws.session import AwsClients, aws_call


def discover_nodes(clients: AwsClients, cluster: str) -> list[str]:
    """Running EC2 instances tagged ``kubernetes.io/cluster/<cluster>`` (one paginated call), sorted."""
    filters = [{"Name": "tag-key", "Values": [f"kubernetes.io/cluster/{cluster}"]},
               {"Name": "instance-state-name", "Values": ["running"]}]
    ids: list[str] = []
    with aws_call("DescribeInstances"):
        for page in clients.ec2.get_paginator("describe_instances").paginate(Filters=filters):
            ids += [i["InstanceId"] for r in page["Reservations"] for i in r["Instances"]]
    return sorted(ids)
