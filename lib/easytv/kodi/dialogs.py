"""Kodi's standard dialogs and notifications (`xbmcgui.Dialog`)."""

from typing import List, Mapping, Optional, Sequence, Tuple, Union

import xbmcgui

from easytv.kodi.addon import localize
from easytv.kodi.listing import episode_item


def choose_episode(heading: str, entries: Sequence[Mapping[str, str]]) -> Optional[int]:
    """Select dialog with details over episode entries; the chosen index, or None if cancelled."""
    items: List[Union[str, xbmcgui.ListItem]] = [episode_item(f) for f in entries]
    index = xbmcgui.Dialog().select(heading, items, useDetails=True)
    return index if index >= 0 else None


def choose_episode_rows(heading: str, entries: Sequence[Mapping[str, str]],
                        rows: Sequence[Tuple[str, str]]) -> Optional[int]:
    """Select dialog with details over episode entries, row `i` showing `rows[i]` as
    (label, second line); the chosen index, or None if cancelled."""
    items: List[Union[str, xbmcgui.ListItem]] = []
    for fields, (label, detail) in zip(entries, rows):
        item = episode_item(fields)
        item.setLabel(label)
        item.setLabel2(detail)
        items.append(item)
    index = xbmcgui.Dialog().select(heading, items, useDetails=True)
    return index if index >= 0 else None


def choose(heading: str, labels: Sequence[str]) -> Optional[int]:
    """Plain select dialog over `labels`; the chosen index, or None if cancelled."""
    index = xbmcgui.Dialog().select(heading, list(labels))
    return index if index >= 0 else None


def choose_many(heading: str, labels: List[str], preselect: List[int]) -> Optional[List[int]]:
    """Multi-select dialog; the chosen indexes, or None if cancelled."""
    options: List[Union[str, xbmcgui.ListItem]] = list(labels)
    chosen = xbmcgui.Dialog().multiselect(heading, options, preselect=preselect)
    return None if chosen is None else list(chosen)


def notify(message: str, error: bool = False) -> None:
    """A toast notification titled EasyTV."""
    icon = xbmcgui.NOTIFICATION_ERROR if error else xbmcgui.NOTIFICATION_INFO
    xbmcgui.Dialog().notification(localize(30000), message, icon, 5000)


def ok(message: str) -> None:
    """An OK dialog titled EasyTV."""
    xbmcgui.Dialog().ok(localize(30000), message)


def yes_no(message: str) -> bool:
    """Kodi's standard yes/no dialog titled EasyTV; "No" is focused by default."""
    return bool(xbmcgui.Dialog().yesno(localize(30000), message, defaultbutton=xbmcgui.DLG_YESNO_NO_BTN))


def text(heading: str, body: str) -> None:
    """A scrollable text viewer."""
    xbmcgui.Dialog().textviewer(heading, body)
