CREATE TABLE "dashboard_hold" (
	"held" bigint PRIMARY KEY NOT NULL
);
--> statement-breakpoint
-- Hand-written below: the PostgreSQL twin of drizzle/0028_rollups_held.sql. The rollups' three
-- insert triggers stand aside while the transaction's own setting honorboard.rollups_held is 'on',
-- which a batch sets (set_config(…, true): this transaction only) around the inserts of the sales
-- it held and turns off after them (scoring/sale-rows.ts), adding their rollups itself.
-- dashboard_hold stays empty here: a row would make concurrent batches wait on each other, a
-- setting is the transaction's own. An AFTER trigger's WHEN is checked as each row is inserted,
-- so the setting in force then is the one that counts. The functions are 0001's, unchanged.
DROP TRIGGER dashboard_sale_insert ON sale;
--> statement-breakpoint
DROP TRIGGER dashboard_line_insert ON sale_line;
--> statement-breakpoint
DROP TRIGGER dashboard_ledger_insert ON ledger_entry;
--> statement-breakpoint
CREATE TRIGGER dashboard_sale_insert AFTER INSERT ON sale
	FOR EACH ROW WHEN (new.status IN ('pending', 'approved')
		AND current_setting('honorboard.rollups_held', true) IS DISTINCT FROM 'on')
	EXECUTE FUNCTION dashboard_sale_insert();
--> statement-breakpoint
CREATE TRIGGER dashboard_line_insert AFTER INSERT ON sale_line
	FOR EACH ROW WHEN (current_setting('honorboard.rollups_held', true) IS DISTINCT FROM 'on')
	EXECUTE FUNCTION dashboard_line_insert();
--> statement-breakpoint
CREATE TRIGGER dashboard_ledger_insert AFTER INSERT ON ledger_entry
	FOR EACH ROW WHEN (new.status <> 'void'
		AND current_setting('honorboard.rollups_held', true) IS DISTINCT FROM 'on')
	EXECUTE FUNCTION dashboard_ledger_insert();
