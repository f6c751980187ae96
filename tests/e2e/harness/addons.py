"""Add-ons for the test Kodi: module add-ons built from PyPI wheels, the add-on under test
copied from the working tree, and a pre-created ``Addons33.db`` that enables them."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

from .procs import HarnessError

ADDON_ID = "service.easytv"
ADDON_FILES = ("addon.xml", "service.py", "default.py", "LICENSE.txt", "README.md",
               "resources", "lib")
HELPER_ID = "script.easytv.e2e.builtin"
# (add-on id, PyPI project, importable top-level package)
MODULES = (("script.module.pymysql", "pymysql", "pymysql"),
           ("script.module.defusedxml", "defusedxml", "defusedxml"))


def repo_root() -> Path:
    """The repository checkout holding ``tests/e2e/harness``."""
    return Path(__file__).resolve().parents[3]


def cache_dir() -> Path:
    """``$EASYTV_E2E_CACHE`` or ``<repo>/.cache/e2e`` (created)."""
    path = Path(os.environ.get("EASYTV_E2E_CACHE") or repo_root() / ".cache" / "e2e")
    path.mkdir(parents=True, exist_ok=True)
    return path


PYMYSQL_ENDS = {"newest": "requirements-dev.txt", "min": "requirements-min.txt"}


def requirements_file(end: str | None = None) -> Path:
    """The requirements file the module add-ons' pins come from: ``end`` (else
    ``$EASYTV_PYMYSQL``, default ``newest``) ``newest`` -> ``requirements-dev.txt`` (the newest
    PyMySQL/defusedxml, as the contract tests use), ``min`` -> ``requirements-min.txt`` (the
    lowest versions ``addon.xml`` accepts). Raises ``HarnessError`` for another value or a
    missing file."""
    end = end or os.environ.get("EASYTV_PYMYSQL") or "newest"
    if end not in PYMYSQL_ENDS:
        raise HarnessError(f"unsupported EASYTV_PYMYSQL={end!r} (min|newest)")
    path = repo_root() / PYMYSQL_ENDS[end]
    if not path.exists():
        raise HarnessError(f"{path.name} missing: EASYTV_PYMYSQL={end} needs its pins")
    return path


def pinned_version(project: str, requirements: Path | None = None) -> str | None:
    """The ``project==X`` pin (case-insensitive) in ``requirements`` (default:
    ``requirements_file()``, i.e. ``$EASYTV_PYMYSQL``'s file), else None, so the e2e Kodi runs
    the same driver version as the store contract tests of that lane."""
    try:
        lines = (requirements or requirements_file()).read_text().splitlines()
    except FileNotFoundError:
        return None
    for line in lines:
        name, sep, version = line.split("#")[0].strip().partition("==")
        if sep and name.strip().lower() == project:
            return version.strip()
    return None


def _wheel(cache: Path, project: str, requirements: Path | None = None) -> Path:
    wheels = cache / "wheels"
    version = pinned_version(project, requirements)
    prefix = f"{project}-{version}-" if version else f"{project}-"

    def matching() -> list[Path]:
        if not wheels.exists():
            return []
        return sorted(p for p in wheels.iterdir()
                      if p.name.lower().startswith(prefix) and p.suffix == ".whl")

    found = matching()
    if not found:
        requirement = f"{project}=={version}" if version else project
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                               "--only-binary=:all:", "--disable-pip-version-check", requirement,
                               "-d", str(wheels)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise HarnessError(f"pip download {requirement} failed:\n{done.stderr[-2000:]}")
        found = matching()
    if not found:
        raise HarnessError(f"no wheel for {project} in {wheels}")
    return found[-1]


def build_module_addons(cache: Path | None = None, requirements: Path | None = None) -> list[Path]:
    """Build ``script.module.pymysql`` and ``script.module.defusedxml`` under
    ``CACHE/addons/<project>-<version>/`` (one folder per version, so lanes do not clash).

    Wheels are the versions pinned in ``requirements`` (default ``requirements_file()``: the
    newest or the minimum lane, ``$EASYTV_PYMYSQL``; latest when unpinned); add-on versions
    come from the wheel file names (``PyMySQL-1.1.1-py3-none-any.whl`` -> 1.1.1).
    Returns the add-on folders. Raises ``HarnessError`` when pip cannot get a wheel.
    """
    cache = cache or cache_dir()
    requirements = requirements or requirements_file()
    built = []
    for addon_id, project, package in MODULES:
        wheel = _wheel(cache, project, requirements)
        version = wheel.name.split("-")[1]
        dest = cache / "addons" / f"{project}-{version}" / addon_id
        marker = dest / ".wheel"
        if not (marker.exists() and marker.read_text() == wheel.name):
            if dest.exists():
                shutil.rmtree(dest)
            (dest / "lib").mkdir(parents=True)
            with zipfile.ZipFile(wheel) as archive:
                for member in archive.namelist():
                    if member.split("/")[0] == package:
                        archive.extract(member, dest / "lib")
            (dest / "addon.xml").write_text(
                f'<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<addon id="{addon_id}" name="{project}" version="{version}" '
                f'provider-name="PyPI">\n'
                f'  <requires><import addon="xbmc.python" version="3.0.0"/></requires>\n'
                f'  <extension point="xbmc.python.module" library="lib"/>\n'
                f'  <extension point="xbmc.addon.metadata">\n'
                f'    <summary lang="en_GB">{project} {version} from PyPI (e2e tests)</summary>\n'
                f'    <platform>all</platform>\n  </extension>\n</addon>\n')
            marker.write_text(wheel.name)
        built.append(dest)
    return built


def build_helper_addon(cache: Path | None = None) -> Path:
    """A script add-on for what JSON-RPC cannot do (``Addons.ExecuteAddon`` with params):

    ``["RunScript(...)"]`` runs that built-in (``xbmc.executebuiltin``);
    ``["setsetting", ADDON, ID, KIND, VALUE]`` sets another add-on's setting the way its
    settings dialog would (``xbmcaddon.Addon(ADDON).setSettingBool/Int/String`` for KIND
    ``bool``/``int``/``string``), then
    logs ``HELPER_SETTING_DONE`` (``[EasyTV.e2e] setsetting done ADDON ID=VALUE``).
    """
    dest = (cache or cache_dir()) / "addons" / HELPER_ID
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "addon.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<addon id="{HELPER_ID}" name="EasyTV e2e builtin runner" version="1.0.0" '
        f'provider-name="EasyTV tests">\n'
        f'  <requires><import addon="xbmc.python" version="3.0.0"/></requires>\n'
        f'  <extension point="xbmc.python.script" library="default.py"/>\n'
        f'  <extension point="xbmc.addon.metadata"><platform>all</platform></extension>\n'
        f'</addon>\n')
    (dest / "default.py").write_text(HELPER_SCRIPT)
    return dest


HELPER_SETTING_DONE = "[EasyTV.e2e] setsetting done {addon} {setting}={value}"
HELPER_SCRIPT = '''"""e2e helper: run a built-in, or set another add-on's setting (tests only)."""
import sys

import xbmc
import xbmcaddon


def set_setting(addon_id, setting, kind, value):
    addon = xbmcaddon.Addon(addon_id)
    if kind == "bool":
        addon.setSettingBool(setting, value == "true")
    elif kind == "int":
        addon.setSettingInt(setting, int(value))
    else:
        addon.setSettingString(setting, value)
    xbmc.log("[EasyTV.e2e] setsetting done %s %s=%s" % (addon_id, setting, value), xbmc.LOGINFO)


if len(sys.argv) == 6 and sys.argv[1] == "setsetting":
    set_setting(*sys.argv[2:])
elif len(sys.argv) > 1:
    xbmc.log("[EasyTV.e2e] executebuiltin %s" % sys.argv[1], xbmc.LOGINFO)
    xbmc.executebuiltin(sys.argv[1])
'''


def stage_addon_under_test(dest_root: Path, source: Path | None = None) -> Path:
    """Copy the add-on from the working tree (``ADDON_FILES``, skipping missing ones and
    ``__pycache__``) to ``dest_root/service.easytv``; return that folder.

    Raises ``HarnessError`` when ``addon.xml`` is missing.
    """
    source = source or repo_root()
    if not (source / "addon.xml").exists():
        raise HarnessError(f"{source}/addon.xml missing: the add-on is not in the working tree")
    dest = Path(dest_root) / ADDON_ID
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo")
    for name in ADDON_FILES:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


def addon_version(addon_dir: Path) -> str:
    """The ``version`` attribute of ``addon_dir/addon.xml``'s root element."""
    text = (Path(addon_dir) / "addon.xml").read_text()
    match = re.search(r"<addon\b[^>]*\bversion=\"([^\"]+)\"", text)
    if not match:
        raise HarnessError(f"no version in {addon_dir}/addon.xml")
    return match.group(1)


def write_addons_db(path: Path, enabled: list[str]) -> None:
    """Create Kodi 20's ``Addons33.db`` at ``path`` marking ``enabled`` add-on ids as enabled.

    Kodi 20 registers dropped-in add-ons as disabled; with a row in ``installed`` it keeps the
    given state. The schema is Kodi 20's (``CAddonDatabase::CreateTables``, version 33).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    with sqlite3.connect(path) as db:
        db.executescript(ADDONS_SCHEMA)
        db.execute("INSERT INTO version (idVersion, iCompressCount) VALUES (33, 0)")
        db.executemany(
            "INSERT INTO installed (addonID, enabled, installDate, origin) "
            "VALUES (?, 1, datetime('now'), '')", [(a,) for a in enabled])
    db.close()


# Dumped from the Addons33.db Kodi 20.1 creates on first start.
ADDONS_SCHEMA = """
CREATE TABLE version (idVersion integer, iCompressCount integer);
CREATE TABLE addons (id INTEGER PRIMARY KEY, metadata BLOB, addonID TEXT NOT NULL,
  version TEXT NOT NULL, name TEXT NOT NULL, summary TEXT NOT NULL, news TEXT NOT NULL,
  description TEXT NOT NULL);
CREATE TABLE repo (id integer primary key, addonID text, checksum text, lastcheck text,
  version text, nextcheck TEXT);
CREATE TABLE addonlinkrepo (idRepo integer, idAddon integer);
CREATE TABLE update_rules (id integer primary key, addonID TEXT, updateRule INTEGER);
CREATE TABLE package (id integer primary key, addonID text, filename text, hash text);
CREATE TABLE installed (id INTEGER PRIMARY KEY, addonID TEXT UNIQUE, enabled BOOLEAN,
  installDate TEXT, lastUpdated TEXT, lastUsed TEXT, origin TEXT NOT NULL DEFAULT '',
  disabledReason INTEGER NOT NULL DEFAULT 0);
CREATE INDEX idxAddons ON addons(addonID);
CREATE UNIQUE INDEX ix_addonlinkrepo_1 ON addonlinkrepo (idAddon, idRepo);
CREATE UNIQUE INDEX ix_addonlinkrepo_2 ON addonlinkrepo (idRepo, idAddon);
CREATE UNIQUE INDEX idxUpdate_rules ON update_rules(addonID, updateRule);
CREATE UNIQUE INDEX idxPackage ON package(filename);
"""
