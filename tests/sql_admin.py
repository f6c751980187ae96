"""Running SQL as a test's MariaDB admin (contract and fault suites share it)."""

from typing import Any, List


def run_statements(conn: Any, statements: tuple) -> List[tuple]:
    """Run `statements` in order on `conn` (closed afterwards); the rows of the last one."""
    with conn, conn.cursor() as cursor:
        rows: List[tuple] = []
        for statement in statements:
            cursor.execute(statement)
            rows = list(cursor.fetchall())
        return rows
