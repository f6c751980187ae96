"""stdlib `logging` routed to `xbmc.log`, one handler for the `EasyTV` logger tree."""

import logging

import xbmc

ROOT_LOGGER = "EasyTV"

_LEVELS = (
    (logging.ERROR, xbmc.LOGERROR),
    (logging.WARNING, xbmc.LOGWARNING),
    (logging.INFO, xbmc.LOGINFO),
    (logging.DEBUG, xbmc.LOGDEBUG),
)


def kodi_level(levelno: int) -> int:
    """Kodi's log level for a stdlib level (below DEBUG maps to `LOGDEBUG`)."""
    for py_level, kodi in _LEVELS:
        if levelno >= py_level:
            return kodi
    return xbmc.LOGDEBUG


class KodiLogHandler(logging.Handler):
    """Writes records as `[EasyTV.<area>] message` to Kodi's log.

    With `debug_logging` on, debug records go out at `LOGINFO` so they show without Kodi's own
    debug log; otherwise at `LOGDEBUG`.
    """

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("[%(name)s] %(message)s"))
        self.debug_logging = False

    def emit(self, record: logging.LogRecord) -> None:
        """Format and hand one record to `xbmc.log`."""
        try:
            message = self.format(record)
            level = kodi_level(record.levelno)
            if level == xbmc.LOGDEBUG and self.debug_logging:
                level = xbmc.LOGINFO
            xbmc.log(message, level)
        except Exception:  # noqa: BLE001 - logging must never raise (stdlib convention)
            self.handleError(record)


def install(debug_logging: bool = False) -> KodiLogHandler:
    """Attach one `KodiLogHandler` to the `EasyTV` logger (idempotent) and return it."""
    logger = logging.getLogger(ROOT_LOGGER)
    for handler in logger.handlers:
        if isinstance(handler, KodiLogHandler):
            handler.debug_logging = debug_logging
            return handler
    handler = KodiLogHandler()
    handler.debug_logging = debug_logging
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return handler
