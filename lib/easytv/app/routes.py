"""Entry point of `default.py`: the plugin routes and the script actions.

Kodi starts `default.py` as a video plugin with `sys.argv = [url, handle, query, ...]`
(`plugin://service.easytv/next_episodes`, "12", "?reload=..."), and as a script with
`sys.argv = [path]` or `[path, action]` (`RunScript(service.easytv,clear_sync_data)`).
JSON-RPC `Addons.ExecuteAddon` with params opens the plugin URL instead, so script actions are
also served as plugin routes (`plugin://service.easytv/clear_sync_data`).

Script actions: none (what `launch_behaviour` says), `browse` (the chooser), `random_mix`,
`select_show_filter`, `select_random_shows`, `sync_status`, `clear_sync_data`.
`plugin://service.easytv/next_episodes?mix=1` lists a "Random mix" action item first; clicking
it runs `plugin://service.easytv/random_mix` (README "Watching").
"""

import logging
import random
from typing import Dict, List, Sequence
from urllib.parse import parse_qs, urlsplit

from easytv.app import actions, mix, widget
from easytv.app.identity import device_id
from easytv.core import chooser
from easytv.core.errors import ConfigError, Error, StoreError
from easytv.core.settings import LAUNCH_ASK, LAUNCH_RANDOM_MIX, Settings
from easytv.kodi import addon, dialogs, jsonrpc, listing, log, player
from easytv.kodi.library import KodiLibrary
from easytv.kodi.settings import read_settings, write_random_order_shows, write_show_filter
from easytv.kodi.window import HomeWindow

LOG = logging.getLogger("EasyTV.script")
BASE_URL = "plugin://%s/" % addon.ADDON_ID

CLEAR_SYNC_DATA = "clear_sync_data"
SYNC_STATUS = "sync_status"
SELECT_RANDOM_SHOWS = "select_random_shows"
SELECT_SHOW_FILTER = "select_show_filter"
BROWSE = "browse"
RANDOM_MIX = "random_mix"
ALL = 100000


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
    url = urlsplit(argv[0])
    route = url.path.strip("/")
    query = parse_qs((argv[2] if len(argv) > 2 else url.query).lstrip("?"))
    if route in (widget.NEXT_EPISODES, widget.START_FRESH):
        first = None
        if route == widget.NEXT_EPISODES and query.get("mix") == ["1"]:
            first = (addon.localize(30070), BASE_URL + RANDOM_MIX)
        listing.show_episodes(handle, _widget_list(read_settings(), route), first)
    elif route == "":
        listing.show_folders(handle, [(addon.localize(30001), BASE_URL + widget.NEXT_EPISODES),
                                      (addon.localize(30002), BASE_URL + widget.START_FRESH)])
    else:
        if handle >= 0:  # RunPlugin(...) and a click on an action item pass no handle (-1)
            listing.end_empty(handle)
        _script(route)


def _widget_list(settings: Settings, route: str) -> List[Dict[str, str]]:
    """A widget list from the cache, limited to `show_filter` (empty = all), then `widget_limit`."""
    return widget.read_list(HomeWindow(), route, settings.widget_limit, settings.show_filter)


def _script(action: str) -> None:
    if action == "":
        _launch()
    elif action == BROWSE:
        _choose_and_play()
    elif action == RANDOM_MIX:
        _random_mix()
    elif action == SELECT_SHOW_FILTER:
        _select_show_filter()
    elif action in (CLEAR_SYNC_DATA, SYNC_STATUS):
        if not read_settings().multi_instance_sync:
            dialogs.ok(addon.localize(30031))
        elif action == CLEAR_SYNC_DATA:
            actions.clear_sync_data(_open_shared_store, lambda: dialogs.yes_no(addon.localize(30035)),
                                    lambda ok: dialogs.notify(addon.localize(30036 if ok else 30037), error=not ok),
                                    _announce_clear if read_settings().sync_hints else None)
        else:
            _show_sync_status()
    elif action == SELECT_RANDOM_SHOWS:
        _select_random_shows()
    else:
        LOG.warning("Unknown action %r", action)


def _launch() -> None:
    """`default.py` with no argument: what `launch_behaviour` says (Browse, Random mix, Ask)."""
    behaviour = read_settings().launch_behaviour
    if behaviour == LAUNCH_ASK:
        LOG.info("Launch: asking Browse or Random mix")
        index = dialogs.choose(addon.localize(30000), [addon.localize(30043), addon.localize(30044)])
        if index is None:
            return
        behaviour = LAUNCH_RANDOM_MIX if index == 1 else 0
    if behaviour == LAUNCH_RANDOM_MIX:
        _random_mix()
    else:
        _choose_and_play()


def _random_mix() -> None:
    if not mix.play(HomeWindow(), read_settings(), jsonrpc.call, random.Random()):
        dialogs.ok(addon.localize(30073))


def _choose_and_play() -> None:
    settings = read_settings()
    entries = chooser.filter_shows(widget.read_list(HomeWindow(), widget.NEXT_EPISODES, ALL), settings.show_filter)
    entries = chooser.sort_entries(entries, settings.sort_by, settings.sort_reverse, settings.limit_shows,
                                   random.Random())
    if not entries:
        dialogs.ok(addon.localize(30030))
        return
    LOG.info("Chooser: %d shows, sort_by=%d, reverse=%s", len(entries), settings.sort_by, settings.sort_reverse)
    rows = [chooser.row_text(e, addon.localize(30071)) for e in entries]
    index = dialogs.choose_episode_rows(addon.localize(30001), entries, rows)
    if index is None:
        return
    chosen = entries[index]
    episodeid = widget.to_int(chosen["EpisodeID"])
    resume = widget.to_int(chosen["ResumeSeconds"]) > 0
    LOG.info("Playing episodeid=%d (%s %s), resume=%s", episodeid, chosen["TVShowTitle"],
             chosen["EpisodeNo"], resume)
    player.play_episode(jsonrpc.call, episodeid, resume)


def _select_show_filter() -> None:
    shows = sorted(KodiLibrary(jsonrpc.call).tvshows(), key=lambda s: s.title.lower())
    current = set(read_settings().show_filter)
    labels: List[str] = ["%s (%d)" % (s.title, s.year) if s.year else s.title for s in shows]
    chosen = dialogs.choose_many(addon.localize(30054), labels,
                                 [i for i, s in enumerate(shows) if s.tvshowid in current])
    if chosen is None:
        return
    ids = tuple(shows[i].tvshowid for i in chosen)
    write_show_filter(ids)
    LOG.info("Show filter set to %s", ",".join(str(i) for i in ids) or "all shows")


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
    return MySQLStore.open(config, device_id(addon.profile_path()), kodi_version=addon.kodi_version())


def _announce_clear(store, head) -> None:
    """Hint every service of this library (this device's too) that the data was cleared."""
    from easytv.app.hints import announce_once, hint_scope
    scope = hint_scope(store.config.name, addon.kodi_version(), store.config.shared_database)
    sent = announce_once(scope, head.generation, head.revision, store.devices(), store.library)
    LOG.debug("Announced the clear to %d device(s)", sent)


def _show_sync_status() -> None:
    try:
        report = actions.sync_status(_open_shared_store, device_id(addon.profile_path()))
    except Error as exc:
        LOG.warning("Sync status failed: %s", exc)
        dialogs.notify(addon.localize(30038), error=True)
        return
    dialogs.text(addon.localize(30023), report)
