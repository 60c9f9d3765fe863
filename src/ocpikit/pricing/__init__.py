"""Pricing in the node: the tariff engine applied to the sessions, CDRs and tariffs stored.

- :mod:`ocpikit.pricing.lookup`: a connector's tariffs, the choice among them, time zones;
- :mod:`ocpikit.pricing.service`: price a session / a CDR, re-price a received CDR and record
  the outcome (``cdr.price_checked`` / ``cdr.price_mismatch`` / ``cdr.price_unchecked``);
- :mod:`ocpikit.pricing.compare`: the price comparison across EVSEs.

See ``docs/prices.md``.
"""

from ocpikit.pricing.compare import CompareRequest, Near, compare_prices
from ocpikit.pricing.service import (
    CHECKED,
    MISMATCH,
    UNCHECKED,
    Priced,
    cdr_totals,
    check_received_cdr,
    list_disputes,
    price_cdr,
    price_local_cdr,
    price_session,
)

__all__ = [
    "CHECKED",
    "MISMATCH",
    "UNCHECKED",
    "CompareRequest",
    "Near",
    "Priced",
    "cdr_totals",
    "check_received_cdr",
    "compare_prices",
    "list_disputes",
    "price_cdr",
    "price_local_cdr",
    "price_session",
]
