"""AwsSettings / AwsClients: settings precedence, configuration errors, error translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import albctl
from albctl.aws.session import AwsClients, AwsSettings, aws_call, settings_from_env
from albctl.errors import AwsError, ConfigError

REPO = Path(albctl.__file__).resolve().parent.parent


def test_settings_from_env_flags_beat_env(clean_aws_env: pytest.MonkeyPatch) -> None:
    clean_aws_env.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert settings_from_env().region == "eu-west-1"
    clean_aws_env.setenv("AWS_REGION", "eu-central-1")
    clean_aws_env.setenv("AWS_PROFILE", "envprofile")
    clean_aws_env.setenv("AWS_ENDPOINT_URL", "http://env:1")
    assert settings_from_env() == AwsSettings("eu-central-1", "envprofile", "http://env:1")
    assert settings_from_env(region="ap-south-1", profile="p", endpoint_url="http://flag:2") == AwsSettings(
        "ap-south-1", "p", "http://flag:2"
    )


def test_check_without_region(clean_aws_env: pytest.MonkeyPatch) -> None:
    clean_aws_env.setenv("AWS_ACCESS_KEY_ID", "testing")
    clean_aws_env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with pytest.raises(ConfigError) as info:
        AwsClients(settings_from_env()).check()
    assert str(info.value) == "no AWS region: pass --region or set AWS_REGION"


def test_check_without_credentials(clean_aws_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="^no AWS credentials: "):
        AwsClients(settings_from_env(region="us-east-1")).check()


def test_check_with_unknown_profile(clean_aws_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="AWS profile 'nope' not found"):
        AwsClients(settings_from_env(region="us-east-1", profile="nope")).check()


def test_check_ok_and_region_from_profile(clean_aws_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[profile dev]\nregion = eu-north-1\naws_access_key_id = a\naws_secret_access_key = b\n")
    clean_aws_env.setenv("AWS_CONFIG_FILE", str(config))
    clients = AwsClients(settings_from_env(profile="dev"))
    clients.check()
    assert clients.region == "eu-north-1"


def test_env_keys_still_win_over_env_profile(clean_aws_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # boto3's usual precedence: AWS_ACCESS_KEY_ID beats an AWS_PROFILE from the environment.
    config = tmp_path / "config"
    config.write_text(
        "[profile dev]\naws_access_key_id = from-profile\naws_secret_access_key = b\n"
        "[profile ops]\naws_access_key_id = from-ops\naws_secret_access_key = c\n"
    )
    clean_aws_env.setenv("AWS_CONFIG_FILE", str(config))
    clean_aws_env.setenv("AWS_PROFILE", "dev")
    clean_aws_env.setenv("AWS_ACCESS_KEY_ID", "from-env")
    clean_aws_env.setenv("AWS_SECRET_ACCESS_KEY", "x")
    creds = AwsClients(settings_from_env(region="us-east-1")).session.get_credentials()
    assert creds is not None and creds.access_key == "from-env"
    # ... but an explicit --profile naming another profile wins.
    creds = AwsClients(settings_from_env(region="us-east-1", profile="ops")).session.get_credentials()
    assert creds is not None and creds.access_key == "from-ops"


def test_explicit_credentials_ignore_a_missing_env_profile(clean_aws_env: pytest.MonkeyPatch) -> None:
    clean_aws_env.setenv("AWS_PROFILE", "does-not-exist")
    clients = AwsClients(AwsSettings("us-east-1", None, None), credentials=("testing", "testing"))
    clients.check()


def test_clients_are_cached_and_configured(clean_aws_env: pytest.MonkeyPatch) -> None:
    clients = AwsClients(AwsSettings("eu-west-2", None, "http://127.0.0.1:9"), credentials=("a", "b"))
    assert clients.ec2 is clients.ec2
    assert clients.elbv2 is not clients.ec2
    for client in (clients.ec2, clients.elbv2, clients.acm):
        assert client.meta.endpoint_url == "http://127.0.0.1:9"
        assert client.meta.region_name == "eu-west-2"
        config = client.meta.config
        assert config.retries["mode"] == "adaptive"
        assert config.max_pool_connections == 50
        assert f"albctl/{albctl.__version__}" in config.user_agent_extra


@pytest.mark.parametrize("module", ["albctl.aws.session", "albctl.aws.subnets", "albctl.sandbox"])
def test_importing_does_not_import_boto3(module: str) -> None:
    code = f"import sys, {module}; sys.exit('boto3' in sys.modules or 'botocore' in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_client_errors_become_aws_errors(aws: AwsClients) -> None:
    with pytest.raises(AwsError) as info, aws_call("DescribeSubnets"):
        aws.ec2.describe_subnets(SubnetIds=["subnet-00000000000000000"])
    assert info.value.code == "InvalidSubnetID.NotFound"
    assert info.value.operation == "DescribeSubnets"
    assert str(info.value).startswith("AWS DescribeSubnets failed: InvalidSubnetID.NotFound: ")
