"""Wiring: the engine, the service loop, the script and plugin routes."""
