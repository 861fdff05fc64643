"""``python -m local_dev --host H --port P [--workers N]``: serve the gateway under uvicorn (uvloop, httptools)."""

from __future__ import annotations

import argparse
import os

from gateway.access import hash_token
from gateway.serverconfig import ServerConfigError

from .asgi import create_app
from .workers import serve, worker_count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m local_dev", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8787")))
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--workers", default=os.environ.get("WORKERS", "1"), metavar="N",
                        help="serve from N processes on one port (0 or auto: one per core); same as WORKERS")
    parser.add_argument("--access-log", action="store_true", help="log every request (slower)")
    parser.add_argument("--config", metavar="PATH", help="server-side configs file (JSON or TOML); "
                        "same as GATEWAY_CONFIG_FILE")
    parser.add_argument("--hash-token", metavar="TOKEN", help="print the GATEWAY_TOKENS form of TOKEN and exit")
    parser.add_argument("--headless", action="store_true", help="no console at /public/ (same as CONSOLE=off)")
    parser.add_argument("--request-log", choices=("json", "off"), help="one JSON line per request on stdout "
                        "(same as REQUEST_LOG)")
    args = parser.parse_args(argv)
    if args.hash_token:
        print(hash_token(args.hash_token))
        return
    if args.config:
        os.environ["GATEWAY_CONFIG_FILE"] = args.config
    if args.headless:
        os.environ["CONSOLE"] = "off"
    if args.request_log:
        os.environ["REQUEST_LOG"] = args.request_log
    try:
        app = create_app()
    except ServerConfigError as error:
        raise SystemExit(f"gateway not started: {error}") from None
    serve(app, worker_count(args.workers), host=args.host, port=args.port, loop="uvloop", http="httptools",
          lifespan="on", server_header=False, proxy_headers=False,
          log_level=args.log_level, access_log=args.access_log)


if __name__ == "__main__":
    main()
