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
    """One botocore data loader for every boto3 session of the run (see ``share_botocore_loader``).

    Each ``AwsClients`` (the ``aws`` fixture, every CLI run in a test) makes a new boto3 session,
    which would parse EC2's service model again (~0.4 s of JSON). What goes on the wire is unchanged.
    """
    from albctl.sandbox.server import share_botocore_loader

    undo = share_botocore_loader()
    try:
        yield
    finally:
        undo()
