"""Multi-statement execution and multi-row INSERT batching on a pymysql cursor."""

from typing import Any, List, NamedTuple, Optional, Sequence, Tuple

ROWS_PER_STATEMENT = 500
STATEMENT_CHARS = 1024000
"""A multi-row INSERT stops growing at 500 rows or ~1 MB, pymysql's own `executemany` limit
(`Cursor.max_stmt_length`)."""


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


def pack(cursor: Any, prefix: str, placeholders: str, suffix: str, params: Sequence[Sequence[Any]]) -> List[str]:
    """Multi-row `prefix (..), (..) suffix` statements holding every row of `params`.

    Each row's values are escaped by the driver's own parameter substitution (`Cursor.mogrify`,
    as pymysql's `executemany` does), so the statements are complete and are sent without
    further arguments.
    """
    statements: List[str] = []
    values: List[str] = []
    size = 0
    for row in params:
        literal = cursor.mogrify(placeholders, row)
        if values and (len(values) >= ROWS_PER_STATEMENT or size + len(literal) > STATEMENT_CHARS):
            statements.append(prefix + ", ".join(values) + suffix)
            values, size = [], 0
        values.append(literal)
        size += len(literal) + 2
    if values:
        statements.append(prefix + ", ".join(values) + suffix)
    return statements


def join_statements(statements: Sequence[str], budget: int) -> List[str]:
    """Join statements with `; ` into multi-statement packets of at most `budget` characters
    (a statement longer than that travels alone)."""
    packets: List[str] = []
    for statement in statements:
        if packets and len(packets[-1]) + 2 + len(statement) <= budget:
            packets[-1] += "; " + statement
        else:
            packets.append(statement)
    return packets
