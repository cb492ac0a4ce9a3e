#!/usr/bin/env python3
"""A stand-in for kubectl in tests: replays recorded `kubectl get service -o json` answers.

FAKE_KUBECTL_DIR holds <namespace>.<name>.json answers; every call's arguments are appended to
FAKE_KUBECTL_DIR/calls.log. A Service without an answer gets the API server's NotFound error;
FAKE_KUBECTL_FAIL makes every call fail with that text (e.g. an expired token)."""
import os
import sys

args = sys.argv[1:]
directory = os.environ["FAKE_KUBECTL_DIR"]
with open(os.path.join(directory, "calls.log"), "a", encoding="utf-8") as log:
    log.write(" ".join(args) + "\n")
if os.environ.get("FAKE_KUBECTL_FAIL"):
    sys.stderr.write(os.environ["FAKE_KUBECTL_FAIL"] + "\n")
    sys.exit(1)
name = args[args.index("service") + 1]
namespace = args[args.index("--namespace") + 1]
answer = os.path.join(directory, f"{namespace}.{name}.json")
if not os.path.exists(answer):
    sys.stderr.write(f'Error from server (NotFound): services "{name}" not found\n')
    sys.exit(1)
with open(answer, encoding="utf-8") as fh:
    sys.stdout.write(fh.read())
