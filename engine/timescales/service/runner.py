"""``timescales serve``: the service under uvicorn, with the JSON access log on stderr."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys

import uvicorn

from .app import create_app
from .middleware import ACCESS_LOGGER
from .settings import TOKEN_VARIABLE, Settings


def access_logger() -> logging.Logger:
    """The access log: one JSON object a line on stderr, nothing else added to it."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(args: argparse.Namespace) -> int:
    """Build the settings from the options and the environment, load the rules, serve."""
    settings = Settings.from_env(
        la=args.la,
        plugins=tuple(args.plugin),
        max_body_bytes=args.max_body_bytes,
        max_records=args.max_records,
        request_timeout=args.timeout,
        access_log=False if args.no_access_log else None,
    )
    app = create_app(settings)
    if settings.access_log:
        access_logger()
    if settings.api_token is None and not _loopback(args.host):
        print(
            f"warning: listening on {args.host} with no {TOKEN_VARIABLE}: anyone who can reach "
            "it can send records",
            file=sys.stderr,
        )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=False,  # ours (JSON, no paths or queries) replaces uvicorn's
        server_header=False,
        timeout_keep_alive=5,
        limit_concurrency=200,
        timeout_graceful_shutdown=10,
        log_level="info",
    )
    return 0
