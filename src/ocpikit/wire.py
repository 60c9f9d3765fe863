"""The edge between the domain and a version's wire form, in both directions.

The node stores, prices, pushes and shows one domain model: today's OCPI 2.2.1 shape (the
*canonical* version, whose wire form is the domain form). Every other version is translated
here, and only here, by its wire models (``ocpikit.protocol.<package>``) and its mappings
(``ocpikit.mappings.<package>``), both named by its :class:`~ocpikit.versions.VersionProfile`:

- :func:`intake`: a received object (a Receiver's PUT or PATCH body, an object of a pulled
  list) is validated with the version's wire model, then mapped to the domain. Invalid data
  is a 2001 naming the field in the version's own terms.
- :func:`render`: a domain object is mapped to the version's wire form (a Sender's answer, a
  push). An object with no form in that version is left out (None).

A new version adds its wire models, one mapping per module and its profile; nothing here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import orjson
from pydantic import ValidationError

from ocpikit.errors import InvalidParameters, NotFound
from ocpikit.mappings.context import MapContext, MappingError
from ocpikit.transport.body import describe_validation_error
from ocpikit.versions import VersionProfile

__all__ = ["MapContext", "PARTS", "default_part", "intake", "render", "render_many"]

log = logging.getLogger("ocpikit.wire")

# (module, part) -> (wire model, PATCH model or None): the same class names in every version.
PARTS: dict[tuple[str, str], tuple[str, str | None]] = {
    ("locations", "location"): ("Location", "LocationPatch"),
    ("locations", "evse"): ("EVSE", "EvsePatch"),
    ("locations", "connector"): ("Connector", "ConnectorPatch"),
    # 2.2.x has no Tariff PATCH (TAR-03): only a version defining a TariffPatch (2.1.1) routes one.
    ("tariffs", "tariff"): ("Tariff", "TariffPatch"),
    ("tokens", "token"): ("Token", "TokenPatch"),
    ("tokens", "location_references"): ("LocationReferences", None),
    ("tokens", "authorization_info"): ("AuthorizationInfo", None),
    ("sessions", "session"): ("Session", "SessionPatch"),
    ("cdrs", "cdr"): ("CDR", None),
    ("commands", "start_session"): ("StartSession", None),
    ("commands", "stop_session"): ("StopSession", None),
    ("commands", "reserve_now"): ("ReserveNow", None),
    ("commands", "unlock_connector"): ("UnlockConnector", None),
    ("commands", "cancel_reservation"): ("CancelReservation", None),
    ("commands", "command_response"): ("CommandResponse", None),
    # The asynchronous result: a CommandResult from 2.2, a CommandResponse in 2.1.1.
    ("commands", "command_result"): ("CommandResult", None),
}
# Where a version names a part's object otherwise (module, part, version package) -> model.
_RENAMED = {("commands", "command_result", "v211"): "CommandResponse"}

_DEFAULT_PART = {
    "locations": "location",
    "tariffs": "tariff",
    "tokens": "token",
    "sessions": "session",
    "cdrs": "cdr",
}


def default_part(module: str) -> str:
    """The module's main object (``locations`` -> ``location``)."""
    return _DEFAULT_PART.get(module, module)


def intake(
    version: VersionProfile,
    module: str,
    body: Any,
    ctx: MapContext,
    *,
    part: str | None = None,
    patch: bool = False,
) -> Any:
    """A received object in ``version``'s wire form, as domain JSON.

    Raises:
        InvalidParameters: 2001 naming the field, when it is not a valid object of that
            version or has no domain form.
    """
    if version.canonical:
        return body
    part = part or default_part(module)
    if not isinstance(body, dict):
        raise InvalidParameters(
            f"The request body must be a JSON object, got {type(body).__name__}"
        )
    full, partial = PARTS[(module, part)]
    name = partial if patch and partial else full
    name = _RENAMED.get((module, part, version.package), name)
    if not version.has_model(module, name):
        raise NotFound(f"OCPI {version.version} has no {part.replace('_', ' ')}")
    try:
        wire = version.wire_model(module, name).model_validate(body)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc
    sent = (
        wire.model_dump(mode="json", include=wire.model_fields_set, exclude_none=True)
        if patch
        else wire.model_dump(mode="json", exclude_none=True)
    )
    mapping = version.mapping(module)
    try:
        if not patch:
            return mapping.to_domain(sent, ctx, part)
        domain: dict[str, Any] = mapping.patch_to_domain(sent, ctx, part)
    except MappingError as exc:
        raise InvalidParameters(f"OCPI {version.version}: {exc}") from exc
    # The domain (2.2.1) requires last_updated in a PATCH; 2.1.1 does not: received now.
    domain.setdefault("last_updated", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return domain


def render(
    version: VersionProfile,
    module: str,
    obj: dict[str, Any],
    ctx: MapContext,
    *,
    part: str | None = None,
    patch: bool = False,
) -> dict[str, Any] | None:
    """A domain object in ``version``'s wire form; None when it has no form there."""
    if version.canonical:
        return obj
    part = part or default_part(module)
    mapping = version.mapping(module)
    try:
        if patch:
            out: dict[str, Any] = mapping.patch_to_wire(obj, ctx, part)
        else:
            out = mapping.to_wire(obj, ctx, part)
    except MappingError as exc:
        log.info("%s %s has no OCPI %s form: %s", module, obj.get("id"), version.version, exc)
        return None
    return out


def render_many(
    version: VersionProfile,
    module: str,
    stored: Iterable[str | bytes],
    ctx: MapContext,
    *,
    part: str | None = None,
) -> list[dict[str, Any]]:
    """Stored domain JSON texts in ``version``'s wire form, leaving out those with none."""
    out = []
    for text in stored:
        rendered = render(version, module, orjson.loads(text), ctx, part=part)
        if rendered is not None:
            out.append(rendered)
    return out
