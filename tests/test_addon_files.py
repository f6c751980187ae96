"""The shipped files agree with the README ("Install into your Kodi", "Settings") and with each
other (ids, strings, entry points)."""

import ast
import os
import re
import xml.etree.ElementTree as ET  # noqa: S405 - our own files, not untrusted input

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as handle:
        return handle.read()


def _string_ids():
    return {int(m) for m in re.findall(r'^msgctxt "#(\d+)"', _read("resources", "language",
                                                                   "resource.language.en_gb", "strings.po"), re.M)}


def test_addon_xml_identity_requires_and_extension_points():
    addon = ET.fromstring(_read("addon.xml"))
    assert (addon.get("id"), addon.get("name")) == ("service.easytv", "EasyTV")
    requires = {i.get("addon"): i.get("version") for i in addon.iter("import")}
    assert requires == {"xbmc.python": "3.0.1", "script.module.pymysql": "1.1.0",
                        "script.module.defusedxml": "0.6.0"}
    points = {(e.get("point"), e.get("library")) for e in addon.iter("extension")}
    assert {("xbmc.service", "service.py"), ("xbmc.python.script", "default.py"),
            ("xbmc.python.pluginsource", "default.py")} <= points
    plugin = next(e for e in addon.iter("extension") if e.get("point") == "xbmc.python.pluginsource")
    assert plugin.findtext("provides") == "video"
    assert addon.find(".//license").text == "GPL-3.0-or-later"


def test_settings_ids_are_the_contract_and_every_label_is_translated():
    settings = ET.fromstring(_read("resources", "settings.xml"))
    ids = {s.get("id"): s for s in settings.iter("setting")}
    assert {"include_positioned_specials", "random_order_shows", "widget_limit", "debug_logging",
            "multi_instance_sync", "sync_status", "clear_sync_data", "sync_poll_seconds"} <= set(ids)
    assert ids["widget_limit"].findtext("default") == "25"
    assert ids["multi_instance_sync"].findtext("default") == "false"
    assert ids["clear_sync_data"].find("dependencies/dependency").get("setting") == "multi_instance_sync"
    assert "RunScript(service.easytv,clear_sync_data)" in ids["clear_sync_data"].findtext("data")
    labels = {int(v) for el in settings.iter() for k, v in el.attrib.items() if k in ("label", "help") and v}
    labels |= {int(h.text) for h in settings.iter("heading")}
    assert labels <= _string_ids()


def test_every_localized_string_in_code_exists():
    used = set()
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "lib")):
        for name in files:
            if name.endswith(".py"):
                tree = ast.parse(_read(folder, name))
                for node in ast.walk(tree):
                    if (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", ""))
                            == "localize" and node.args and isinstance(node.args[0], ast.Constant)):
                        used.add(node.args[0].value)
    assert used and used <= _string_ids()
    assert all(30000 <= i <= 30999 for i in _string_ids())


def test_entry_points_are_thin():
    for name in ("service.py", "default.py"):
        tree = ast.parse(_read(name))
        statements = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]
        assert ast.get_docstring(tree)
        assert len(statements) < 15, name
