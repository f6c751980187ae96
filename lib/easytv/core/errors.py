"""The error hierarchy of EasyTV; adapters translate foreign exceptions into these."""


class Error(Exception):
    """Root of every error EasyTV raises on purpose."""


class MalformedRecord(Error):
    """A JSON-RPC record (episode, show) lacks a field or has one of the wrong type."""


class MalformedNotification(Error):
    """A Kodi notification's data is not the JSON shape its method promises."""


class JsonRpcError(Error):
    """Kodi answered a JSON-RPC request with an error object, or with no usable result.

    `code` is the JSON-RPC error code (-32602 "Invalid params", ...) or 0 when Kodi's answer
    could not be parsed at all.
    """

    def __init__(self, method: str, code: int, message: str) -> None:
        super().__init__("%s failed: %s (code %d)" % (method, message, code))
        self.method = method
        self.code = code
        self.message = message


class SettingsError(Error):
    """A setting value cannot be understood (reported, then replaced by its default)."""


class StoreError(Error):
    """The shared database failed (unreachable, timed out, refused, or answered nonsense).

    `reason` is safe to log: it never contains a password.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StoreUnavailable(StoreError):
    """The shared database cannot be used now (connect failed, connection lost, timeout)."""


class SchemaTooNew(StoreError):
    """The shared database has a newer schema than this EasyTV knows; stay in local mode."""


class ConfigError(Error):
    """`advancedsettings.xml` is missing, malformed, hostile or not a MySQL configuration."""
