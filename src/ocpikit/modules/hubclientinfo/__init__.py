"""The hubclientinfo module (see service.py)."""
