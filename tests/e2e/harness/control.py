"""Driving a running Kodi from outside: kodi.log waits, add-on settings, the yes/no dialog."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from defusedxml import ElementTree

from .addons import HELPER_ID, HELPER_SETTING_DONE
from .kodi import KodiInstance
from .procs import wait_until

YES_NO_DIALOG = "Window.IsActive(yesnodialog)"
SELECT_DIALOG = "Window.IsActive(selectdialog)"
TOAST = "Window.IsVisible(notification)"  # xbmcgui.Dialog().notification, shown for ~5 s


# ------------------------------------------------------------------------------- kodi.log
def log_mark(kodi: KodiInstance) -> int:
    """The current size of kodi.log in bytes: pass it as ``since`` to read only what follows."""
    try:
        return kodi.kodi_log_path.stat().st_size
    except FileNotFoundError:
        return 0


def log_since(kodi: KodiInstance, since: int = 0) -> str:
    """kodi.log from byte offset ``since`` (a ``log_mark()``) to its end."""
    try:
        with open(kodi.kodi_log_path, "rb") as log:
            log.seek(since)
            return log.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def log_lines(kodi: KodiInstance, text: str, since: int = 0) -> list[str]:
    """The kodi.log lines after ``since`` that contain ``text``."""
    return [line for line in log_since(kodi, since).splitlines() if text in line]


def log_time(line: str) -> float:
    """The time stamp of a kodi.log line (``2026-11-21 06:44:49.590 T:...``) in epoch seconds.
    All instances on one machine log with the same clock, so stamps compare across logs."""
    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").timestamp()


def wait_log(kodi: KodiInstance, text: str, timeout: float, since: int = 0) -> str:
    """Wait until kodi.log, after byte offset ``since``, has a line containing ``text``;
    return the first such line. Raises ``WaitTimeout``."""
    return wait_until(lambda: next(iter(log_lines(kodi, text, since)), None), timeout,
                      interval=0.05, what=f"{kodi.name}: kodi.log line {text!r}")


# ------------------------------------------------------------------------- add-on state
def wait_storage(kodi: KodiInstance, value: str, timeout: float = 20.0) -> None:
    """Wait until ``EasyTV.Storage`` is ``value`` (``shared`` or ``local``)."""
    kodi.wait_property("EasyTV.Storage", lambda v: v == value, timeout)


def set_addon_setting(kodi: KodiInstance, addon_id: str, setting: str, value: Any,
                      timeout: float = 10.0) -> None:
    """Set ``addon_id``'s ``setting`` inside the running Kodi as its settings dialog would
    (``xbmcaddon.Addon(addon_id).setSetting*`` in the helper add-on, so Kodi saves the file and
    calls the add-on's ``onSettingsChanged``). Returns once the helper logged it had done so."""
    text = "true" if value is True else "false" if value is False else str(value)
    kind = "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else "string"
    mark = log_mark(kodi)
    kodi.execute_addon(HELPER_ID, ["setsetting", addon_id, setting, kind, text])
    wait_log(kodi, HELPER_SETTING_DONE.format(addon=addon_id, setting=setting, value=text),
             timeout, since=mark)


def addon_setting(kodi: KodiInstance, addon_id: str, setting: str) -> str | None:
    """``setting``'s value as Kodi saved it in ``userdata/addon_data/ADDON/settings.xml``
    (new format: ``<setting id="...">value</setting>``), "" when empty, None when absent."""
    path = kodi.userdata / "addon_data" / addon_id / "settings.xml"
    try:
        root = ElementTree.parse(str(path)).getroot()
    except (OSError, ElementTree.ParseError):
        return None
    for node in root.iter("setting"):
        if node.get("id") == setting:
            return node.text or ""
    return None


# --------------------------------------------------------------------------------- GUI
def _boolean(kodi: KodiInstance, condition: str) -> bool:
    return bool(kodi.call("XBMC.GetInfoBooleans", {"booleans": [condition]})[condition])


def _focused(kodi: KodiInstance) -> str:
    return kodi.call("XBMC.GetInfoLabels", {"labels": ["System.CurrentControl"]})[
        "System.CurrentControl"]


def answer_yes_no(kodi: KodiInstance, yes: bool = True, timeout: float = 15.0) -> float:
    """Answer Kodi's yes/no dialog with the remote: wait until it is open with "No" focused,
    ``Input.Left`` (focus "Yes") when ``yes``, then ``Input.Select``; wait until it closed.

    Returns the ``time.monotonic()`` just before the answering ``Input.Select``.
    Raises ``WaitTimeout`` when the dialog does not open, focus does not move or it stays open.
    """
    wait_until(lambda: _boolean(kodi, YES_NO_DIALOG) and _focused(kodi) == "No", timeout,
               interval=0.05, what=f"{kodi.name}: yes/no dialog open with 'No' focused")
    if yes:
        kodi.call("Input.Left")
        wait_until(lambda: _focused(kodi) == "Yes", 5, interval=0.05,
                   what=f"{kodi.name}: 'Yes' focused after Input.Left")
    answered = time.monotonic()
    kodi.call("Input.Select")
    wait_until(lambda: not _boolean(kodi, YES_NO_DIALOG), timeout, interval=0.05,
               what=f"{kodi.name}: yes/no dialog closed")
    return answered


def _label(kodi: KodiInstance, info: str) -> str:
    return kodi.call("XBMC.GetInfoLabels", {"labels": [info]})[info]


def _focus_select_entry(kodi: KodiInstance, starts_with: str, timeout: float, max_steps: int) -> None:
    """Wait until the select dialog is open, then ``Input.Down`` until the focused item's
    label (``ListItem.Label``) starts with ``starts_with``."""
    wait_until(lambda: _boolean(kodi, SELECT_DIALOG) and _label(kodi, "ListItem.Label"), timeout,
               interval=0.05, what=f"{kodi.name}: select dialog open with an item focused")
    seen: list[str] = []
    for _ in range(max_steps):
        label = _label(kodi, "ListItem.Label")
        if label.startswith(starts_with):
            return
        if label in seen:
            break
        seen.append(label)
        kodi.call("Input.Down")
        wait_until(lambda label=label: _label(kodi, "ListItem.Label") != label, 5, interval=0.05,
                   what=f"{kodi.name}: focus moved off {label!r}")
    raise AssertionError(f"{kodi.name}: no select-dialog entry starts with {starts_with!r}: {seen}")


def _wait_select_closed(kodi: KodiInstance, timeout: float) -> None:
    wait_until(lambda: not _boolean(kodi, SELECT_DIALOG), timeout, interval=0.05,
               what=f"{kodi.name}: select dialog closed")


def choose_in_select_dialog(kodi: KodiInstance, starts_with: str, timeout: float = 15.0,
                            max_steps: int = 50) -> float:
    """Choose, with the remote, the entry of Kodi's select dialog whose label starts with
    ``starts_with``: wait until the dialog is open, ``Input.Down`` until the focused item
    (``ListItem.Label``) matches, then ``Input.Select``; wait until the dialog closed.

    Returns the ``time.monotonic()`` just before the ``Input.Select``. Raises ``WaitTimeout``
    when the dialog does not open or close, ``AssertionError`` when no entry matches.
    """
    _focus_select_entry(kodi, starts_with, timeout, max_steps)
    chosen = time.monotonic()
    kodi.call("Input.Select")
    _wait_select_closed(kodi, timeout)
    return chosen


def toggle_in_multiselect_dialog(kodi: KodiInstance, starts_with: str, button: str = "OK",
                                 timeout: float = 15.0, max_steps: int = 50) -> None:
    """In Kodi's multi-select dialog: toggle the entry whose label starts with ``starts_with``
    (``Input.Select`` on it), then ``Input.Right`` to the button labelled ``button``
    (``System.CurrentControl``) and press it; wait until the dialog closed."""
    _focus_select_entry(kodi, starts_with, timeout, max_steps)
    kodi.call("Input.Select")
    wait_until(lambda: _boolean(kodi, "ListItem.IsSelected"), 5, interval=0.05,
               what=f"{kodi.name}: {starts_with!r} toggled on")
    for _ in range(5):
        if _focused(kodi) == button:
            break
        kodi.call("Input.Right")
        wait_until(lambda: _focused(kodi) != "", 5, interval=0.05, what=f"{kodi.name}: focus on a control")
    assert _focused(kodi) == button, f"{kodi.name}: no {button!r} button reached: {_focused(kodi)!r}"
    kodi.call("Input.Select")
    _wait_select_closed(kodi, timeout)


def wait_toast(kodi: KodiInstance, timeout: float = 5.0) -> None:
    """Wait until a toast notification (``Dialog().notification``) is on screen."""
    wait_until(lambda: _boolean(kodi, TOAST), timeout, interval=0.05,
               what=f"{kodi.name}: toast notification visible")


TEXT_VIEWER = "Window.IsActive(textviewer)"


def read_text_viewer(kodi: KodiInstance, timeout: float = 20.0) -> tuple[str, str]:
    """Wait until Kodi's text viewer (``xbmcgui.Dialog().textviewer``) is open; return its
    ``(heading, text)`` (``Control.GetLabel(1)`` and ``(5)``, seen to hold the whole text in
    Kodi 20.1 and 21.2), then close it with ``Input.Back``. Raises ``WaitTimeout``."""
    def shown() -> tuple[str, str] | None:
        if not _boolean(kodi, TEXT_VIEWER):
            return None
        labels = kodi.call("XBMC.GetInfoLabels", {"labels": ["Control.GetLabel(1)", "Control.GetLabel(5)"]})
        text = labels["Control.GetLabel(5)"]
        return (labels["Control.GetLabel(1)"], text) if text else None

    heading, text = wait_until(shown, timeout, interval=0.1, what=f"{kodi.name}: text viewer open with text")
    kodi.call("Input.Back")
    wait_until(lambda: not _boolean(kodi, TEXT_VIEWER), timeout, interval=0.05,
               what=f"{kodi.name}: text viewer closed")
    return heading, text


def sync_status(kodi: KodiInstance, timeout: float = 20.0) -> str:
    """Press the add-on's *Sync status* button (``RunScript(service.easytv,sync_status)``) and
    return the report its text viewer shows."""
    kodi.run_builtin("RunScript(service.easytv,sync_status)")
    return read_text_viewer(kodi, timeout)[1]
