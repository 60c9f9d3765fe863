"""OCPI 2.1.1 Credentials module object (``credentials.md §2.1 Credentials object``).

One party per connection: ``party_id`` and ``country_code`` sit in the object itself; there is
no ``roles`` list (2.2) and therefore no role at all.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from ocpikit.protocol.v211.common import BusinessDetails, OcpiModel, String2, String3
from ocpikit.types import URL

__all__ = ["Credentials", "CredentialsToken"]

# string(64): "The token for the other party to authenticate in your system"; the Authorization
# header carries it as "printable, non-whitespace ASCII characters" (transport_and_format.md).
CredentialsToken = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")
]


class Credentials(OcpiModel):
    """``credentials.md §2.1 Credentials object``."""

    token: CredentialsToken
    url: URL
    business_details: BusinessDetails
    party_id: Annotated[String3, StringConstraints(min_length=3)]
    country_code: Annotated[String2, StringConstraints(min_length=2)]
