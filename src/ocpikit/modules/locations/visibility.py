"""Who may be *shown* a Location: ``publish`` and ``publish_allowed_to`` (LOC-07).

``publish`` is about apps and websites, not about OCPI: every Location is exchanged with
peers alike (see :mod:`ocpikit.modules.locations.service`). Where the node answers a driver
(the price comparison, :mod:`ocpikit.pricing.compare`), a Location with ``publish=false`` is
left out unless the driver's Token information matches one entry of ``publish_allowed_to``.

The rule, field by field (:func:`token_matches`):

- only the fields an entry *sets* (present and not ``null``) are compared, and the driver's
  information must give every one of them ("match all the set fields of one PublishToken");
  fields the entry leaves unset are not compared, whatever the driver gave;
- ``uid`` and ``group_id`` are CiString: equal ignoring case (``"abc"`` matches ``"ABC"``);
- ``type`` is a TokenType: the same enum value;
- ``visual_number`` and ``issuer`` are string: equal exactly (case and spaces count), as
  printed on the card; the node does not guess at spellings;
- an entry that sets none of ``uid``, ``visual_number``, ``group_id`` matches nobody (the
  spec requires one of them; otherwise an entry ``{"type": "RFID"}`` would show the Location
  to every RFID card holder). The Location model refuses such entries, but stored data pulled
  from peers is read tolerantly, so this module does not rely on it.

A Location without ``publish`` (invalid, but possible in tolerantly pulled data) counts as
published, as the ``published`` column of the object store does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, model_validator

from ocpikit.protocol.v221.common import TokenType
from ocpikit.types import CiString36, String64

__all__ = ["DriverToken", "may_show", "token_matches"]

_IDENTIFYING = ("uid", "visual_number", "group_id")
_CASE_INSENSITIVE = frozenset({"uid", "group_id"})
_FIELDS = ("uid", "type", "visual_number", "issuer", "group_id")


class DriverToken(BaseModel):
    """What a driver told us about his/her Token: the fields of ``PublishTokenType``.

    Any subset may be given, but at least one of ``uid``, ``visual_number``, ``group_id``
    (the fields that identify a token; ``type`` or ``issuer`` alone identify nobody).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    uid: CiString36 | None = None
    type: TokenType | None = None
    visual_number: String64 | None = None
    issuer: String64 | None = None
    group_id: CiString36 | None = None

    @model_validator(mode="after")
    def _identifies_a_token(self) -> Self:
        if all(getattr(self, name) is None for name in _IDENTIFYING):
            raise ValueError("at least one of uid, visual_number or group_id must be set")
        return self


def _same(name: str, wanted: Any, given: str | None) -> bool:
    if given is None or not isinstance(wanted, str):
        return False
    if name in _CASE_INSENSITIVE:
        return wanted.casefold() == given.casefold()
    return wanted == given


def token_matches(entry: Mapping[str, Any], token: DriverToken) -> bool:
    """Whether the driver's Token information matches one ``publish_allowed_to`` entry.

    ``mod_locations.asciidoc §Location Object``: "Locations that have this flag set to
    ``false`` SHALL not be shown in an app or on a website etc. unless it is to the owner of
    a Token in the ``publish_allowed_to`` list. [...] If the user of their app/website has
    provided information about his/her Token, And that information matches all the fields of
    one of the PublishToken tokens in the list, then they are allowed to show this location
    to their user." and ``publish_allowed_to``: "Only owners of Tokens that match all the set
    fields of one PublishToken in the list are allowed to be shown this location."

    What "matches" means per field is in the module docstring.

    Args:
        entry: one ``PublishTokenType`` of a stored Location, as JSON.
        token: what the driver told us about his/her Token.
    """
    if all(entry.get(name) is None for name in _IDENTIFYING):
        return False
    return all(
        _same(name, entry[name], getattr(token, name))
        for name in _FIELDS
        if entry.get(name) is not None
    )


def may_show(location: Mapping[str, Any], token: DriverToken | None) -> bool:
    """Whether a Location (stored JSON) may be shown to a driver with ``token`` (or none).

    ``publish`` true (or absent): to everybody. ``publish`` false: only when ``token``
    matches one entry of ``publish_allowed_to`` (:func:`token_matches`); never when the list
    is empty or absent.
    """
    if location.get("publish", True) is not False:
        return True
    if token is None:
        return False
    allowed = location.get("publish_allowed_to")
    if not isinstance(allowed, list):
        return False
    return any(isinstance(e, Mapping) and token_matches(e, token) for e in allowed)
