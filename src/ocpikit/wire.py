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

from ocpikit.catalog import module
from ocpikit.errors import InvalidParameters, NotFound
from ocpikit.mappings.context import MapContext, MappingError
from ocpikit.transport.body import describe_validation_error
from ocpikit.versions import VersionProfile

__all__ = ["MapContext", "default_part", "intake", "model_name", "render", "render_many"]

log = logging.getLogger("ocpikit.wire")


def default_part(module_id: str) -> str:
    """The module's main object (``locations`` -> ``location``)."""
    return module(module_id).main_part


def model_name(version: VersionProfile, module_id: str, part: str, *, patch: bool = False) -> str:
    """The class name of ``part`` of ``module_id`` in ``version``'s wire models.

    The catalog's name, unless the version's mapping names it otherwise in its
    ``MODEL_NAMES`` (2.1.1 posts a command's result as a CommandResponse).
    """
    full, partial = module(module_id).parts[part]
    name = partial if patch and partial else full
    renamed: dict[str, str] = getattr(version.mapping(module_id), "MODEL_NAMES", {})
    return renamed.get(part, name)


def intake(
    version: VersionProfile,
    module_id: str,
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
    part = part or default_part(module_id)
    if not isinstance(body, dict):
        raise InvalidParameters(
            f"The request body must be a JSON object, got {type(body).__name__}"
        )
    name = model_name(version, module_id, part, patch=patch)
    if not version.has_model(module_id, name):
        raise NotFound(f"OCPI {version.version} has no {part.replace('_', ' ')}")
    try:
        wire = version.wire_model(module_id, name).model_validate(body)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation_error(exc)) from exc
    sent = (
        wire.model_dump(mode="json", include=wire.model_fields_set, exclude_none=True)
        if patch
        else wire.model_dump(mode="json", exclude_none=True)
    )
    mapping = version.mapping(module_id)
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
    module_id: str,
    obj: dict[str, Any],
    ctx: MapContext,
    *,
    part: str | None = None,
    patch: bool = False,
) -> dict[str, Any] | None:
    """A domain object in ``version``'s wire form; None when it has no form there."""
    if version.canonical:
        return obj
    part = part or default_part(module_id)
    mapping = version.mapping(module_id)
    try:
        if patch:
            out: dict[str, Any] = mapping.patch_to_wire(obj, ctx, part)
        else:
            out = mapping.to_wire(obj, ctx, part)
    except MappingError as exc:
        log.info("%s %s has no OCPI %s form: %s", module_id, obj.get("id"), version.version, exc)
        return None
    return out


def render_many(
    version: VersionProfile,
    module_id: str,
    stored: Iterable[str | bytes],
    ctx: MapContext,
    *,
    part: str | None = None,
) -> list[dict[str, Any]]:
    """Stored domain JSON texts in ``version``'s wire form, leaving out those with none."""
    out = []
    for text in stored:
        rendered = render(version, module_id, orjson.loads(text), ctx, part=part)
        if rendered is not None:
            out.append(rendered)
    return out
