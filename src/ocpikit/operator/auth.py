"""Authentication of the operator API: ``Authorization: Bearer <admin token>``.

The admin token comes from the settings (``OCPIKIT_ADMIN_TOKEN``); without one the operator
API answers 503 to every call, so that no node is ever left open by accident.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from ocpikit.node import Node

__all__ = ["Operator", "operator_node"]


async def operator_node(request: Request) -> Node:
    """The node, once the caller has shown the admin token.

    Raises:
        HTTPException: 503 when no admin token is configured, 401 for a wrong or missing one.
    """
    node: Node = request.app.state.node
    expected = node.settings.admin_token
    if not expected:
        raise HTTPException(503, "The operator API is disabled: set OCPIKIT_ADMIN_TOKEN")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a TypeError,
    # then a 500). Starlette decodes header bytes as Latin-1, so this gives the bytes sent.
    presented = token.strip().encode("latin-1")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented, expected.encode()):
        raise HTTPException(
            401,
            "Operator API: Authorization: Bearer <admin token> required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return node


Operator = Annotated[Node, Depends(operator_node)]
