"""uvicorn's server for running inside a program's own event loop (``ocpikit demo``, tests).

Two differences from :class:`uvicorn.Server`:

- No signal handling: the program that embeds the server handles Ctrl-C for all it runs.
- A clean stop when a client connects while the server is closing. uvicorn stops accepting,
  asks the open connections to finish, sleeps 0.1 s, then waits for them to close. A
  connection whose accept was already under way is set up during that sleep and never asked:
  it stays open, idle with keep-alive, the wait never ends (or the socket is leaked when the
  loop is torn down). Here every connection is asked again after the sleep.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator

import uvicorn

__all__ = ["EmbeddedServer"]


class EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield

    async def _wait_tasks_to_complete(self) -> None:
        # Also the connections set up while the server was closing (see the module doc).
        for connection in list(self.server_state.connections):
            connection.shutdown()
        await super()._wait_tasks_to_complete()
