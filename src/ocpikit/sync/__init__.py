"""Talking to peers in the background: pull sync and the push worker."""
