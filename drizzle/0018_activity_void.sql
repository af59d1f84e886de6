ALTER TABLE `activity` ADD `voided_by_id` integer REFERENCES user(id);--> statement-breakpoint
ALTER TABLE `activity` ADD `voided_at` integer;--> statement-breakpoint
ALTER TABLE `activity` ADD `void_reason` text;--> statement-breakpoint
-- Hand-written below (drizzle-kit does not generate triggers): the dashboard's points of an
-- activity's entries are dated by when the activity was logged, like its own entry always was
-- (the same instant), so that the entry voiding it nets to zero on that day, as a reversed sale's
-- does on the day of the sale. Only the dating changes: no stored slot moves.
DROP TRIGGER `dashboard_ledger_insert`;
--> statement-breakpoint
DROP TRIGGER `dashboard_ledger_update`;
--> statement-breakpoint
DROP TRIGGER `dashboard_ledger_delete`;
--> statement-breakpoint
CREATE TRIGGER `dashboard_ledger_insert` AFTER INSERT ON `ledger_entry` WHEN new.status != 'void' BEGIN
	INSERT INTO dashboard_slot (season_id, team_id, slot, confirmed, provisional)
	SELECT new.season_id, new.team_id,
		coalesce((SELECT occurred_at FROM sale WHERE id = new.sale_id), (SELECT created_at FROM activity WHERE id = new.activity_id), new.created_at) / 900000,
		CASE WHEN new.status = 'confirmed' THEN new.points ELSE 0 END,
		CASE WHEN new.status = 'provisional' THEN new.points ELSE 0 END
	WHERE true
	ON CONFLICT DO UPDATE SET confirmed = confirmed + excluded.confirmed,
		provisional = provisional + excluded.provisional;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_ledger_update` AFTER UPDATE OF status, points, season_id, team_id, sale_id, activity_id, created_at ON `ledger_entry` BEGIN
	INSERT INTO dashboard_slot (season_id, team_id, slot, confirmed, provisional)
	SELECT old.season_id, old.team_id,
		coalesce((SELECT occurred_at FROM sale WHERE id = old.sale_id), (SELECT created_at FROM activity WHERE id = old.activity_id), old.created_at) / 900000,
		CASE WHEN old.status = 'confirmed' THEN -old.points ELSE 0 END,
		CASE WHEN old.status = 'provisional' THEN -old.points ELSE 0 END
	WHERE old.status != 'void'
	ON CONFLICT DO UPDATE SET confirmed = confirmed + excluded.confirmed,
		provisional = provisional + excluded.provisional;
	INSERT INTO dashboard_slot (season_id, team_id, slot, confirmed, provisional)
	SELECT new.season_id, new.team_id,
		coalesce((SELECT occurred_at FROM sale WHERE id = new.sale_id), (SELECT created_at FROM activity WHERE id = new.activity_id), new.created_at) / 900000,
		CASE WHEN new.status = 'confirmed' THEN new.points ELSE 0 END,
		CASE WHEN new.status = 'provisional' THEN new.points ELSE 0 END
	WHERE new.status != 'void'
	ON CONFLICT DO UPDATE SET confirmed = confirmed + excluded.confirmed,
		provisional = provisional + excluded.provisional;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_ledger_delete` AFTER DELETE ON `ledger_entry` WHEN old.status != 'void' BEGIN
	INSERT INTO dashboard_slot (season_id, team_id, slot, confirmed, provisional)
	SELECT old.season_id, old.team_id,
		coalesce((SELECT occurred_at FROM sale WHERE id = old.sale_id), (SELECT created_at FROM activity WHERE id = old.activity_id), old.created_at) / 900000,
		CASE WHEN old.status = 'confirmed' THEN -old.points ELSE 0 END,
		CASE WHEN old.status = 'provisional' THEN -old.points ELSE 0 END
	WHERE true
	ON CONFLICT DO UPDATE SET confirmed = confirmed + excluded.confirmed,
		provisional = provisional + excluded.provisional;
END;
