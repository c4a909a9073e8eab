"""Keneya's embedded local runtime: the whole platform on one machine, no Docker, no account."""
