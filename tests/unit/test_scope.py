"""Which video library a Kodi version is on (`easytv.core.scope`), and lock names within MySQL's limit."""

import pytest

from easytv.core.errors import StoreError
from easytv.core.scope import kodi_major, library_for, library_number, numbered_databases, same_library
from easytv.mysql.schema import LOCK_NAME_LENGTH, lock_name


@pytest.mark.parametrize("build_version,major", [
    ("20.1 (20.1.0) Git:20230311-5a2a9ea5d7", 20),
    ("21.2 (21.2.0) Debian package version: 2:21.2+dfsg-4", 21),
    ("19.5 (19.5.0) Git:20221209-ad2c7d5f62", 19),
    ("22.0-ALPHA1 (21.90.700) Git:20250101-deadbeef", 22),
    ("  21.0 (21.0.0)", 21),
    ("", None), ("Kodi", None), ("v20.1", None), ("twenty", None), ("1234.5", None),
])
def test_the_major_version_is_read_from_system_buildversion(build_version, major):
    assert kodi_major(build_version) == major


@pytest.mark.parametrize("version,library", [
    ("19.5 (19.5.0)", "MyVideos119"), ("20.1 (20.1.0)", "MyVideos121"), ("21.2 (21.2.0)", "MyVideos131")])
def test_known_releases_map_to_their_schema_version(version, library):
    assert library_for("MyVideos", version, []) == library
    assert library_for("MyVideos", version, ["MyVideos140"]) == library  # never a newer database


def test_a_newer_release_uses_the_newest_database_above_every_known_one():
    assert library_for("MyVideos", "22.0 (22.0.0)", ["MyVideos121", "MyVideos131", "myvideos137", "MyVideos99"]) \
        == "MyVideos137"


@pytest.mark.parametrize("version,databases,reason", [
    ("22.0 (22.0.0)", ["MyVideos121", "MyVideos131"], "newer than this EasyTV knows"),
    ("", ["MyVideos121"], "cannot tell the Kodi version"),
    ("garbage", ["MyVideos121"], "cannot tell the Kodi version"),
    ("18.9 (18.9.0)", ["MyVideos116"], "older than EasyTV supports"),
])
def test_an_unknown_library_is_refused_never_guessed(version, databases, reason):
    with pytest.raises(StoreError, match=reason):
        library_for("MyVideos", version, databases)


def test_library_names_compare_like_a_case_insensitive_server():
    assert same_library("MyVideos121", "myvideos121") and not same_library("MyVideos121", "MyVideos131")
    assert numbered_databases("MyVideos", ["myvideos121", "MyVideos131", "MyVideos", "MyVideos12a"]) == {
        121: "myvideos121", 131: "MyVideos131"}
    assert (library_number("MyVideos", "MyVideos131"), library_number("MyVideos", "Other131")) == (131, None)


@pytest.mark.parametrize("database", ["a" * 64, "easytv_" + "m" * 57, "MyVideos" + "x" * 53 + "121", "MyVideos121"])
def test_every_migration_lock_name_fits_mysqls_64_characters(database):
    name = lock_name("easytv_schema.", database)
    assert len(name) <= LOCK_NAME_LENGTH
    assert name == lock_name("easytv_schema.", database.upper())  # case-insensitive like the server's names
    assert name != lock_name("easytv_schema.", database[:-1] + "z")


def test_a_short_lock_name_stays_readable():
    assert lock_name("easytv_schema.", "easytv_myvideos") == "easytv_schema.easytv_myvideos"
