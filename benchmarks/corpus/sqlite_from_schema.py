"""Create an empty SQLite database from a schema dump a corpus repository ships.

usage: python sqlite_from_schema.py SCHEMA_SQL DATABASE

Some monoliths open their database at import and refuse to start without the tables their services check for
(bensley: `Database not found`, `invoices table does not exist`). Their repositories ship the schema as a dump
(`.schema` output) but not the database. The dump cannot run as one script: it creates `sqlite_sequence`, which
SQLite reserves, and wraps parts in BEGIN/COMMIT; so each statement runs on its own and one that fails is
skipped. The database lives outside the case's tree (the run clones only what git holds).
"""

import sqlite3
import sys


def main(schema_path: str, database_path: str) -> int:
    statements = open(schema_path, encoding="utf-8").read().split(";\n")
    connection = sqlite3.connect(database_path)
    created = skipped = 0
    for statement in statements:
        if not statement.strip() or "sqlite_sequence" in statement:
            continue
        try:
            connection.execute(statement)
            created += 1
        except sqlite3.Error:
            skipped += 1
    connection.commit()
    connection.close()
    print(f"{database_path}: {created} statements run, {skipped} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
