# Sourced by the decoder benchmarks: issue 5's standard decoder workload as SQL
# for psql. SCALE (1: 1.35 M row changes) sets the sizes; decoder_tables_sql
# makes the ten tables t0..t9, decoder_workload_sql prints the workload, all in
# one DO block that COMMITs per transaction, every statement spread evenly over
# the ten tables: INS_TXNS transactions of 1,000 inserts (100 per table),
# UPD_TXNS transactions of 1,000 updates (non-key columns, so no old row is
# logged), DEL_TXNS transactions of 1,000 deletes (the key is logged), then
# ONE_ROW one-row transactions (alternately an insert of a new row and an
# update, round robin over the tables).
# shellcheck shell=bash

SCALE=${SCALE:-1}
scaled() { awk -v n="$1" -v s="$SCALE" 'BEGIN { v = int(n * s + 0.5); print (v < 1) ? 1 : v }'; }
INS_TXNS=$(scaled 1000) # each 1,000 rows: 1 M inserts
UPD_TXNS=$(scaled 200)  # 200 k updates
DEL_TXNS=$(scaled 100)  # 100 k deletes
ONE_ROW=$(scaled 50000) # 50 k one-row transactions
ROWS_PER_TABLE=$((INS_TXNS * 100))

decoder_tables_sql() {
	cat <<SQL
SELECT format('CREATE TABLE t%s (id bigint PRIMARY KEY, a int, b text, c numeric, d timestamptz, e bool, f float8)', i)
FROM generate_series(0, 9) AS i \gexec
SQL
}

decoder_workload_sql() {
	cat <<SQL
DO \$\$
BEGIN
	FOR x IN 0 .. $INS_TXNS - 1 LOOP
		FOR t IN 0 .. 9 LOOP
			EXECUTE format('INSERT INTO t%s SELECT g, g %% 1000, ''row '' || g || '' "quoted"'', g * 1.25,
				''2024-01-01''::timestamptz + g * interval ''1 s'', g %% 2 = 0, g / 3.0
				FROM generate_series(\$1, \$2) g', t) USING x * 100 + 1, (x + 1) * 100;
		END LOOP;
		COMMIT;
	END LOOP;
	FOR x IN 0 .. $UPD_TXNS - 1 LOOP
		FOR t IN 0 .. 9 LOOP
			EXECUTE format('UPDATE t%s SET a = a + 1, b = b || '' u'', c = c + 0.5, d = d + interval ''1 h'',
				e = NOT e, f = f * 2 WHERE id BETWEEN \$1 AND \$2', t) USING x * 100 + 1, (x + 1) * 100;
		END LOOP;
		COMMIT;
	END LOOP;
	FOR x IN 0 .. $DEL_TXNS - 1 LOOP
		FOR t IN 0 .. 9 LOOP
			EXECUTE format('DELETE FROM t%s WHERE id BETWEEN \$1 AND \$2', t)
				USING $ROWS_PER_TABLE - (x + 1) * 100 + 1, $ROWS_PER_TABLE - x * 100;
		END LOOP;
		COMMIT;
	END LOOP;
	FOR k IN 0 .. $ONE_ROW - 1 LOOP
		IF k % 2 = 0 THEN
			EXECUTE format('INSERT INTO t%s VALUES (\$1, 7, ''one row'', 3.75, now(), true, 0.1)', k % 10)
				USING $ROWS_PER_TABLE + 1 + k / 10;
		ELSE
			EXECUTE format('UPDATE t%s SET a = a + 1, f = f + 0.25 WHERE id = \$1', k % 10) USING 1 + k / 10;
		END IF;
		COMMIT;
	END LOOP;
END
\$\$;
SQL
}
