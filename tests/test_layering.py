"""Where Kodi, pymysql and defusedxml may be imported (README, "Development"), checked on the AST."""

import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIB = os.path.join(ROOT, "lib", "easytv")
KODI = {"xbmc", "xbmcgui", "xbmcaddon", "xbmcvfs", "xbmcplugin", "xbmcdrm"}
MYSQL = {"pymysql", "defusedxml"}
STDLIB_ONLY_FOREIGN = KODI | MYSQL


def _modules():
    for folder, _dirs, files in os.walk(LIB):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                yield os.path.relpath(path, LIB).replace(os.sep, "/"), path


def _imports(path):
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


MODULES = sorted(_modules())


@pytest.mark.parametrize("rel,path", MODULES, ids=[m[0] for m in MODULES])
def test_layering(rel, path):
    imported = set(_imports(path))
    tops = {name.split(".")[0] for name in imported}
    if not rel.startswith("kodi/"):
        assert not tops & KODI, "%s imports Kodi modules %s" % (rel, tops & KODI)
    if not rel.startswith("mysql/"):
        assert not tops & MYSQL, "%s imports %s" % (rel, tops & MYSQL)
    if rel.startswith("core/"):
        inner = {n for n in imported if n.startswith("easytv")}
        assert all(n.startswith("easytv.core") for n in inner), "core imports %s" % inner


def test_the_check_sees_every_layer():
    layers = {rel.split("/")[0] for rel, _ in MODULES}
    assert {"core", "kodi", "mysql", "app"} <= layers
    assert len(MODULES) > 15


def test_no_utils_or_helpers_modules():
    names = {os.path.basename(rel) for rel, _ in MODULES}
    assert not names & {"utils.py", "helpers.py", "misc.py"}
