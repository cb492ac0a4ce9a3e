"""``albctl --help`` as typer prints it from 80 columns up (generated: see tests/test_launch.py)."""

HELP = """\
Usage: albctl [OPTIONS] COMMAND [ARGS]...

  Turn Kubernetes Ingress manifests into an AWS Application Load Balancer,
  terraform-style: validate → render → plan → apply.

Options:
  --version             Print the version and exit.
  --debug               Show tracebacks of unexpected errors.
  --install-completion  Install completion for the current shell.
  --show-completion     Show completion for the current shell, to copy it or
                        customize the installation.
  --help                Show this message and exit.

Commands:
  validate      Load and validate manifests, and check that they make...
  render        Print the desired load balancer model of each...
  plan          Show the operations apply would run on AWS, in order.
  show          The live state of the stacks those manifests define (DNS...
  apply         Make AWS match the manifests (or a saved plan): shows the...
  destroy       Delete every AWS resource of the stacks those manifests...
  force-unlock  Remove a stack's lock left by a run that died (check...
  subnets       Subnet discovery, as the controller does it.
  sandbox       A local emulated AWS account (moto) for trying albctl...
"""
