"""Kodi JSON-RPC over HTTP: one ``call()`` that raises on errors."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request
from typing import Any

from .procs import HarnessError

_ids = itertools.count(1)


class JsonRpcError(HarnessError):
    """Kodi answered a request with a JSON-RPC error object (``code``, ``message``, ``data``)."""

    def __init__(self, method: str, params: Any, error: dict) -> None:
        self.method = method
        self.params = params
        self.code = error.get("code")
        self.error_message = error.get("message", "")
        self.data = error.get("data")
        super().__init__(
            f"{method}({json.dumps(params)}) failed: {self.code} {self.error_message}"
            + (f" {json.dumps(self.data)}" if self.data else "")
        )


class RpcTransportError(HarnessError):
    """The HTTP request did not produce a JSON-RPC answer (connection refused, bad HTTP status...)."""


def call(url: str, method: str, params: Any = None, timeout: float = 15.0) -> Any:
    """POST one JSON-RPC request to ``url`` (``http://127.0.0.1:PORT/jsonrpc``); return ``result``.

    ``timeout`` is seconds. Raises ``JsonRpcError`` on a JSON-RPC error and
    ``RpcTransportError`` when Kodi cannot be reached or answers with something else.
    """
    request = {"jsonrpc": "2.0", "id": next(_ids), "method": method}
    if params is not None:
        request["params"] = params
    body = json.dumps(request).encode()
    http = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(http, timeout=timeout) as response:
            raw = response.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
        raise RpcTransportError(f"{method}: {url} unreachable: {exc}") from exc
    try:
        answer = json.loads(raw)
    except ValueError as exc:
        raise RpcTransportError(f"{method}: non-JSON answer {raw[:200]!r}") from exc
    if "error" in answer:
        raise JsonRpcError(method, params, answer["error"])
    if "result" not in answer:
        raise RpcTransportError(f"{method}: answer without result: {answer!r}")
    return answer["result"]
