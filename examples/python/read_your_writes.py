#!/usr/bin/python3
"""Read-your-writes on a hot standby with psycopg 3 and pg_readscale.

Writes a row on the primary, takes the token (the reported GUC
readscale.last_commit_lsn arrives with the commit; readscale.current_token() is
the fallback for servers without the preload), then reads the row on the
standby twice: after readscale.wait_for_lsn(), and inside a transaction gated
by SET LOCAL readscale.min_lsn. When the standby answers with one of the
documented SQLSTATEs (docs/sqlstates.md) the read goes to the primary instead,
so the application always sees its own write.

    read_your_writes.py PRIMARY_DSN STANDBY_DSN [--timeout 1s]

Prints one line per step and "ok: ..." at the end; exits 1 if a read missed
its write. test/clients/run runs it against a real primary and standby.
"""
import argparse
import sys
import time

import psycopg
from psycopg import sql

# SQLSTATEs after which the primary answers instead (docs/sqlstates.md).
FALL_BACK_ON = {
    "55R01": "not caught up in time",
    "55R02": "staleness bound exceeded",
    "55R03": "token refused",
}

READ = "SELECT item FROM readscale_example WHERE id = %s"


def write(primary, item):
    """Inserts a row on the primary; returns its id, the token and where the token came from."""
    row_id = primary.execute(
        "INSERT INTO readscale_example (item) VALUES (%s) RETURNING id", (item,)
    ).fetchone()[0]
    token = primary.info.parameter_status("readscale.last_commit_lsn")
    if token:
        return row_id, token, "ParameterStatus readscale.last_commit_lsn"
    token = primary.execute("SELECT readscale.current_token()::text").fetchone()[0]
    return row_id, token, "readscale.current_token()"


def read_after_wait(standby, token, row_id, timeout):
    # Two statements: the read's snapshot must be taken after the wait returned.
    standby.execute("SELECT readscale.wait_for_lsn(%s::pg_lsn, timeout => %s::interval)", (token, timeout))
    return standby.execute(READ, (row_id,)).fetchone()


def read_through_gate(standby, token, row_id, timeout):
    # SET takes no bind parameters: quote the values as literals.
    with standby.transaction():
        standby.execute(sql.SQL("SET LOCAL readscale.gate_timeout = {}").format(sql.Literal(timeout)))
        standby.execute(sql.SQL("SET LOCAL readscale.min_lsn = {}").format(sql.Literal(token)))
        return standby.execute(READ, (row_id,)).fetchone()


def read_your_write(primary, standby, method, token, row_id, timeout):
    """Returns (row, node that answered, SQLSTATE that caused a fall-back or None)."""
    try:
        return method(standby, token, row_id, timeout), "standby", None
    except psycopg.Error as error:
        if error.sqlstate not in FALL_BACK_ON:
            raise
        return primary.execute(READ, (row_id,)).fetchone(), "primary", error.sqlstate


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("primary")
    parser.add_argument("standby")
    parser.add_argument("--timeout", default="1s", help="how long the standby may wait (default 1s)")
    args = parser.parse_args()

    with psycopg.connect(args.primary, autocommit=True) as primary, psycopg.connect(
        args.standby, autocommit=True
    ) as standby:
        primary.execute("CREATE TABLE IF NOT EXISTS readscale_example (id serial PRIMARY KEY, item text NOT NULL)")
        missed = 0
        for name, method in (("wait_for_lsn", read_after_wait), ("gate", read_through_gate)):
            item = f"python-{name}-{time.time_ns()}"
            row_id, token, source = write(primary, item)
            print(f"{name}: wrote id {row_id} on the primary, token {token} from {source}")
            row, node, sqlstate = read_your_write(primary, standby, method, token, row_id, args.timeout)
            why = f" after SQLSTATE {sqlstate} ({FALL_BACK_ON[sqlstate]})" if sqlstate else ""
            seen = row is not None and row[0] == item
            print(f"{name}: read on the {node}{why}: {'saw' if seen else 'MISSED'} the write")
            missed += 0 if seen else 1
    if missed:
        print(f"FAILED: {missed} read(s) missed their write")
        return 1
    print("ok: every read saw its own write")
    return 0


if __name__ == "__main__":
    sys.exit(main())
