"""Tokens: OCPI 2.1.1 wire JSON <-> domain (2.2.1) JSON.

Parts: ``"token"`` (default), ``"authorization_info"``, ``"location_references"``.

| 2.2.1 (domain) | 2.1.1 (wire) | What is lost or invented |
|---|---|---|
| ``country_code``, ``party_id`` | (none) | out: dropped; in: from ``ctx`` (the eMSP that owns the token) |
| ``contract_id`` | ``auth_id`` | renamed |
| ``type`` AD_HOC_USER, APP_USER | ``type`` OTHER | out: both -> OTHER; in: OTHER stays OTHER |
| ``group_id``, ``default_profile_type``, ``energy_contract`` | (none) | out: dropped |
| text (``issuer``, ``visual_number``) | same | out: non-ASCII transliterated |
| AuthorizationInfo ``token`` 1 | (none) | out: dropped; in: the ``token=`` keyword (the Token the CPO asked about) |
| AuthorizationInfo ``authorization_reference`` | (none) | out: dropped (2.1.1 Sessions/CDRs cannot carry it back) |
| LocationReferences | LocationReferences + ``connector_ids`` | in: ``connector_ids`` dropped (2.2.1 authorizes per EVSE); ids over 36 characters raise MappingError |
"""  # noqa: E501 (the table rows are pasted into the README as they are)

from __future__ import annotations

from typing import Any

from ocpikit.mappings.context import MapContext, MappingError
from ocpikit.mappings.v211._fields import (
    Rules,
    ascii_object,
    check_length,
    owner,
    parts,
    rename,
)

__all__ = ["PARTS", "patch_to_domain", "patch_to_wire", "to_domain", "to_wire"]

PARTS = ("token", "authorization_info", "location_references")

_TYPE_OUT = {"AD_HOC_USER": "OTHER", "APP_USER": "OTHER"}

_TOKEN_OUT: Rules = {
    "uid": ("uid", None),
    "type": ("type", lambda v: _TYPE_OUT.get(v, v)),
    "contract_id": ("auth_id", None),
    "visual_number": ("visual_number", None),
    "issuer": ("issuer", None),
    "valid": ("valid", None),
    "whitelist": ("whitelist", None),
    "language": ("language", None),
    "last_updated": ("last_updated", None),
}
_TOKEN_IN: Rules = {
    "uid": ("uid", None),
    "type": ("type", None),
    "auth_id": ("contract_id", None),
    "visual_number": ("visual_number", None),
    "issuer": ("issuer", None),
    "valid": ("valid", None),
    "whitelist": ("whitelist", None),
    "language": ("language", None),
    "last_updated": ("last_updated", None),
}
_REFERENCES_OUT: Rules = {"location_id": ("location_id", None), "evse_uids": ("evse_uids", None)}
_REFERENCES_IN: Rules = {
    "location_id": ("location_id", lambda v: check_length(v, 36, "location_id")),
    "evse_uids": ("evse_uids", lambda v: [check_length(u, 36, "evse_uids") for u in v]),
}
_INFO_OUT: Rules = {
    "allowed": ("allowed", None),
    "location": ("location", lambda v: rename(v, _REFERENCES_OUT)),
    "info": ("info", None),
}
_INFO_IN: Rules = {
    "allowed": ("allowed", None),
    "location": ("location", lambda v: rename(v, _REFERENCES_IN)),
    "info": ("info", None),
}


def to_wire(domain: dict[str, Any], ctx: MapContext, part: str = "token") -> dict[str, Any]:
    """A complete domain Token, AuthorizationInfo or LocationReferences as a 2.1.1 one."""
    part = parts(part, PARTS)
    rules = {"token": _TOKEN_OUT, "authorization_info": _INFO_OUT}.get(part, _REFERENCES_OUT)
    return ascii_object(rename(domain, rules))


def patch_to_wire(domain: dict[str, Any], ctx: MapContext, part: str = "token") -> dict[str, Any]:
    """A domain Token PATCH body (or partial object) as a 2.1.1 one."""
    return to_wire(domain, ctx, part)


def to_domain(
    wire: dict[str, Any],
    ctx: MapContext,
    part: str = "token",
    *,
    token: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A complete 2.1.1 Token, AuthorizationInfo or LocationReferences as a domain one.

    Args:
        wire: the 2.1.1 object.
        ctx: ``country_code``/``party_id`` are the token's owner (the eMSP).
        part: ``"token"``, ``"authorization_info"`` or ``"location_references"``.
        token: for ``"authorization_info"`` only: the domain Token the authorization was
            asked for (2.1.1 AuthorizationInfo does not carry it; 2.2.1 requires it).

    Raises:
        MappingError: an AuthorizationInfo without ``token=``; an id over 36 characters.
    """
    part = parts(part, PARTS)
    if part == "token":
        return {**owner(ctx), **rename(wire, _TOKEN_IN)}
    if part == "location_references":
        return rename(wire, _REFERENCES_IN)
    if token is None:
        raise MappingError(
            "a 2.1.1 AuthorizationInfo has no token: pass token= (the Token asked about)",
            field="token",
        )
    out = rename(wire, _INFO_IN)
    return {"allowed": out.pop("allowed", None), "token": token, **out}


def patch_to_domain(wire: dict[str, Any], ctx: MapContext, part: str = "token") -> dict[str, Any]:
    """A 2.1.1 Token PATCH body (or partial object) as a domain one (no owner added)."""
    part = parts(part, PARTS)
    rules = {"token": _TOKEN_IN, "authorization_info": _INFO_IN}.get(part, _REFERENCES_IN)
    return rename(wire, rules)
