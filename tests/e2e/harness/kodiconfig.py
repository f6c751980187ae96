"""Files a test Kodi's HOME needs before start: audio fix, advanced/GUI settings, add-ons."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from .addons import write_addons_db


def settings_xml(values: dict[str, str]) -> str:
    """A ``<settings version="2">`` document with one ``<setting id=..>`` per item."""
    rows = "".join(f'  <setting id="{escape(k)}">{escape(v)}</setting>\n'
                   for k, v in values.items())
    return f'<settings version="2">\n{rows}</settings>\n'


def write_home(home: Path, friendly_name: str, db: dict, ports: dict[str, int],
               addon_dirs: list[Path], enabled_addons: list[str]) -> None:
    """Populate ``home/.kodi`` for a headless Kodi 20 on a shared MySQL video database.

    ``db``: host, port, user, password. ``ports``: ``web`` (HTTP JSON-RPC), ``tcp`` (raw
    JSON-RPC notifications), ``es`` (event server), all distinct per instance. ``addon_dirs``
    are copied into ``addons/``; ``enabled_addons`` are enabled through a pre-created
    ``Addons33.db`` (Kodi registers dropped-in add-ons as disabled otherwise), kept on restart.
    """
    userdata = home / ".kodi" / "userdata"
    userdata.mkdir(parents=True, exist_ok=True)
    # Without a null ALSA sink startup takes 7 s and files with audio never finish playing.
    (home / ".asoundrc").write_text("pcm.!default { type null }\n")
    (userdata / "advancedsettings.xml").write_text(
        "<advancedsettings>\n"
        "  <videodatabase><type>mysql</type>"
        f"<host>{db['host']}</host><port>{db['port']}</port>"
        f"<user>{escape(db['user'])}</user><pass>{escape(db['password'])}</pass>"
        "<name>MyVideos</name></videodatabase>\n"
        f"  <jsonrpc><tcpport>{ports['tcp']}</tcpport></jsonrpc>\n"
        # Resume points for 10 s files: Kodi ignores the first 180 s of playback by default.
        "  <video><ignoresecondsatstart>1</ignoresecondsatstart></video>\n"
        "</advancedsettings>\n")
    gui = {
        "services.devicename": friendly_name,
        "services.webserver": "true", "services.webserverport": str(ports["web"]),
        # With authentication on and an empty password Kodi silently starts no web server.
        "services.webserverauthentication": "false",
        "services.esport": str(ports["es"]), "services.esallinterfaces": "false",
        "services.zeroconf": "false", "services.upnp": "false",
        "services.airplay": "false", "services.wsdiscovery": "false",
        "general.addonupdates": "2",
        "audiooutput.streamsilence": "0",  # else each idle Kodi burns ~22 % of a core
        "screensaver.mode": "",
    }
    (userdata / "guisettings.xml").write_text(settings_xml(gui))
    addons_dir = home / ".kodi" / "addons"
    addons_dir.mkdir(parents=True, exist_ok=True)
    for src in addon_dirs:
        dest = addons_dir / src.name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if enabled_addons and not (userdata / "Database" / "Addons33.db").exists():
        write_addons_db(userdata / "Database" / "Addons33.db", enabled_addons)


def write_addon_settings(userdata: Path, addon_id: str, settings: dict[str, Any]) -> Path:
    """Write ``userdata/addon_data/ADDON/settings.xml`` (bools as ``true``/``false``); return it."""
    values = {k: ("true" if v is True else "false" if v is False else str(v))
              for k, v in settings.items()}
    path = userdata / "addon_data" / addon_id / "settings.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(settings_xml(values))
    return path
