"""Settings and fixtures shared by every test directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# moto builds every EC2 backend (on each reset and again on first use after it) with its AMI
# catalogue: ~1,300 AMIs, each with a volume and a snapshot, ~0.1-0.3 s of CPU per build. The tests
# only launch the seed's AMI, so they give moto a catalogue of that one AMI (copied from moto's).
# moto reads the variable when moto.ec2 is first imported and at each backend build; set here, it is
# in place for the in-process moto server and inherited by the sandbox servers tests start.
os.environ.setdefault("MOTO_AMIS_PATH", str(Path(__file__).parent / "aws" / "data" / "moto_amis.json"))


@pytest.fixture(scope="session")
def shared_botocore_loader() -> Iterator[None]:
    """One botocore data loader (service models, endpoint rules) for every boto3 session of the run.

    Each ``AwsClients`` makes a new boto3 session, and each session parses the service models it
    needs again (EC2's alone is ~0.4 s of JSON). Sharing the loader keeps the parsed files; what
    goes over the wire is unchanged. botocore already shares a loaded model between the clients of
    one session, so sharing it between sessions relies on nothing new.
    """
    import botocore.loaders
    import botocore.session

    original = botocore.session.create_loader
    loaders: dict[str | None, botocore.loaders.Loader] = {}

    def create_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
        if search_path_string not in loaders:
            loaders[search_path_string] = original(search_path_string)
        return loaders[search_path_string]

    botocore.session.create_loader = create_loader
    try:
        yield
    finally:
        botocore.session.create_loader = original
