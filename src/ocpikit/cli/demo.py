"""``ocpikit demo`` (what ``make run`` starts): two nodes, one charging session, narrated."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ocpikit.cli.common import fail, run, stdout

__all__ = ["demo"]


def demo(
    dir: Annotated[  # noqa: A002 - the option's name
        Path | None,
        typer.Option(
            "--dir",
            help="Where cpo.db and emsp.db go (created; default: a new temporary directory).",
            show_default=False,
        ),
    ] = None,
    cpo_port: Annotated[
        int,
        typer.Option(min=0, max=65535, help="The CPO node's port (another when taken; 0: any)."),
    ] = 8101,
    emsp_port: Annotated[
        int,
        typer.Option(min=0, max=65535, help="The eMSP node's port (another when taken; 0: any)."),
    ] = 8102,
    fast: Annotated[
        bool,
        typer.Option(
            "--fast", help="A short session: a charging period every 2 s, stopped after 10 s."
        ),
    ] = False,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="Keep both nodes serving after the CDR arrived, until Ctrl-C "
            "(--no-serve: exit 0 once the CDR arrived).",
        ),
    ] = True,
    admin_token: Annotated[
        str | None,
        typer.Option(
            envvar="OCPIKIT_ADMIN_TOKEN",
            help="Bearer token of both nodes' operator API and console (default: generated).",
            show_default=False,
        ),
    ] = None,
    step_timeout: Annotated[
        float, typer.Option(min=1, help="Seconds each step may take before the demo fails.")
    ] = 60.0,
) -> None:
    """Two nodes on loopback: registration, sample data, START_SESSION to priced CDR, narrated.

    A CPO node (simulated charge points) and an eMSP node, each with its own SQLite file.

    They register through the credentials handshake and push locations, tariffs and tokens.

    The eMSP starts and stops a session and receives the priced CDR; both keep serving.
    """
    from ocpikit.demo import DemoError, DemoOptions, run_demo

    options = DemoOptions(
        directory=dir,
        cpo_port=cpo_port,
        emsp_port=emsp_port,
        fast=fast,
        serve=serve,
        admin_token=admin_token,
        step_timeout=step_timeout,
    )
    try:
        code = run(run_demo(options, stdout))
    except DemoError as exc:
        fail(str(exc))
    if code:
        raise typer.Exit(code)
