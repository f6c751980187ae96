"""The Kodi versions the e2e harness runs, and what differs between them.

Kodi 20.1 is Debian 12's package on the host; Kodi 21.2 is Debian 13's, run inside the trixie
chroot (``chroot.py``). Facts measured on these machines, see ``tests/e2e/README.md``: the
video database is ``MyVideos`` + the schema version (Kodi 20: 121, Kodi 21: 131); on its first
start Kodi probes older names down to ``MyVideos75`` (Kodi 20: 47 of them, Kodi 21: 57), which
takes longer on a busy machine; a scan sends a different number of ``VideoLibrary.OnUpdate``
notifications; Kodi 21 also sends ``Playlist.OnAdd`` and ``Player.OnAVChange`` on playback.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .procs import HarnessError

KODI_BIN = Path("/usr/lib/x86_64-linux-gnu/kodi/kodi.bin")  # the same path in both Debians


@dataclass(frozen=True)
class KodiVersion:
    """One supported Kodi major version as the harness runs it."""

    major: int
    name: str
    video_db: str
    """Kodi's MySQL video database (``MyVideos`` + schema version)."""
    probed_databases: int
    """Older ``MyVideosNNN`` names Kodi probes on its first start (each an "Unknown database")."""
    in_chroot: bool
    """True: run inside the Debian 13 chroot; False: the host's Debian 12 package."""
    first_start_seconds: float
    """A generous deadline for the first start (JSON-RPC ping) on a busy 2-core machine."""

    @property
    def label(self) -> str:
        """``kodi20`` / ``kodi21`` (pytest ids, folder names)."""
        return f"kodi{self.major}"


KODI_20 = KodiVersion(20, "Kodi 20.1 (Nexus)", "MyVideos121", 47, False, 60.0)
KODI_21 = KodiVersion(21, "Kodi 21.2 (Omega)", "MyVideos131", 57, True, 90.0)
VERSIONS = {v.major: v for v in (KODI_20, KODI_21)}
DEFAULT_MAJOR = 20


def kodi_version(major: int | str | KodiVersion | None = None) -> KodiVersion:
    """The ``KodiVersion`` for ``major`` (20 or 21; a ``KodiVersion`` is returned as is);
    None means ``$EASYTV_KODI`` (default 20). Raises ``HarnessError`` for any other value."""
    if isinstance(major, KodiVersion):
        return major
    if major is None:
        major = os.environ.get("EASYTV_KODI") or DEFAULT_MAJOR
    try:
        return VERSIONS[int(major)]
    except (KeyError, ValueError):
        raise HarnessError(f"unsupported Kodi version {major!r} (EASYTV_KODI=20|21)") from None


def video_db_of(major: int | str | KodiVersion | None = None) -> str:
    """``MyVideos121`` for Kodi 20, ``MyVideos131`` for Kodi 21 (None: ``$EASYTV_KODI``)."""
    return kodi_version(major).video_db
