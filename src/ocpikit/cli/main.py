"""The ``ocpikit`` command line (see ``shared/interface.md`` for the public surface)."""

from __future__ import annotations

import typer

from ocpikit.cli import data, demo, node, peers, prices, sync, tokens, worker
from ocpikit.cli import price as price_cli

__all__ = ["app", "main"]

app = typer.Typer(
    name="ocpikit",
    help="ocpikit: an OCPI node for CPOs, eMSPs and Hubs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("init")(node.init)
app.command("serve")(node.serve)
app.command("worker")(worker.worker)
app.command("load")(data.load)
app.command("export")(data.export)
app.command("price")(price_cli.price_command)
app.command("sync")(sync.sync)
app.command("compare")(prices.compare)
app.command("demo")(demo.demo)
app.add_typer(tokens.app, name="token")
app.add_typer(peers.app, name="peer")


def main() -> None:
    app()
