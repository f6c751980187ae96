"""Multi-statement execution and multi-row INSERT batching on a pymysql cursor."""

from typing import Any, List, NamedTuple, Optional, Sequence, Tuple

ROWS_PER_STATEMENT = 500
STATEMENT_BYTES = 1024000
"""A multi-row INSERT stops growing at 500 rows or ~1 MB (UTF-8), pymysql's own `executemany`
limit (`Cursor.max_stmt_length`)."""


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


def pack(cursor: Any, prefix: str, placeholders: str, suffix: str, params: Sequence[Sequence[Any]],
         limit: int = STATEMENT_BYTES) -> List[str]:
    """Multi-row `prefix (..), (..) suffix` statements holding every row of `params`, each of at
    most 500 rows and about `limit` bytes (a single larger row still gets its own statement).

    Each row's values are escaped by the driver's own parameter substitution (`Cursor.mogrify`,
    as pymysql's `executemany` does), so the statements are complete and are sent without
    further arguments.
    """
    statements: List[str] = []
    values: List[str] = []
    size = 0
    for row in params:
        literal = cursor.mogrify(placeholders, row)
        length = len(literal.encode("utf-8")) + 2
        if values and (len(values) >= ROWS_PER_STATEMENT or size + length > limit):
            statements.append(prefix + ", ".join(values) + suffix)
            values, size = [], 0
        values.append(literal)
        size += length
    if values:
        statements.append(prefix + ", ".join(values) + suffix)
    return statements


def join_statements(statements: Sequence[str], budget: int) -> List[str]:
    """Join statements with `; ` into multi-statement packets of at most `budget` bytes (UTF-8;
    a statement longer than that travels alone)."""
    packets: List[str] = []
    size = 0
    for statement in statements:
        length = len(statement.encode("utf-8"))
        if packets and size + 2 + length <= budget:
            packets[-1] += "; " + statement
            size += 2 + length
        else:
            packets.append(statement)
            size = length
    return packets
