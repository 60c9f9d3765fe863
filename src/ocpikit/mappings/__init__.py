"""Pure mappings between each OCPI version's wire JSON and the node's domain JSON.

The domain model is the 2.2.1 shape (what :mod:`ocpikit.protocol.v221` validates). Each version
package (:mod:`ocpikit.mappings.v211`, :mod:`ocpikit.mappings.v221`) has a ``MAPPINGS`` dict from
module id to a mapping module with four functions of the same signature::

    to_domain(wire, ctx, part)        complete wire object -> complete domain object
    to_wire(domain, ctx, part)        complete domain object -> complete wire object
    patch_to_domain(wire, ctx, part)  partial wire object (PATCH body) -> partial domain object
    patch_to_wire(domain, ctx, part)  partial domain object -> partial wire object

They work on JSON-like dicts (what ``orjson.loads`` returns), do no I/O, and never validate:
callers validate the result with the target version's model. What cannot be mapped at all
raises :class:`~ocpikit.mappings.context.MappingError`.
"""

from ocpikit.mappings.context import MapContext, MappingError

__all__ = ["MapContext", "MappingError"]
