"""Every SQL statement stays in the dialect MySQL 8.0 and MariaDB share (README, "Multi-instance
sync": Kodi users run either server). Two scans: every string literal of lib/easytv/mysql/*.py
(docstrings and comments excluded), and the complete statements the store builds (statements,
schema creation and every migration step, recorded on a cursor that only listens)."""

import ast
import re
from pathlib import Path
from typing import Any, List

import pytest

from easytv.mysql import schema
from easytv.mysql.location import Location
from easytv.mysql.statements import Statements

MYSQL_PACKAGE = Path(__file__).resolve().parents[1] / "lib" / "easytv" / "mysql"

MARIADB_ONLY = {
    "IF [NOT] EXISTS on a column or index":
        r"\b(ADD|DROP|MODIFY|CHANGE)\s+(COLUMN\s+|INDEX\s+|KEY\s+)?IF\s+(NOT\s+)?EXISTS",
    "CREATE/DROP INDEX IF [NOT] EXISTS": r"\b(CREATE\s+(UNIQUE\s+)?|DROP\s+)INDEX\s+IF\s+(NOT\s+)?EXISTS",
    "ALTER TABLE IF EXISTS": r"\bALTER\s+TABLE\s+IF\s+EXISTS",
    "RETURNING": r"\bRETURNING\b",
    "CREATE OR REPLACE": r"\bCREATE\s+OR\s+REPLACE\b",
    "sequences": r"\b(NEXTVAL|LASTVAL|SETVAL)\s*\(|\bNEXT\s+VALUE\s+FOR\b|\bSEQUENCE\b",
    "system versioning": r"\bSYSTEM\s+VERSIONING\b|\bDELETE\s+HISTORY\b|\bFOR\s+SYSTEM_TIME\b",
    "MariaDB-only types": r"\b(INET4|INET6)\b",
}
"""Syntax MariaDB accepts and MySQL 8.0 rejects (MariaDB Knowledge Base, "Incompatibilities and
Feature Differences Between MariaDB and MySQL"; MySQL 8.0 manual, "ALTER TABLE Statement")."""


def hits(sql: str) -> List[str]:
    """The names of the MariaDB-only constructs in `sql`."""
    return [name for name, pattern in MARIADB_ONLY.items() if re.search(pattern, sql, re.IGNORECASE)]


def literals(path: Path) -> List[str]:
    """Every string constant of a module except docstrings (expression statements)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


class ListeningCursor:
    """A cursor that records statements and answers every query with zeros (no server)."""

    def __init__(self) -> None:
        self.statements: List[str] = []

    def execute(self, sql: str, args: Any = None) -> int:
        self.statements.append(sql)
        return 0

    def executemany(self, sql: str, args: Any) -> int:
        self.statements.append(sql)
        return 0

    def fetchone(self):
        return (0,)

    def fetchall(self):
        return []


def built_statements() -> List[str]:
    found: List[str] = []
    for location in (Location("easytv_myvideos"), Location("MyVideos121", "easytv_")):
        tables = schema.Tables(location)
        found += [v for v in vars(Statements(tables)).values() if isinstance(v, str)]
        found += schema._create_meta(tables) + [schema.library_rows(tables)]
        cursor = ListeningCursor()
        for migration in schema.MIGRATIONS:
            migration(cursor, tables, "MyVideos")
        found += cursor.statements
    return found


@pytest.mark.parametrize("path", sorted(MYSQL_PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_string_in_the_mysql_package_uses_mariadb_only_syntax(path):
    assert [(text, hits(text)) for text in literals(path) if hits(text)] == []


def test_no_statement_the_store_builds_uses_mariadb_only_syntax():
    statements = built_statements()
    assert len(statements) > 20 and any("ALTER TABLE" in s for s in statements)
    assert [(s, hits(s)) for s in statements if hits(s)] == []


@pytest.mark.parametrize("sql", [
    "ALTER TABLE t ADD COLUMN IF NOT EXISTS library VARCHAR(64)",
    "alter table t add index if not exists k (a)",
    "ALTER TABLE t DROP COLUMN IF EXISTS library",
    "CREATE INDEX IF NOT EXISTS k ON t (a)",
    "DELETE FROM t WHERE a = 1 RETURNING a",
    "INSERT INTO t (a) VALUES (1) RETURNING a",
    "CREATE OR REPLACE TABLE t (a INT)",
    "SELECT NEXTVAL(s)",
    "CREATE SEQUENCE s",
    "CREATE TABLE t (a INT) WITH SYSTEM VERSIONING",
    "ALTER TABLE IF EXISTS t ADD COLUMN a INT",
])
def test_the_scan_recognises_mariadb_only_syntax(sql):
    assert hits(sql)


@pytest.mark.parametrize("sql", [
    "CREATE TABLE IF NOT EXISTS t (a INT)", "INSERT IGNORE INTO t (a) VALUES (1)",
    "SELECT value FROM meta WHERE name = 'revision'", "SELECT GET_LOCK('easytv_schema.x', 10)",
    "INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)", "SET @easytv_revision := 1",
])
def test_the_scan_accepts_the_common_dialect(sql):
    assert hits(sql) == []
