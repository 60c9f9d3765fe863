"""``ocpikit demo``: a CPO node and an eMSP node on loopback, from registration to priced CDR."""

from __future__ import annotations

from ocpikit.demo.runner import DemoError, DemoOptions, run_demo

__all__ = ["DemoError", "DemoOptions", "run_demo"]
