"""The moto server fixtures of tests/aws, for the online ``render --format stack-json`` test."""

from tests.aws.conftest import aws, clean_aws_env, moto_server, seeded  # noqa: F401
