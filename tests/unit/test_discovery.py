"""Finding Kodi's MySQL video database in advancedsettings.xml (README, "Multi-instance sync").

Table-driven over the corpus in tests/fixtures/advancedsettings/: every file there must have an
expected outcome in CORPUS, so the corpus cannot grow untested.
"""

import logging
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from easytv.core.errors import ConfigError
from easytv.core.sync import DatabaseConfig
from easytv.mysql.discovery import MAX_FILE_BYTES, discover, parse_advancedsettings

CORPUS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "advancedsettings")
PASSWORD = "s3cr3t-P@ss"
SECRETS = (PASSWORD, "pässwörd-\"quoted\"-'single'-&-ünïcødé", "p&ss<word>", "café-" + PASSWORD, "café")
LOGGER = "EasyTV.shareddb"


def error(reason):
    return ("error", reason)


DTD = error("XML with a DTD is refused (defusedxml)")
PW = {"password": PASSWORD}
LAN = {"host": "192.168.1.10", "port": 3306, "user": "kodi", "name": "MyVideos", "password": PASSWORD}

# file name -> a subset of DatabaseConfig fields, None (valid, not MySQL) or error(reason substring)
CORPUS = {
    "good_minimal_mysql.xml": {"host": "192.168.1.10", "port": 3306, "user": "", "name": "MyVideos", **PW},
    "good_full_tls.xml": {"host": "db.example.lan", "port": 3307, "user": "kodi", "name": "MyVideosShared",
                          "key": "/etc/ssl/kodi/client-key.pem", "cert": "/etc/ssl/kodi/client-cert.pem",
                          "ca": "/etc/ssl/kodi/ca.pem", "capath": "/etc/ssl/certs",
                          "ciphers": "ECDHE-RSA-AES256-GCM-SHA384", **PW},
    "good_uppercase_MySQL.xml": LAN,
    "good_whitespace_values.xml": LAN,
    "good_default_port_host.xml": {"host": "localhost", "port": 3306, "user": "kodi", **PW},
    "good_no_name.xml": LAN,
    "good_with_name.xml": {**LAN, "name": "Kodi_Videos2"},
    "good_other_sections_first.xml": LAN,
    "good_utf8_password.xml": {**LAN, "password": SECRETS[1]},
    "good_cdata_password.xml": {**LAN, "password": "p&ss<word>"},
    "good_comments_and_empty_user.xml": {**LAN, "user": ""},
    "good_duplicate_videodatabase_first_wins.xml": {**LAN, "host": "first.lan"},
    "good_ipv6_host.xml": {**LAN, "host": "fd00::10"},
    "good_port_leading_zero.xml": LAN,
    "good_latin1_declared.xml": {**LAN, "password": "café"},
    "bom_utf8.xml": {**LAN, "password": "café-" + PASSWORD},
    "utf16_bom.xml": {**LAN, "name": "MyVideos121"},
    "hostile_xinclude_ignored.xml": LAN,
    "sqlite_type.xml": None,
    "no_type.xml": None,
    "no_videodatabase.xml": None,
    "empty_advancedsettings.xml": None,
    "musicdatabase_only_mysql.xml": None,
    "nested_videodatabase_not_direct_child.xml": None,
    "empty_file.xml": error("file is empty"),
    "whitespace_only.xml": error("not well-formed XML: line 3, column 0"),
    "bad_not_xml.xml": error("not well-formed XML: line 1, column 0"),
    "bad_truncated.xml": error("not well-formed XML: line 6"),
    "bad_mismatched_tag.xml": error("not well-formed XML: line 5, column 24 (mismatched tag)"),
    "bad_unescaped_ampersand.xml": error("not well-formed XML: line 8"),
    "bad_unknown_encoding.xml": error("unknown encoding"),
    "bad_wrong_root.xml": error("root element is <settings>, not <advancedsettings>"),
    "bad_port_text.xml": error("port is not a number: 'abc'"),
    "bad_port_float.xml": error("port is not a number: '3306.0'"),
    "bad_port_empty.xml": error("port is not a number: ''"),
    "bad_port_negative.xml": error("port is out of range (1-65535): -3306"),
    "bad_port_zero.xml": error("port is out of range (1-65535): 0"),
    "bad_port_too_big.xml": error("port is out of range (1-65535): 65536"),
    "bad_password_in_port.xml": error("port is not a number: '***'"),
    "bad_name_backtick.xml": error("name is not identifier-safe"),
    "bad_name_quote.xml": error("name is not identifier-safe"),
    "bad_name_dot.xml": error("name is not identifier-safe"),
    "bad_name_space.xml": error("name is not identifier-safe"),
    "bad_name_slash.xml": error("name is not identifier-safe"),
    "bad_name_empty.xml": error("name is not identifier-safe"),
    "bad_name_too_long.xml": error("name is not identifier-safe"),
    "bad_nested_element_in_host.xml": error("<host> holds elements"),
    "bad_nested_element_in_pass.xml": error("<pass> holds elements"),
    "bad_host_with_newline.xml": error("host contains whitespace or control characters"),
    "bad_host_with_space.xml": error("host contains whitespace or control characters"),
    "bad_host_empty.xml": error("host is empty"),
    "hostile_billion_laughs.xml": DTD,
    "hostile_external_entity.xml": DTD,
    "hostile_external_dtd.xml": DTD,
    "hostile_parameter_entity.xml": DTD,
    "hostile_undeclared_entity.xml": error("(undefined entity)"),
}


