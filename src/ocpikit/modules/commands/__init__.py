"""The commands module (see service.py)."""
