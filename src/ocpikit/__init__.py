"""ocpikit: a complete OCPI node (CPO, eMSP, Hub) with persistence, peers and a tariff engine."""

__all__ = ["__version__"]

__version__ = "0.1.0"
