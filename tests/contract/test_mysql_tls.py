"""TLS for real: a second private MariaDB with a throw-away CA (`tests/tls_certs.py`) and Kodi's
`<ca>`, `<capath>`, `<cert>`, `<key>`, `<ciphers>` tags, on whichever pymysql the venv has (both ends
of the declared range run this file).

The server also runs with `--default-time-zone=+05:00`, so the UTC session is checked against a
server whose own zone is not UTC.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from e2e.harness.mariadb import MariaDB
from easytv.core.errors import StoreUnavailable
from easytv.core.sync import DatabaseConfig
from easytv.mysql.connection import Counters, connect
from easytv.mysql.store import MySQLStore
from tls_certs import Certificates, make_certificates

pytestmark = pytest.mark.mariadb

PASSWORD = "tls-s3cret-pw"


class TlsServer:
    def __init__(self, db: MariaDB, certs: Certificates, other: Certificates, capath: Path) -> None:
        self.db, self.certs, self.other, self.capath = db, certs, other, capath

    def config(self, user: str = "kodi_tls", **tags: str) -> DatabaseConfig:
        return DatabaseConfig(host=self.db.host, port=self.db.port, user=user, password=PASSWORD, **tags)


@pytest.fixture(scope="module")
def tls_server() -> Iterator[TlsServer]:
    base = Path(tempfile.mkdtemp(prefix="easytv-tls-"))
    try:
        certs = make_certificates(base / "certs")
        other = make_certificates(base / "other-ca", name="Some other CA")
        capath = base / "capath"
        capath.mkdir()
        shutil.copy(certs.ca, capath / "easytv-ca.pem")
        subprocess.run(["openssl", "rehash", str(capath)], check=True, capture_output=True, timeout=60)
        db = MariaDB(base / "db", extra_args=[
            "--ssl-ca=%s" % certs.ca, "--ssl-cert=%s" % certs.server_cert, "--ssl-key=%s" % certs.server_key,
            "--default-time-zone=+05:00"])
        db.start()
        try:
            db.create_user("kodi_tls", PASSWORD, grant_on="`MyVideos%`.*")
            db.create_user("kodi_x509", PASSWORD, grant_on="`MyVideos%`.*")
            db.sql("".join("ALTER USER 'kodi_x509'@'%s' REQUIRE X509;" % host
                           for host in ("%", "localhost", "127.0.0.1")))
            db.sql("CREATE DATABASE IF NOT EXISTS `MyVideos121`")
            yield TlsServer(db, certs, other, capath)
        finally:
            db.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def session_value(config: DatabaseConfig, sql: str) -> str:
    conn = connect(config, Counters())
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[-1]
    finally:
        conn.close()


CIPHER = "SHOW SESSION STATUS LIKE 'Ssl_cipher'"


def test_with_ca_the_link_is_encrypted(tls_server):
    assert session_value(tls_server.config(ca=str(tls_server.certs.ca)), CIPHER) != ""


def test_with_capath_the_link_is_encrypted(tls_server):
    assert session_value(tls_server.config(capath=str(tls_server.capath)), CIPHER) != ""


def test_with_ciphers_alone_the_link_is_encrypted_without_verification(tls_server):
    assert session_value(tls_server.config(ciphers="HIGH"), CIPHER) != ""


def test_the_client_certificate_and_key_are_presented(tls_server):
    certs = tls_server.certs
    with_cert = tls_server.config("kodi_x509", ca=str(certs.ca), cert=str(certs.client_cert),
                                  key=str(certs.client_key))
    assert session_value(with_cert, CIPHER) != ""
    with pytest.raises(StoreUnavailable, match="1045"):  # REQUIRE X509 without a certificate
        connect(tls_server.config("kodi_x509", ca=str(certs.ca)), Counters())


def test_a_wrong_ca_is_refused_with_a_clear_reason(tls_server):
    config = tls_server.config(ca=str(tls_server.other.ca))
    with pytest.raises(StoreUnavailable) as caught:
        connect(config, Counters())
    reason = str(caught.value)
    assert "certificate verify failed" in reason, reason
    assert reason.startswith("connect to 127.0.0.1:%d failed" % tls_server.db.port)
    assert PASSWORD not in reason


def test_without_a_tls_tag_a_tls_server_is_reached_in_plain_text(tls_server):
    # Our choice on every pymysql (connection.tls_arguments): no tag, no TLS, as in Kodi's client.
    assert session_value(tls_server.config(), CIPHER) == ""


def test_a_server_without_tls_is_refused_when_tls_is_configured(tls_server, server):
    config = server.config("kodi_all", ca=str(tls_server.certs.ca))
    with pytest.raises(StoreUnavailable) as caught:
        connect(config, Counters())
    assert "TLS is configured but the server does not offer it" in str(caught.value)
    assert config.password not in str(caught.value)


def test_the_session_is_utc_on_a_server_whose_zone_is_not(tls_server):
    config = tls_server.config(ca=str(tls_server.certs.ca))
    assert session_value(config, "SELECT @@global.time_zone") == "+05:00"
    assert session_value(config, "SELECT @@session.time_zone") == "+00:00"


def test_the_store_works_over_tls(tls_server):
    store = MySQLStore.open(tls_server.config(ca=str(tls_server.certs.ca), name="MyVideos"), "device-tls")
    try:
        assert store.head().revision == 0
        assert store.describe_location()
        conn = store._connection()
        with conn.cursor() as cursor:
            cursor.execute(CIPHER)
            assert cursor.fetchone()[1] != ""
    finally:
        store.close()


@pytest.fixture(scope="module")
def lax_server() -> Iterator[TlsServer]:
    """A TLS MariaDB whose CA and certificate lack what strict X.509 verification asks for
    (key usage, critical basic constraints), like the ones MySQL generates by itself."""
    base = Path(tempfile.mkdtemp(prefix="easytv-tls-lax-"))
    try:
        certs = make_certificates(base / "certs", name="Lax CA", strict=False)
        db = MariaDB(base / "db", extra_args=[
            "--ssl-ca=%s" % certs.ca, "--ssl-cert=%s" % certs.server_cert, "--ssl-key=%s" % certs.server_key])
        db.start()
        try:
            db.create_user("kodi_tls", PASSWORD, grant_on="`MyVideos%`.*")
            yield TlsServer(db, certs, certs, base)
        finally:
            db.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_a_certificate_kodis_client_accepts_is_accepted_on_every_python(lax_server):
    # Python 3.13's default context turns VERIFY_X509_STRICT on; pymysql 1.2 clears it, 1.1 does
    # not: our own context clears it on both, as OpenSSL's default (and so Kodi's client) does.
    assert session_value(lax_server.config(ca=str(lax_server.certs.ca)), CIPHER) != ""


def test_a_refused_login_over_tls_leaves_no_socket_open(tls_server):
    # pymysql 1.1.0 closes only the plain socket it was given when the handshake fails, not
    # the TLS socket that replaced it; connect() closes that one too.
    before = sorted(os.listdir("/proc/self/fd"))
    config = DatabaseConfig(host=tls_server.db.host, port=tls_server.db.port, user="kodi_tls",
                            password="wrong-password", ca=str(tls_server.certs.ca))
    with pytest.raises(StoreUnavailable, match="1045") as caught:
        connect(config, Counters())
    assert caught.value is not None  # the error (and its traceback) is still held here
    assert sorted(os.listdir("/proc/self/fd")) == before
