"""Facts about the add-on and Kodi: version, profile folder, localized strings, friendly name."""

import logging
import os
import uuid
from typing import List, Optional

import xbmc
import xbmcaddon
import xbmcvfs

ADDON_ID = "service.easytv"
LOG = logging.getLogger("EasyTV.service")


def version() -> str:
    """The add-on version from addon.xml."""
    return xbmcaddon.Addon(ADDON_ID).getAddonInfo("version")


def profile_path() -> str:
    """The add-on's profile folder as a real path (`special://profile/addon_data/service.easytv/`)."""
    return xbmcvfs.translatePath(xbmcaddon.Addon(ADDON_ID).getAddonInfo("profile"))


def localize(string_id: int) -> str:
    """A string of resources/language (ids 30000–30999)."""
    return xbmcaddon.Addon(ADDON_ID).getLocalizedString(string_id)


def kodi_version() -> str:
    """Kodi's build version, e.g. `20.1 (20.1.0) Git:...`."""
    return xbmc.getInfoLabel("System.BuildVersion")


def friendly_name() -> str:
    """This device's name (`System.FriendlyName`)."""
    return xbmc.getInfoLabel("System.FriendlyName")


ADVANCEDSETTINGS = ("special://userdata/advancedsettings.xml", "special://profile/advancedsettings.xml",
                    "special://masterprofile/advancedsettings.xml")
"""Where Kodi reads advancedsettings.xml, in the order EasyTV looks (README, "Multi-instance sync")."""


def advancedsettings_paths() -> List[str]:
    """Real paths of the candidate advancedsettings.xml files, in `ADVANCEDSETTINGS` order."""
    return [xbmcvfs.translatePath(p) for p in ADVANCEDSETTINGS]


def read_file(path: str):
    """The bytes of a local file, or None when it does not exist (raises OSError otherwise)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(1024 * 1024 + 1)
    except FileNotFoundError:
        return None


_RUN_DEVICE_ID: Optional[str] = None
"""The id used for this run when the profile folder cannot keep one (read-only or full)."""


def device_id() -> str:
    """This device's UUID, created on first use and kept in the add-on's profile folder.

    When the folder cannot be written (read-only or full profile), an id made for this run is
    used (the same one for the whole run) and the reason is logged once; the next start tries
    again. Never raises `OSError`.
    """
    global _RUN_DEVICE_ID
    folder = profile_path()
    path = os.path.join(folder, "device_id")
    try:
        with open(path, encoding="utf-8") as handle:
            value = handle.read().strip()
        uuid.UUID(value)
        return value
    except (OSError, ValueError):
        pass
    if _RUN_DEVICE_ID is not None:
        return _RUN_DEVICE_ID
    value = str(uuid.uuid4())
    tmp = path + ".tmp"
    try:
        xbmcvfs.mkdirs(folder)
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(value + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        LOG.warning("Cannot keep the device id in %s (%s); using %s for this run only", path, exc, value)
        _RUN_DEVICE_ID = value
    return value
