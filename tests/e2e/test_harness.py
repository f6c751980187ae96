"""The e2e harness's own version switches (no Kodi; `make unit`) and the chroot runner (marked
e2e: it needs the Debian 13 chroot, which the Kodi lanes have)."""

from __future__ import annotations

import subprocess

import pytest

from .harness import addons, mariadb
from .harness.chroot import chroot_command, mountpoints_under, trixie_root
from .harness.procs import HarnessError
from .harness.shareddb import snapshot_changes
from .harness.versions import kodi_version, video_db_of


def test_each_kodi_version_has_its_own_video_database(monkeypatch):
    assert (video_db_of(20), video_db_of(21)) == ("MyVideos121", "MyVideos131")
    assert not kodi_version(20).in_chroot and kodi_version(21).in_chroot
    assert kodi_version(21).first_start_seconds > kodi_version(20).first_start_seconds
    monkeypatch.setenv("EASYTV_KODI", "21")
    assert kodi_version().major == 21 and video_db_of() == "MyVideos131"
    monkeypatch.delenv("EASYTV_KODI")
    assert kodi_version().major == 20
    with pytest.raises(HarnessError, match="EASYTV_KODI"):
        kodi_version(19)


def test_mariadb_and_pymysql_lanes_are_chosen_by_environment(monkeypatch):
    monkeypatch.delenv("EASYTV_MARIADB", raising=False)
    assert mariadb.selected_version() == "10.11"
    monkeypatch.setenv("EASYTV_MARIADB", "11.8")
    assert mariadb.selected_version() == "11.8" and mariadb.MariaDB("/nonexistent").in_chroot
    monkeypatch.setenv("EASYTV_MARIADB", "8.0")
    with pytest.raises(HarnessError):
        mariadb.selected_version()
    assert addons.requirements_file("newest").name == "requirements-dev.txt"
    monkeypatch.setenv("EASYTV_PYMYSQL", "oldest")
    with pytest.raises(HarnessError, match="min|newest"):
        addons.requirements_file()


@pytest.mark.e2e
def test_a_chroot_program_keeps_its_pid_sees_tmp_and_leaves_no_mount(tmp_path):
    """kodi.bin and mariadbd are signalled by the PID Popen returns: unshare, sh, chroot and
    env must exec in place. The run folder under /tmp is the same inside; no mount is left."""
    root = trixie_root()  # fails with the command that builds it when the chroot is missing
    (tmp_path / "seen").write_text("from the host\n")
    command = chroot_command(["sh", "-c", 'echo "$$ $(cat "$0")"', str(tmp_path / "seen")],
                             env={"PATH": "/usr/bin:/bin"})
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert out.split(" ", 1) == [str(proc.pid), "from the host\n"]
    assert "trixie" in (root / "etc" / "os-release").read_text()
    assert mountpoints_under(root) == []


def test_snapshot_changes_lists_gone_and_new_rows_per_table():
    before = {"shows": frozenset({(("id", "1"), ("s", "1"))}), "meta": frozenset({(("rev", "1"),)})}
    after = {"shows": frozenset({(("id", "1"), ("s", "2"))}), "meta": frozenset({(("rev", "1"),)})}
    assert snapshot_changes(before, before) == {}
    assert snapshot_changes(before, after) == {
        "shows": {"gone": [(("id", "1"), ("s", "1"))], "new": [(("id", "1"), ("s", "2"))]}}
