"""Fault suite: real MariaDB processes killed, stopped and restarted under syncing devices (issue 4)."""
