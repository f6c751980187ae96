"""The JSON-RPC calls into the running Kodi (`xbmc.executeJSONRPC`): one request, or a batch."""

import json
from typing import Any, List, Mapping, Optional, Sequence, Tuple, Union

import xbmc

from easytv.core.errors import JsonRpcError


def _result(method: str, response: Any, raw: str) -> Any:
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


def _loads(method: str, raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise JsonRpcError(method, 0, "answer is not JSON: %.200s" % (raw,)) from None


def call(method: str, params: Optional[Mapping[str, Any]] = None) -> Any:
    """Run one JSON-RPC request in-process and return its `result`.

    Raises `JsonRpcError` when Kodi answers with an error object (e.g. code -32602
    "Invalid params.") or with text that is not a JSON-RPC response; never returns {} on failure.
    """
    request = {"jsonrpc": "2.0", "id": 1, "method": method, "params": dict(params or {})}
    raw = xbmc.executeJSONRPC(json.dumps(request))
    return _result(method, _loads(method, raw), raw)


def batch(requests: Sequence[Tuple[str, Optional[Mapping[str, Any]]]]) -> List[Union[Any, JsonRpcError]]:
    """Run several requests in one `executeJSONRPC` (a JSON-RPC 2.0 batch: an array of requests,
    answered by an array of responses, which Kodi's `CJSONRPC::MethodCall` handles for every
    transport, the in-process one included).

    Returns, in request order, each request's `result` or the `JsonRpcError` it got (so one
    unknown id does not fail the others). Raises `JsonRpcError` when the whole answer is not
    a JSON-RPC batch response.
    """
    if not requests:
        return []
    method = requests[0][0]
    payload = [{"jsonrpc": "2.0", "id": i, "method": m, "params": dict(p or {})} for i, (m, p) in enumerate(requests)]
    raw = xbmc.executeJSONRPC(json.dumps(payload))
    response = _loads(method, raw)
    if isinstance(response, dict):  # Kodi answers a malformed batch with one error object
        _result(method, response, raw)
        raise JsonRpcError(method, 0, "batch answered with one object: %.200s" % (raw,))
    if not isinstance(response, list):
        raise JsonRpcError(method, 0, "batch answer is not an array: %.200s" % (raw,))
    by_id = {r.get("id"): r for r in response if isinstance(r, dict)}
    results: List[Union[Any, JsonRpcError]] = []
    for i, (m, _params) in enumerate(requests):
        try:
            results.append(_result(m, by_id.get(i), raw))
        except JsonRpcError as exc:
            results.append(exc)
    return results
