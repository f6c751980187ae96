"""Reading and dismissing Kodi dialogs from outside (select dialog rows, Back), for the
watching features (tests/e2e/test_watching.py)."""

from __future__ import annotations

from .control import SELECT_DIALOG
from .kodi import KodiInstance
from .procs import wait_until

# Estuary's DialogSelect.xml: list 3 for plain rows, list 6 for rows with details (useDetails).
SELECT_LISTS = (3, 6)


def _boolean(kodi: KodiInstance, condition: str) -> bool:
    return bool(kodi.call("XBMC.GetInfoBooleans", {"booleans": [condition]})[condition])


def _labels(kodi: KodiInstance, names: list[str]) -> dict[str, str]:
    return kodi.call("XBMC.GetInfoLabels", {"labels": names})


def is_active(kodi: KodiInstance, window: str) -> bool:
    """``Window.IsActive(window)``."""
    return _boolean(kodi, f"Window.IsActive({window})")


def select_rows(kodi: KodiInstance, timeout: float = 15.0, most: int = 60, field: str = "Label") -> list[str]:
    """Wait until Kodi's select dialog is open with items, then return every row's ``field``
    (``Label``, or ``Label2``: the second line of a row with details), top to bottom
    (``Container(id).ListItemAbsolute(n).<field>`` of list 3 or 6)."""
    def rows() -> list[str] | None:
        if not _boolean(kodi, SELECT_DIALOG):
            return None
        for control in SELECT_LISTS:
            count = _labels(kodi, [f"Container({control}).NumItems"])[f"Container({control}).NumItems"]
            if count.isdigit() and int(count) > 0:
                names = [f"Container({control}).ListItemAbsolute({i}).{field}" for i in range(min(int(count), most))]
                found = _labels(kodi, names)
                return [found[n] for n in names]
        return None

    return wait_until(rows, timeout, interval=0.1, what=f"{kodi.name}: select dialog open with rows")


def is_visible(kodi: KodiInstance, window: str) -> bool:
    """``Window.IsVisible(window)``: unlike ``Window.IsActive``, true until a closing dialog's
    close animation has ended."""
    return _boolean(kodi, f"Window.IsVisible({window})")


def back_out(kodi: KodiInstance, window: str = "selectdialog", timeout: float = 15.0) -> None:
    """Press Back (``Input.Back``) while ``window`` is active, until it is no longer visible.

    ``Window.IsActive`` turns false as soon as Back starts the dialog's close animation;
    ``Window.IsVisible`` only when it has ended, about 0.25 s later in Estuary (measured on
    Kodi 20.1). The chooser test once saw the next ``RunScript(service.easytv,browse)`` log
    its chooser right at the end of that time and no select dialog show within 15 s, so this
    returns only once the previous dialog is gone, as a user sees it.
    """
    def closed() -> bool:
        if not is_visible(kodi, window):
            return True
        if is_active(kodi, window):
            kodi.call("Input.Back")
        return not is_visible(kodi, window)

    wait_until(closed, timeout, interval=0.05, what=f"{kodi.name}: {window} closed with Back")


def stop_player(kodi: KodiInstance, timeout: float = 15.0) -> None:
    """Stop the video player if it plays and wait until nothing plays."""
    def idle() -> bool:
        players = kodi.call("Player.GetActivePlayers")
        for p in players:
            kodi.call("Player.Stop", {"playerid": p["playerid"]})
        return not players

    wait_until(idle, timeout, interval=0.3, what=f"{kodi.name}: player stopped")


def playlist_items(kodi: KodiInstance) -> list[dict]:
    """The video playlist's items (``Playlist.GetItems`` id 1) with tvshowid/season/episode."""
    result = kodi.call("Playlist.GetItems", {"playlistid": 1,
                                             "properties": ["tvshowid", "season", "episode", "showtitle"]})
    return result.get("items") or []


def player_seconds(kodi: KodiInstance) -> float:
    """The video player's time in seconds."""
    t = kodi.call("Player.GetProperties", {"playerid": 1, "properties": ["time"]})["time"]
    return t["hours"] * 3600 + t["minutes"] * 60 + t["seconds"] + t["milliseconds"] / 1000


def set_id_list_setting(kodi: KodiInstance, setting: str, ids: list[int], timeout: float = 10.0) -> None:
    """Set a comma-separated id setting of service.easytv (``show_filter``) through the helper
    add-on. ``Addons.ExecuteAddon`` params go through Kodi's built-in parameter splitting,
    which splits on commas outside double quotes, so the value is passed quoted."""
    from .addons import HELPER_ID, HELPER_SETTING_DONE
    from .control import log_mark, wait_log

    text = ",".join(str(i) for i in ids)
    mark = log_mark(kodi)
    kodi.execute_addon(HELPER_ID, ["setsetting", "service.easytv", setting, "string", f'"{text}"' if text else ""])
    wait_log(kodi, HELPER_SETTING_DONE.format(addon="service.easytv", setting=setting, value=text), timeout, since=mark)
