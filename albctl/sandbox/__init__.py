"""A local emulated AWS account (moto server) seeded like a small EKS cluster's account."""

from albctl.sandbox.manager import SandboxInfo, default_state_dir, env, start, status, stop

__all__ = ["SandboxInfo", "default_state_dir", "env", "start", "status", "stop"]