def load(name):
    with open(os.path.join(CORPUS_DIR, name), "rb") as handle:
        return handle.read()


def outcome(data, source="test"):
    """What parse_advancedsettings makes of `data`: a config, None, or error(reason)."""
    try:
        return parse_advancedsettings(data, source)
    except ConfigError as failure:
        return error(str(failure))


def assert_matches(result, expected):
    if expected is None or isinstance(expected, tuple):
        if isinstance(expected, tuple):
            assert isinstance(result, tuple), result
            assert expected[1] in result[1]
        else:
            assert result is None
        return
    assert isinstance(result, DatabaseConfig), result
    assert {field: getattr(result, field) for field in expected} == expected


def test_every_corpus_file_has_an_expected_outcome():
    assert sorted(os.listdir(CORPUS_DIR)) == sorted(CORPUS)
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_file_parses_to_its_expected_outcome(name):
    assert_matches(outcome(load(name), source=name), CORPUS[name])


@pytest.mark.parametrize("name", sorted(n for n, e in CORPUS.items() if isinstance(e, dict)))
def test_parsed_config_keeps_the_given_source(name):
    assert parse_advancedsettings(load(name), "/kodi/userdata/advancedsettings.xml").source == \
        "/kodi/userdata/advancedsettings.xml"


def test_xinclude_is_not_processed():
    config = parse_advancedsettings(load("hostile_xinclude_ignored.xml"), "x")
    assert "root:" not in repr(config) and "root:" not in config.password


@pytest.mark.parametrize("name", ["good_full_tls.xml", "sqlite_type.xml", "bad_port_text.xml"])
def test_crlf_line_endings_give_the_same_outcome(name):
    data = load(name)
    assert outcome(data.replace(b"\n", b"\r\n")) == outcome(data)


def test_file_over_1_mib_is_refused_before_parsing():
    data = load("good_minimal_mysql.xml").rstrip()
    big = data + b"<!--" + b"x" * (MAX_FILE_BYTES + 1 - len(data) - 7) + b"-->"
    assert len(big) == MAX_FILE_BYTES + 1
    assert outcome(big) == error("file is larger than 1 MiB (%d bytes)" % (MAX_FILE_BYTES + 1))
    assert isinstance(outcome(big.replace(b"xx-->", b"x-->")), DatabaseConfig)


