"""The AWS tag keys by which albctl and aws-load-balancer-controller track what they own."""

CLUSTER_TAG = "elbv2.k8s.aws/cluster"  # value: the cluster name; albctl touches nothing without it
STACK_TAG = "ingress.k8s.aws/stack"  # value: the IngressGroup id
RESOURCE_TAG = "ingress.k8s.aws/resource"  # value: the resource id inside the stack
TRACKING_TAGS = (CLUSTER_TAG, STACK_TAG, RESOURCE_TAG)
# the cluster's shared backend security group carries this (value "backend-sg") instead of a stack tag
BACKEND_SG_RESOURCE_TAG = "elbv2.k8s.aws/resource"


def tracking_tags(cluster: str, stack_id: str, resource_id: str) -> dict[str, str]:
    """The tags that mark a resource as part of a stack of a cluster."""
    return {CLUSTER_TAG: cluster, STACK_TAG: stack_id, RESOURCE_TAG: resource_id}
