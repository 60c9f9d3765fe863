"""Alembic migrations of the ocpikit schema, applied by ``ocpikit init``."""
