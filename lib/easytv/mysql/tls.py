"""TLS from Kodi's `advancedsettings.xml` tags (`<key>`, `<cert>`, `<ca>`, `<capath>`, `<ciphers>`)
for pymysql: the same behaviour on pymysql 1.1.0 through 1.2.x and on every Python Kodi ships."""

import ssl
from typing import Any, Dict, Optional

from easytv.core.sync import DatabaseConfig


def ssl_options(config: DatabaseConfig) -> Optional[Dict[str, Any]]:
    """pymysql's `ssl` dict from Kodi's TLS tags, or None when no tag is set.

    Like Kodi's client library (MariaDB Connector/C `mysql_ssl_set`), the link is encrypted
    whenever a tag is set; with `ca`/`capath` the server certificate must chain to it, but the
    host name is not checked (Kodi does not check it either, so a setup that works in Kodi works here).
    """
    if not config.uses_tls:
        return None
    options: Dict[str, Any] = {"check_hostname": False}
    for tag, key in (("ca", "ca"), ("capath", "capath"), ("cert", "cert"), ("key", "key"),
                     ("ciphers", "cipher")):
        value = getattr(config, tag)
        if value:
            options[key] = value
    options["verify_mode"] = bool(config.ca or config.capath)
    return options


def tls_context(config: DatabaseConfig) -> Optional[ssl.SSLContext]:
    """The `ssl.SSLContext` for Kodi's TLS tags (`ssl_options`), or None when no tag is set.

    Built here rather than by pymysql from the options dict (deprecated in pymysql 1.2) so that
    TLS behaves the same on every pymysql and Python: like pymysql's `_create_ssl_ctx`, plus
    `VERIFY_X509_STRICT` cleared, which Python 3.13 turns on by default (pymysql 1.2 clears it,
    1.1 does not) and which refuses certificates OpenSSL, and so Kodi's client, accepts, such as
    the ones MySQL generates itself (pymysql 1.2 connections.py). Raises `OSError`/`ssl.SSLError`
    for a file that cannot be read or used, `ssl.SSLError` for unknown ciphers.
    """
    options = ssl_options(config)
    if options is None:
        return None
    context = ssl.create_default_context(cafile=options.get("ca"), capath=options.get("capath"))
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED if options["verify_mode"] else ssl.CERT_NONE
    context.verify_flags &= ~ssl.VERIFY_X509_STRICT
    if "cert" in options:
        context.load_cert_chain(options["cert"], keyfile=options.get("key"))
    if "cipher" in options:
        context.set_ciphers(options["cipher"])
    return context


def tls_arguments(config: DatabaseConfig) -> Dict[str, Any]:
    """The TLS keyword arguments of `pymysql.connections.Connection` for `config`.

    With a tag: `ssl=tls_context(config)` (an `ssl.SSLContext`, public in pymysql 1.1.0 and 1.2.x;
    TLS required: `CountingConnection` refuses a server without TLS). Without: `ssl_disabled=True`,
    plain text on every pymysql. pymysql 1.2 would otherwise try TLS "preferred" without
    verification (connections.py: `elif SSL_ENABLED: # No explicit SSL options specified: use
    PREFERRED mode`), so a server with a broken TLS setup would fail a connection that Kodi's own
    client, which uses TLS only when a tag is set, makes in plain text. `ssl_disabled` exists in
    1.1.0 and 1.2.x. Raises what `tls_context` raises.
    """
    context = tls_context(config)
    if context is None:
        return {"ssl_disabled": True}
    return {"ssl": context}
