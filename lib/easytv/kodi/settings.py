"""Reads the add-on's settings (`xbmcaddon.Addon().getSettings()`, Kodi 20+) into a snapshot,
and writes the values EasyTV changes itself.

Writes go through `xbmcaddon.Addon.setSettingString/setSettingBool`, not through the
`xbmcaddon.Settings` setters: in Kodi 20.1 the latter change the value in memory but leave
`settings.xml` as it was (measured with the e2e harness: the file kept the old value, while
`Addon.setSetting*` saved it at once), so the value would be lost at the next restart.
"""

import logging

import xbmcaddon

from easytv.core.settings import Settings, clamp, clamp_widget_limit, format_show_ids, parse_show_ids

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
        sync_hints=_get(kodi_settings.getBool, "sync_hints", True),
        **_watching(kodi_settings),
    )


def _watching(kodi_settings) -> dict:
    """The watching settings (README "Watching"); out-of-range values fall back to defaults."""
    get_int, get_bool = kodi_settings.getInt, kodi_settings.getBool
    return dict(
        launch_behaviour=clamp(_get(get_int, "launch_behaviour", 0), 0, 2, 0),
        sort_by=clamp(_get(get_int, "sort_by", 0), 0, 4, 0),
        sort_reverse=_get(get_bool, "sort_reverse", False),
        limit_shows=clamp(_get(get_int, "limit_shows", 0), 0, 500, 0),
        show_filter=parse_show_ids(_get(kodi_settings.getString, "show_filter", ""), LOG.warning, "show_filter"),
        mix_length=clamp(_get(get_int, "mix_length", 10), 1, 200, 10),
        mix_multiple_episodes=_get(get_bool, "mix_multiple_episodes", False),
        mix_content=clamp(_get(get_int, "mix_content", 0), 0, 1, 0),
        mix_resume=_get(get_bool, "mix_resume", True),
        next_prompt=_get(get_bool, "next_prompt", True),
        next_prompt_seconds=clamp(_get(get_int, "next_prompt_seconds", 20), 1, 120, 20),
        next_prompt_default=clamp(_get(get_int, "next_prompt_default", 0), 0, 1, 0),
        next_prompt_in_mix=_get(get_bool, "next_prompt_in_mix", False),
        missed_episode_check=_get(get_bool, "missed_episode_check", False),
    )


def write_show_filter(ids) -> None:
    """Store the show filter (tvshowids) as the comma-separated `show_filter` setting."""
    xbmcaddon.Addon("service.easytv").setSettingString("show_filter", format_show_ids(tuple(ids)))


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
