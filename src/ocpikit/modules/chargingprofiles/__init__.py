"""The chargingprofiles module (see service.py)."""
