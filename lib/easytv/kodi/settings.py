"""Reads the add-on's settings (`xbmcaddon.Addon().getSettings()`, Kodi 20+) into a snapshot,
and writes the values EasyTV changes itself.

Writes go through `xbmcaddon.Addon.setSettingString/setSettingBool`, not through the
`xbmcaddon.Settings` setters: in Kodi 20.1 the latter change the value in memory but leave
`settings.xml` as it was (measured with the e2e harness: the file kept the old value, while
`Addon.setSetting*` saved it at once), so the value would be lost at the next restart.
"""

import logging

import xbmcaddon

from easytv.core.settings import Settings, clamp_widget_limit, format_show_ids, parse_show_ids

LOG = logging.getLogger("EasyTV.settings")


def _get(read, setting_id: str, default):
    """One setting through `read`, falling back to `default` (logged) when Kodi refuses it."""
    try:
        return read(setting_id)
    except (TypeError, ValueError, RuntimeError) as exc:
        LOG.warning("Setting %s unreadable (%s); using default %r", setting_id, exc, default)
        return default


def read_settings() -> Settings:
    """A fresh `Settings` snapshot of `service.easytv`; unreadable values fall back to defaults."""
    kodi_settings = xbmcaddon.Addon("service.easytv").getSettings()
    poll = _get(kodi_settings.getInt, "sync_poll_seconds", 2)
    return Settings(
        include_positioned_specials=_get(kodi_settings.getBool, "include_positioned_specials", False),
        random_order_shows=parse_show_ids(_get(kodi_settings.getString, "random_order_shows", ""),
                                          LOG.warning),
        widget_limit=clamp_widget_limit(_get(kodi_settings.getInt, "widget_limit", 25)),
        debug_logging=_get(kodi_settings.getBool, "debug_logging", False),
        multi_instance_sync=_get(kodi_settings.getBool, "multi_instance_sync", False),
        sync_poll_seconds=float(poll) if 1 <= poll <= 60 else 2.0,
    )


def write_random_order_shows(ids) -> None:
    """Store the random-order show ids as the comma-separated `random_order_shows` setting."""
    xbmcaddon.Addon("service.easytv").setSettingString("random_order_shows", format_show_ids(tuple(ids)))


def write_shared_values(values) -> None:
    """Write shared-setting values (`include_positioned_specials`, `random_order_shows`) into
    this device's add-on settings, so its settings dialog shows what the shared database says.
    Kodi then calls `onSettingsChanged`."""
    addon = xbmcaddon.Addon("service.easytv")
    if values.get("include_positioned_specials") in ("true", "false"):
        addon.setSettingBool("include_positioned_specials", values["include_positioned_specials"] == "true")
    if "random_order_shows" in values:
        addon.setSettingString("random_order_shows", format_show_ids(parse_show_ids(values["random_order_shows"])))
