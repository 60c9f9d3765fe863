"""Commands module services, both sides (``mod_commands.asciidoc``).

- Receiver (CPO): :func:`receive_command` (see :mod:`ocpikit.modules.commands.receiver`). The
  commands it stored spare a token real-time authorization for 15 minutes (CMD-06):
  :func:`ocpikit.modules.tokens.cpo_authorize.recent_command`.
- Sender (eMSP): :func:`send_command`, :func:`receive_result`, :func:`get_command`,
  :func:`list_commands` (see :mod:`ocpikit.modules.commands.sender`).
"""

from __future__ import annotations

from ocpikit.modules.commands.receiver import (
    MODELS,
    MODULE,
    CommandAnswer,
    command_type,
    receive_command,
)
from ocpikit.modules.commands.sender import (
    get_command,
    list_commands,
    receive_result,
    send_command,
)
from ocpikit.modules.commands.store import CommandRecord

__all__ = [
    "MODELS",
    "MODULE",
    "CommandAnswer",
    "CommandRecord",
    "command_type",
    "get_command",
    "list_commands",
    "receive_command",
    "receive_result",
    "send_command",
]
