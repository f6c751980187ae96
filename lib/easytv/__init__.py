"""EasyTV: next-episode tracking for Kodi, shared across devices."""
