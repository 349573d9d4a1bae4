"""``ucauth server``: the central service (uvicorn, one process)."""

from __future__ import annotations

import gc

import click


@click.command("server")
@click.option("--host", help="Bind address (UCAUTH_HOST; default 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (UCAUTH_PORT; default 8000).")
def server(host: str | None, port: int | None) -> None:
    """Run the central server; refuses an out-of-date schema and insecure settings."""
    # Imported here so that `ucauth server --help` does not load the whole server.
    import uvicorn

    from ucauth.server.app import create_app
    from ucauth.settings import load_server_settings

    settings = load_server_settings()
    overrides = {name: value for name, value in (("host", host), ("port", port)) if value}
    settings = settings.model_copy(update=overrides)
    app = create_app(settings)
    # Everything loaded so far lives as long as the process: keep the cycle collector from
    # scanning it again and again (a full collection over it took ~85 ms, stalling every
    # request in flight).
    gc.collect()
    gc.freeze()
    trusted = settings.forwarded_allow_ips.strip()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
        access_log=settings.access_log,
        server_header=False,
    )
