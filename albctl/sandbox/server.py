"""Run moto's server in the foreground: ``python -m albctl.sandbox.server --port N``.

Binds first (so a taken port fails fast), then writes the bound port to ``--ready-file`` and serves
until SIGTERM/SIGINT. ``--port 0`` binds a free port.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def share_botocore_loader() -> Callable[[], None]:
    """Make every botocore session of this process share one data loader; returns the undo.

    Each boto3/botocore session otherwise parses the data files it needs again (endpoints, service
    models). moto makes several sessions while importing (~0.9 s of a sandbox start) and the test
    suite makes one per ``AwsClients``. The files are the same for every session with the same data
    path, and botocore already hands one loaded file to all the clients of a session.
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

    def undo() -> None:
        botocore.session.create_loader = original

    return undo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m albctl.sandbox.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument("--ready-file", type=Path, default=None, help="write the bound port here once listening")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    share_botocore_loader()  # before moto is imported: it makes sessions at import time
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from albctl.sandbox.aws_semantics import patch_moto

    patch_moto()
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    port = int(server.server_address[1])
    os.environ["MOTO_PORT"] = str(port)  # moto builds some URLs from it
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    if args.ready_file is not None:
        tmp = args.ready_file.with_name(args.ready_file.name + ".tmp")
        tmp.write_text(f"{port}\n")
        os.replace(tmp, args.ready_file)
    logging.getLogger("albctl.sandbox").info("moto server (pid %d) listening on %s:%d", os.getpid(), args.host, port)
    try:
        server.serve_forever()
    except SystemExit:  # _stop: SIGTERM/SIGINT, the normal way out
        pass
    finally:
        server.server_close()
        if args.ready_file is not None:
            args.ready_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    code = main()
    # Skip tearing down the interpreter: freeing moto's objects one by one takes ~1 s of every
    # ``sandbox stop`` and there is nothing left to save (the socket is closed, the ready file gone).
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
