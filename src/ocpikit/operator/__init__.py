"""The operator API: a JSON HTTP API for the operator's own systems, the CLI and the console."""