def test_huge_garbage_is_refused_without_parsing():
    assert "larger than 1 MiB" in outcome(b"\x00" * (5 * MAX_FILE_BYTES))[1]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_no_password_in_logs_repr_describe_or_errors(name, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    config = discover(["/data/" + name], lambda _path: load(name))
    texts = [record.getMessage() for record in caplog.records]
    result = outcome(load(name))
    if isinstance(result, tuple):
        texts.append(result[1])
    if config is not None:
        texts += [repr(config), str(config), config.describe()]
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


@pytest.mark.parametrize("tag,value,reason", [
    ("port", PASSWORD, "port is not a number: '***'"),
    ("host", "db " + PASSWORD, "host contains whitespace or control characters: 'db ***'"),
    ("name", PASSWORD, "name is not identifier-safe ([A-Za-z0-9_], 1-50 characters): '***'"),
])
def test_a_password_typed_into_another_tag_is_masked_in_the_reason(tag, value, reason):
    data = ("<advancedsettings><videodatabase><type>mysql</type><%s>%s</%s><pass>%s</pass>"
            "</videodatabase></advancedsettings>" % (tag, value, tag, PASSWORD)).encode()
    assert outcome(data) == error(reason)


# --- discover -------------------------------------------------------------------------------------

USERDATA = "/home/kodi/.kodi/userdata/advancedsettings.xml"
PROFILE = "/home/kodi/.kodi/userdata/profiles/kids/advancedsettings.xml"
MASTER = "/home/kodi/.kodi/userdata/master/advancedsettings.xml"
KODI_ORDER = [USERDATA, PROFILE, MASTER]


class Files:
    """A fake file system: path -> corpus file name, or an OSError to raise."""

    def __init__(self, files):
        self.files = files
        self.reads = []

    def __call__(self, path):
        self.reads.append(path)
        entry = self.files.get(path)
        if isinstance(entry, OSError):
            raise entry
        return None if entry is None else load(entry)


DISCOVER = [
    ("userdata wins over profile",
     {USERDATA: "good_with_name.xml", PROFILE: "good_full_tls.xml"}, USERDATA, "Kodi_Videos2"),
    ("a malformed first file falls through to the next good one",
     {USERDATA: "bad_truncated.xml", PROFILE: "good_full_tls.xml"}, PROFILE, "MyVideosShared"),
    ("a hostile first file falls through", {USERDATA: "hostile_billion_laughs.xml", MASTER: "good_no_name.xml"},
     MASTER, "MyVideos"),
    ("sqlite first then mysql in profile", {USERDATA: "sqlite_type.xml", PROFILE: "good_full_tls.xml"},
     PROFILE, "MyVideosShared"),
    ("missing userdata, mysql in masterprofile", {MASTER: "good_with_name.xml"}, MASTER, "Kodi_Videos2"),
    ("unreadable first file is skipped",
     {USERDATA: PermissionError(13, "Permission denied"), PROFILE: "good_no_name.xml"}, PROFILE, "MyVideos"),
    ("no file at all", {}, None, None),
    ("none is MySQL", {USERDATA: "sqlite_type.xml", PROFILE: "no_videodatabase.xml", MASTER: "bad_port_text.xml"},
     None, None),
]


@pytest.mark.parametrize("files,source,name", [c[1:] for c in DISCOVER], ids=[c[0] for c in DISCOVER])
def test_discover_takes_the_first_mysql_file_in_kodi_order(files, source, name):
    config = discover(KODI_ORDER, Files(files))
    if source is None:
        assert config is None
    else:
        assert (config.source, config.name) == (source, name)


def test_discover_stops_reading_at_the_first_mysql_file():
    read = Files({USERDATA: "good_no_name.xml", PROFILE: "good_full_tls.xml"})
    discover(KODI_ORDER, read)
    assert read.reads == [USERDATA]


def test_duplicate_paths_are_checked_once():
    read = Files({USERDATA: "sqlite_type.xml"})
    assert discover([USERDATA, USERDATA, MASTER, USERDATA, MASTER], read) is None
    assert read.reads == [USERDATA, MASTER]


SKIPPED = [
    ("missing", None, logging.DEBUG, "No advancedsettings.xml at " + USERDATA),
    ("not mysql", "sqlite_type.xml", logging.INFO, "advancedsettings.xml at %s has no MySQL video database" % USERDATA),
    ("valid without videodatabase", "empty_advancedsettings.xml", logging.INFO,
     "advancedsettings.xml at %s has no MySQL video database" % USERDATA),
    ("malformed", "bad_port_text.xml", logging.WARNING, "Ignoring %s: port is not a number: 'abc'" % USERDATA),
    ("hostile", "hostile_external_entity.xml", logging.WARNING,
     "Ignoring %s: XML with a DTD is refused (defusedxml)" % USERDATA),
    ("unreadable", OSError(5, "Input/output error"), logging.WARNING,
     "Ignoring %s: cannot read it (Input/output error)" % USERDATA),
]


@pytest.mark.parametrize("entry,level,message", [c[1:] for c in SKIPPED], ids=[c[0] for c in SKIPPED])
def test_each_skipped_file_logs_exactly_one_line(entry, level, message, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    files = {} if entry is None else {USERDATA: entry}
    assert discover([USERDATA], Files(files)) is None
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [(LOGGER, level, message)]


def test_one_line_per_skipped_file_and_the_path_in_each(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    files = {USERDATA: "bad_name_dot.xml", PROFILE: "musicdatabase_only_mysql.xml"}
    assert discover(KODI_ORDER + [USERDATA], Files(files)) is None
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3
    for path, message in zip(KODI_ORDER, messages):
        assert path in message


def test_the_winning_file_is_logged_without_password(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    discover([USERDATA], Files({USERDATA: "good_full_tls.xml"}))
    assert [r.getMessage() for r in caplog.records] == [
        "MySQL video database in %s: host=db.example.lan, port=3307, user=kodi, name=MyVideosShared, tls=on" % USERDATA]


def test_describe_and_repr_hide_the_password():
    config = parse_advancedsettings(load("good_full_tls.xml"), USERDATA)
    assert config.password == PASSWORD
    assert PASSWORD not in config.describe() and PASSWORD not in repr(config)
    assert config.shared_database == "easytv_myvideosshared"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_config_none_or_config_error(data):
    result = outcome(data)
    assert result is None or isinstance(result, (DatabaseConfig, tuple))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(CORPUS)), st.integers(min_value=0), st.binary(max_size=8))
def test_corrupted_corpus_files_never_raise_anything_but_config_error(name, at, junk):
    data = load(name)
    at = at % (len(data) + 1)
    result = outcome(data[:at] + junk + data[at + len(junk):])
    assert result is None or isinstance(result, (DatabaseConfig, tuple))
