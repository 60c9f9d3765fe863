"""Charge points behind the CPO: the adapter Protocol, the webhook adapter, the simulator.

See :mod:`ocpikit.chargepoints.adapter` for the Protocol, :mod:`ocpikit.chargepoints.webhook`
for the webhook JSON contract, :mod:`ocpikit.chargepoints.simulator` for the simulated
charge points and :mod:`ocpikit.chargepoints.runner` for how requests reach them.
"""

from ocpikit.chargepoints.adapter import (
    ChargePointAdapter,
    CommandRequest,
    NoAdapter,
    ProfileRequest,
)

__all__ = ["ChargePointAdapter", "CommandRequest", "NoAdapter", "ProfileRequest"]
