"""Find Kodi's MySQL video database in `advancedsettings.xml` (README, "Multi-instance sync").

Kodi reads `<advancedsettings><videodatabase>` in `CAdvancedSettings::ParseSettingsFile`
(xbmc/settings/AdvancedSettings.cpp) with the tags `type, host, port, user, pass, name` and the
TLS tags `key, cert, ca, capath, ciphers`; `type` is compared case-insensitively with `mysql`
(xbmc/dbwrappers/Database.cpp) and the defaults are host `localhost`, port 3306, name `MyVideos`.

Parsing uses defusedxml with DTDs forbidden, so entity expansion (billion laughs) and external
entities or DTDs never happen. Every refusal is a `ConfigError` whose reason is safe to log: it
never contains the password.
"""

import logging
import re
from dataclasses import replace
from typing import Callable, Optional, Sequence
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DefusedET
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden, NotSupportedError

from easytv.core.errors import ConfigError
from easytv.core.sync import DatabaseConfig

LOG = logging.getLogger("EasyTV.shareddb")

MAX_FILE_BYTES = 1024 * 1024
"""Files larger than this (1 MiB) are refused before parsing."""

TEXT_TAGS = ("user", "key", "cert", "ca", "capath", "ciphers")
"""Free-text tags, taken as they are (stripped); `DatabaseConfig` has a field of each name."""

_NAME = re.compile(r"[A-Za-z0-9_]{1,50}\Z")
_INTEGER = re.compile(r"[+-]?[0-9]{1,10}\Z")
_SHOWN = 40  # at most this many characters of an offending value go into a reason


def parse_advancedsettings(data: bytes, source: str) -> Optional[DatabaseConfig]:
    """The MySQL video database configured by one `advancedsettings.xml`, or None.

    `data` is the file's bytes (UTF-8 with or without BOM, UTF-16 with BOM, or any encoding
    expat knows from the XML declaration); `source` becomes the config's `source`. None means a
    valid file without a MySQL `<videodatabase>` (absent, or `type` is not `mysql`). A tag that
    is absent takes Kodi's default; a tag that is present must be valid (an empty `<port/>` is an
    error, not 3306). Raises `ConfigError` for a file that is too large, not well-formed, holds a
    DTD, has another root than `<advancedsettings>`, or a bad value (port not in 1-65535, name
    not `[A-Za-z0-9_]{1,50}`, host with whitespace, an element where text belongs).
    """
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError("file is larger than 1 MiB (%d bytes)" % len(data))
    if not data:
        raise ConfigError("file is empty")
    root = _parse(data)
    if root.tag != "advancedsettings":
        raise ConfigError("root element is <%s>, not <advancedsettings>" % str(root.tag)[:_SHOWN])
    database = root.find("videodatabase")
    if database is None:
        return None
    kind = _text(database, "type")
    if kind is None or kind.lower() != "mysql":
        return None
    password = _text(database, "pass") or ""
    try:
        return _config(database, password, source)
    except ConfigError as error:
        if password and password in str(error):
            raise ConfigError(str(error).replace(password, "***")) from None
        raise


def discover(paths: Sequence[str], read: Callable[[str], Optional[bytes]]) -> Optional[DatabaseConfig]:
    """The first MySQL video database found in `paths`, or None; never raises `ConfigError`.

    `paths` are the real paths of `advancedsettings.xml` in Kodi's order (userdata, profile,
    masterprofile); a path repeated is read once. `read(path)` returns the file's bytes, None when
    it does not exist, or raises `OSError`. Each file passed over logs one line on
    `EasyTV.shareddb`: debug when missing, info when it has no MySQL video database, warning
    ("Ignoring <path>: <reason>") when unreadable, malformed or hostile.
    """
    seen = set()
    for path in paths:
        if not path or path in seen:
            continue
        seen.add(path)
        try:
            data = read(path)
        except OSError as error:
            LOG.warning("Ignoring %s: cannot read it (%s)", path, error.strerror or type(error).__name__)
            continue
        if data is None:
            LOG.debug("No advancedsettings.xml at %s", path)
            continue
        try:
            config = parse_advancedsettings(data, path)
        except ConfigError as error:
            LOG.warning("Ignoring %s: %s", path, error)
            continue
        if config is None:
            LOG.info("advancedsettings.xml at %s has no MySQL video database", path)
            continue
        config = replace(config, source=path)
        LOG.info("MySQL video database in %s: %s", path, config.describe())
        return config
    return None


def _parse(data: bytes) -> Element:
    """The root element, or `ConfigError` for XML that is not well-formed or not harmless."""
    try:
        return DefusedET.fromstring(data, forbid_dtd=True)
    except DTDForbidden:
        raise ConfigError("XML with a DTD is refused (defusedxml)") from None
    except EntitiesForbidden:
        raise ConfigError("XML entity declarations are refused (defusedxml)") from None
    except ExternalReferenceForbidden:
        raise ConfigError("XML external references are refused (defusedxml)") from None
    except NotSupportedError:
        raise ConfigError("XML feature refused (defusedxml)") from None
    except (ParseError, DefusedET.ParseError) as error:
        # defusedxml 0.6.0 parses with the pure-Python ElementTree, whose ParseError is another
        # class than the C module's (defusedxml/ElementTree.py `_get_py3_cls`); 0.7 re-exports the C one.
        line, column = getattr(error, "position", (0, 0))
        message = str(error).split(":")[0]
        raise ConfigError("not well-formed XML: line %d, column %d (%s)" % (line, column, message)) from None
    except LookupError:
        raise ConfigError("XML declares an unknown encoding") from None


def _config(database: Element, password: str, source: str) -> DatabaseConfig:
    """Every tag of a MySQL `<videodatabase>`, checked; absent tags keep Kodi's defaults."""
    default = DatabaseConfig()
    text = {tag: _text(database, tag) for tag in TEXT_TAGS}
    host = _text(database, "host")
    port = _text(database, "port")
    name = _text(database, "name")
    if name is not None and not _NAME.match(name):
        raise ConfigError("name is not identifier-safe ([A-Za-z0-9_], 1-50 characters): %s" % _clip(name))
    return DatabaseConfig(
        host=default.host if host is None else _host(host),
        port=default.port if port is None else _port(port),
        user=text["user"] or "",
        password=password,
        name=name or default.name,
        key=text["key"] or "",
        cert=text["cert"] or "",
        ca=text["ca"] or "",
        capath=text["capath"] or "",
        ciphers=text["ciphers"] or "",
        source=source,
    )


def _host(value: str) -> str:
    if not value:
        raise ConfigError("host is empty")
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in value):
        raise ConfigError("host contains whitespace or control characters: %s" % _clip(value))
    return value


def _port(value: str) -> int:
    if not _INTEGER.match(value):
        raise ConfigError("port is not a number: %s" % _clip(value))
    port = int(value)
    if not 1 <= port <= 65535:
        raise ConfigError("port is out of range (1-65535): %d" % port)
    return port


def _text(parent: Element, tag: str) -> Optional[str]:
    """The stripped text of the first `<tag>` child ("" when empty), None when there is none."""
    element = parent.find(tag)
    if element is None:
        return None
    if len(element):
        raise ConfigError("<%s> holds elements where text is expected" % tag)
    return (element.text or "").strip()


def _clip(value: str) -> str:
    """`repr(value)`, shortened for a log line."""
    if len(value) > _SHOWN:
        return repr(value[:_SHOWN]) + "..."
    return repr(value)
