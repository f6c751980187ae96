"""Facts about the add-on and Kodi: version, profile folder, localized strings, friendly name."""

import logging
from typing import List

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
