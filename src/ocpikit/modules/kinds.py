"""The kinds of objects an operator loads and exports (``ocpikit load`` / ``export``).

Each kind names its wire model and the module function that stores one of our own objects
inside a transaction (``store_local(conn, obj, allow_older=...)``), which also queues the
change for the peers that receive it.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpikit import catalog
from ocpikit.storage.objects import WriteResult

__all__ = ["KINDS", "Kind", "kind"]


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    module: str
    model_path: str
    service_path: str
    id_field: str = "id"

    @property
    def model(self) -> type[BaseModel]:
        module_name, _, cls = self.model_path.rpartition(".")
        model: type[BaseModel] = getattr(importlib.import_module(module_name), cls)
        return model

    @property
    def store(self) -> Callable[..., Awaitable[WriteResult]]:
        service = importlib.import_module(self.service_path)
        store: Callable[..., Awaitable[WriteResult]] = service.store_local
        return store

    async def store_local(
        self, conn: AsyncConnection, obj: Any, *, allow_older: bool = False
    ) -> WriteResult:
        return await self.store(conn, obj, allow_older=allow_older)


def _kinds() -> dict[str, Kind]:
    """A kind for every catalog module with a service: its own objects are loaded and exported.

    In its main object's 2.2.1 (domain) model.
    """
    out: dict[str, Kind] = {}
    for m in catalog.MODULES.values():
        if m.service is None:
            continue
        model = m.parts[m.main_part][0]
        id_field = next(f for f in m.key if f not in ("country_code", "party_id"))
        out[m.id] = Kind(
            m.id, m.id, f"ocpikit.protocol.v221.{m.id}.{model}", m.service, id_field=id_field
        )
    return out


KINDS: dict[str, Kind] = _kinds()


def kind(name: str) -> Kind:
    """The kind called ``name``.

    Raises:
        KeyError: for an unknown kind.
    """
    return KINDS[name]
