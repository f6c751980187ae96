"""Multi-statement execution, SQL literals that need no escaping, and multi-row INSERT batching.

Values of multi-row INSERTs are written into the SQL text by `literal`, never by string escaping:
text as a hexadecimal literal of its UTF-8 bytes (`X'..'`), integers by `%d`, floats by `repr`
with an exponent, NULL. A hex literal consists of the digits 0-9 and a-f only, so no value from
input can end the literal or change the statement, whatever it contains (quotes, backslashes,
NUL, `'); DROP TABLE`), and the driver has nothing to escape (its `escape_string`, a
`str.translate` over every character, was most of the client's time when populating 5,000 shows:
`tools/bench_sync.py --profile`).

Semantics, the same on MySQL 8 and MariaDB: `X'val'` is a binary string, "each pair of hexadecimal
digits represents a character" (MySQL 8.0 manual, "Hexadecimal Literals"; MariaDB: it "behaves as
a string in all contexts", Knowledge Base, "Hexadecimal Literals"). Stored into a utf8mb4 column
its bytes become the column's text as they are (checked for well-formed UTF-8, which `str.encode`
always gives), so these literals are for INSERT values only, never for comparisons (a binary
string compares byte-wise). The `_utf8mb4 X'..'` introducer form means the same text (MySQL 8.0
manual, "Character Set Introducers") but made MariaDB 10.11's INSERT of 5,000 rows 25-50 % slower
in `tools/bench_sync.py`-sized runs, so it is not used. The contract tests round-trip quotes,
backslashes, NUL, emoji and other 4-byte UTF-8 byte for byte (tests/contract/test_store_contract.py).
"""

import math
import sys
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Callable, Deque, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from easytv.core.errors import StoreError

ROWS_PER_STATEMENT = 500
STATEMENT_BYTES = 1024000
"""A multi-row INSERT stops growing at 500 rows or ~1 MB (UTF-8), pymysql's own `executemany`
limit (`Cursor.max_stmt_length`)."""

NULL = "NULL"

FIRST_ROWS = 100
"""A write of many rows sends its first 100 rows alone, so the server starts while the client
encodes the rest (`easytv.mysql.store.MySQLStore.write`)."""

PACKETS_AHEAD = 3
"""How many packets an overlapped write (`execute_each`) builds ahead of the one the server runs."""

HANDOFF_SECONDS = 0.0005
"""The interpreter's thread switch interval while an overlapped write runs (`prompt_handoffs`)."""


class Result(NamedTuple):
    """One statement's outcome in a multi-statement: affected (matched) rows and fetched rows."""

    rowcount: int
    rows: Tuple[Tuple[Any, ...], ...]


def execute_all(cursor: Any, sql: str, args: Optional[Sequence[Any]] = None) -> List[Result]:
    """Send `sql` (one or more `;`-separated statements) in one round trip and read every result
    set (`nextset()`), so the connection is ready for the next command. Driver errors propagate."""
    cursor.execute(sql, args)
    results = [Result(cursor.rowcount, tuple(cursor.fetchall() or ()))]
    while cursor.nextset():
        results.append(Result(cursor.rowcount, tuple(cursor.fetchall() or ())))
    return results


def execute_each(cursor: Any, packets: Iterable[str], check: Callable[[int, List[Result]], None],
                 overlap: bool = False) -> None:
    """Send each packet of `packets` (complete multi-statements, no arguments) with `execute_all`,
    in order, one at a time, and pass each one's results to `check(index, results)` in order
    (`check` raises to stop).

    Without `overlap`, `check` sees each packet's results before the next packet is built.
    With `overlap`, each packet runs in a helper thread while this thread builds the next ones
    (`packets` may be a generator that encodes rows), up to `PACKETS_AHEAD` packets ahead of the
    one the server is running, so the server's work and the client's encoding overlap instead of
    adding up (the driver releases the GIL while it waits for the server), and neither side waits
    for the other's slowest packet. Packets are sent before `check` has seen their predecessors'
    results, so this is for work inside a transaction the caller rolls back when anything here
    raises: once a packet, `check` or `packets` itself fails, no packet not yet begun is sent.
    The cursor is used by one thread at a time, and the helper has finished when this returns or
    raises. Driver errors propagate.
    """
    if not overlap:
        for index, packet in enumerate(packets):
            check(index, execute_all(cursor, packet))
        return
    failed = threading.Event()

    def run(packet: str) -> List[Result]:
        if failed.is_set():
            raise StoreError("an earlier packet of this write failed")
        try:
            return execute_all(cursor, packet)
        except BaseException:
            failed.set()
            raise

    pending: Deque["Future[List[Result]]"] = deque()
    index = 0
    with prompt_handoffs(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="EasyTV.write") as helper:
        try:
            for packet in packets:  # built while earlier packets run
                pending.append(helper.submit(run, packet))
                while len(pending) > PACKETS_AHEAD or (pending and pending[0].done()):
                    check(index, pending.popleft().result())
                    index += 1
            while pending:
                check(index, pending.popleft().result())
                index += 1
        finally:
            failed.set()  # after a failure here, packets still queued are not sent


