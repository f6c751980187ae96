"""The one JSON-RPC `call()` into the running Kodi (`xbmc.executeJSONRPC`)."""

import json
from typing import Any, Mapping, Optional

import xbmc

from easytv.core.errors import JsonRpcError


def call(method: str, params: Optional[Mapping[str, Any]] = None) -> Any:
    """Run one JSON-RPC request in-process and return its `result`.

    Raises `JsonRpcError` when Kodi answers with an error object (e.g. code -32602
    "Invalid params.") or with text that is not a JSON-RPC response; never returns {} on failure.
    """
    request = {"jsonrpc": "2.0", "id": 1, "method": method, "params": dict(params or {})}
    raw = xbmc.executeJSONRPC(json.dumps(request))
    try:
        response = json.loads(raw)
    except ValueError:
        raise JsonRpcError(method, 0, "answer is not JSON: %.200s" % (raw,)) from None
    if not isinstance(response, dict):
        raise JsonRpcError(method, 0, "answer is not an object: %.200s" % (raw,))
    error = response.get("error")
    if error is not None:
        if isinstance(error, dict):
            raise JsonRpcError(method, int(error.get("code") or 0), str(error.get("message", "")))
        raise JsonRpcError(method, 0, str(error))
    if "result" not in response:
        raise JsonRpcError(method, 0, "answer has no result")
    return response["result"]
