"""Entry point of `default.py`: the plugin routes and the script actions.

Kodi starts `default.py` as a video plugin with `sys.argv = [url, handle, query, ...]`
(`plugin://service.easytv/next_episodes`, "12", "?reload=..."), and as a script with
`sys.argv = [path]` or `[path, action]` (`RunScript(service.easytv,clear_sync_data)`).
JSON-RPC `Addons.ExecuteAddon` with params opens the plugin URL instead, so script actions are
also served as plugin routes (`plugin://service.easytv/clear_sync_data`).
"""

import logging
from typing import List, Sequence
from urllib.parse import urlsplit

from easytv.app import actions, widget
from easytv.core.errors import ConfigError, Error, StoreError
from easytv.kodi import addon, dialogs, jsonrpc, listing, log
from easytv.kodi.library import KodiLibrary
from easytv.kodi.settings import read_settings, write_random_order_shows
from easytv.kodi.window import HomeWindow

LOG = logging.getLogger("EasyTV.script")
BASE_URL = "plugin://%s/" % addon.ADDON_ID

CLEAR_SYNC_DATA = "clear_sync_data"
SYNC_STATUS = "sync_status"
SELECT_RANDOM_SHOWS = "select_random_shows"


def run(argv: Sequence[str]) -> None:
    """Dispatch one invocation of `default.py`; logs and notifies instead of raising."""
    log.install(read_settings().debug_logging)
    try:
        if argv and argv[0].startswith("plugin://"):
            _plugin(argv)
        else:
            _script(argv[1] if len(argv) > 1 else "")
    except Error as exc:
        LOG.warning("Action failed: %s", exc)
        dialogs.notify(str(exc), error=True)


def _plugin(argv: Sequence[str]) -> None:
    handle = int(argv[1]) if len(argv) > 1 and argv[1].lstrip("-").isdigit() else -1
    route = urlsplit(argv[0]).path.strip("/")
    if route in (widget.NEXT_EPISODES, widget.START_FRESH):
        limit = read_settings().widget_limit
        listing.show_episodes(handle, widget.read_list(HomeWindow(), route, limit))
    elif route == "":
        listing.show_folders(handle, [(addon.localize(30001), BASE_URL + widget.NEXT_EPISODES),
                                      (addon.localize(30002), BASE_URL + widget.START_FRESH)])
    else:
        listing.end_empty(handle)
        _script(route)


def _script(action: str) -> None:
    if action == "":
        _choose_and_play()
    elif action in (CLEAR_SYNC_DATA, SYNC_STATUS):
        if not read_settings().multi_instance_sync:
            dialogs.ok(addon.localize(30031))
        elif action == CLEAR_SYNC_DATA:
            actions.clear_sync_data(_open_shared_store, lambda: dialogs.yes_no(addon.localize(30035)),
                                    lambda ok: dialogs.notify(addon.localize(30036 if ok else 30037), error=not ok))
        else:
            _show_sync_status()
    elif action == SELECT_RANDOM_SHOWS:
        _select_random_shows()
    else:
        LOG.warning("Unknown action %r", action)


def _choose_and_play() -> None:
    entries = widget.read_list(HomeWindow(), widget.NEXT_EPISODES, read_settings().widget_limit)
    if not entries:
        dialogs.ok(addon.localize(30030))
        return
    index = dialogs.choose_episode(addon.localize(30001), entries)
    if index is None:
        return
    chosen = entries[index]
    episodeid = widget.to_int(chosen["EpisodeID"])
    resume = widget.to_int(chosen["ResumeSeconds"]) > 0
    LOG.info("Playing episodeid=%d (%s %s), resume=%s", episodeid, chosen["TVShowTitle"],
             chosen["EpisodeNo"], resume)
    KodiLibrary(jsonrpc.call).play_episode(episodeid, resume)


def _select_random_shows() -> None:
    shows = sorted(KodiLibrary(jsonrpc.call).tvshows(), key=lambda s: s.title.lower())
    current = set(read_settings().random_order_shows)
    labels: List[str] = ["%s (%d)" % (s.title, s.year) if s.year else s.title for s in shows]
    preselect = [i for i, s in enumerate(shows) if s.tvshowid in current]
    chosen = dialogs.choose_many(addon.localize(30032), labels, preselect)
    if chosen is None:
        return
    ids = tuple(shows[i].tvshowid for i in chosen)
    write_random_order_shows(ids)
    LOG.info("Random-order shows set to %s", ",".join(str(i) for i in ids) or "none")



def _open_shared_store():
    """Connect to the shared database the way the service does (raises `Error`)."""
    try:
        from easytv.mysql.discovery import discover
        from easytv.mysql.store import MySQLStore
    except ImportError as exc:
        raise StoreError("script.module.pymysql or script.module.defusedxml is missing (%s)" % exc) from None
    config = discover(addon.advancedsettings_paths(), addon.read_file)
    if config is None:
        raise ConfigError("no advancedsettings.xml names a MySQL video database")
    return MySQLStore.open(config, addon.device_id(), kodi_version=addon.kodi_version())


def _show_sync_status() -> None:
    try:
        report = actions.sync_status(_open_shared_store, addon.device_id())
    except Error as exc:
        LOG.warning("Sync status failed: %s", exc)
        dialogs.notify(addon.localize(30038), error=True)
        return
    dialogs.text(addon.localize(30023), report)