@contextmanager
def prompt_handoffs() -> Iterator[None]:
    """Lower the interpreter's thread switch interval (`sys.setswitchinterval`) to
    `HANDOFF_SECONDS` inside the block, and restore it after.

    A thread that wants the GIL waits until the running thread gives it up, at the latest after
    the switch interval (5 ms by default). In an overlapped write the helper needs the GIL briefly
    to send each packet and to read each reply while this thread encodes rows, so at 5 ms the
    server sat idle up to twice per packet: populating 5,000 shows took 190-210 ms, and 160-170 ms
    with 0.5 ms (`tools/bench_sync.py`, MariaDB 10.11 on 2 cores; building `PACKETS_AHEAD`
    packets ahead and the small first packet then took it to 135-145 ms). Only faster switching,
    for the length of one write; a lower interval already set is kept."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, HANDOFF_SECONDS))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def hex_digits(value: str) -> str:
    """The hex digits of `value`'s UTF-8 bytes, what goes between `X'` and `'`. A lone
    surrogate, which has no UTF-8 form, becomes `?` (the driver would raise instead)."""
    return value.encode("utf-8", "replace").hex()


def text_literal(value: str) -> str:
    """`value` as `X'<hex_digits(value)>'` (ASCII only; see the module docstring)."""
    return "X'" + hex_digits(value) + "'"


def float_literal(value: float) -> str:
    """A DOUBLE literal that reads back as the same float (`repr`, with `e0` added so the server
    parses a DOUBLE rather than an exact DECIMAL, as pymysql's `escape_float` does). Raises
    `StoreError` for NaN and infinities, which MySQL cannot store."""
    if not math.isfinite(value):
        raise StoreError("cannot store the number %r" % (value,))
    text = repr(float(value))
    return text if "e" in text else text + "e0"


def literal(value: Any) -> str:
    """SQL text for one value (None, bool, int, float, str, bytes) that needs no escaping.
    Raises `StoreError` for other types and for NaN/infinite floats."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return "%d" % value
    if isinstance(value, float):
        return float_literal(value)
    if isinstance(value, str):
        return text_literal(value)
    if isinstance(value, (bytes, bytearray)):
        return "X'" + bytes(value).hex() + "'"
    raise StoreError("cannot store a value of type %s" % type(value).__name__)


def values_row(template: str, values: Sequence[Any]) -> str:
    """`template` (a row with one `%s` per value, e.g. `(%s, %s)`) filled with each value's `literal`."""
    return template % tuple([literal(value) for value in values])


def pack(prefix: str, rows: Sequence[str], suffix: str, limit: int = STATEMENT_BYTES) -> List[str]:
    """Multi-row `prefix (..), (..) suffix` statements holding every row text of `rows` (ASCII,
    from `values_row` or `easytv.mysql.rows.show_rows`), each of at most 500 rows and about
    `limit` bytes (a single larger row still gets its own statement). The statements are
    complete and are sent without further arguments."""
    if 0 < len(rows) <= ROWS_PER_STATEMENT and sum(map(len, rows)) + 2 * len(rows) <= limit:
        return ["".join((prefix, ", ".join(rows), suffix))]  # the common case, without the walk below
    statements: List[str] = []
    start = 0
    size = 0
    for index, row in enumerate(rows):
        length = len(row) + 2
        if index > start and (index - start >= ROWS_PER_STATEMENT or size + length > limit):
            statements.append("".join((prefix, ", ".join(rows[start:index]), suffix)))
            start, size = index, 0
        size += length
    if len(rows) > start:
        statements.append("".join((prefix, ", ".join(rows[start:]), suffix)))
    return statements


def join_statements(statements: Sequence[str], budget: int) -> List[str]:
    """Join statements with `; ` into multi-statement packets of at most `budget` bytes (UTF-8;
    a statement longer than that travels alone)."""
    packets: List[List[str]] = []
    size = 0
    for statement in statements:
        length = len(statement) if statement.isascii() else len(statement.encode("utf-8"))
        if packets and size + 2 + length <= budget:
            packets[-1].append(statement)
            size += 2 + length
        else:
            packets.append([statement])
            size = length
    return ["; ".join(packet) for packet in packets]
