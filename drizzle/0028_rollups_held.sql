CREATE TABLE `dashboard_hold` (
	`held` integer PRIMARY KEY NOT NULL
);
--> statement-breakpoint
-- Hand-written below (drizzle-kit does not generate triggers): the rollups' three insert triggers
-- stand aside while dashboard_hold has its row, which a batch sets around the inserts of the sales
-- it held and clears before it commits (scoring/sale-rows.ts), adding their rollups itself. Every
-- other writer (a lone sale, a confirmation, a reversal, an activity, another tool on the file)
-- finds the table empty, and the triggers keep the rollups as before. Their statements are the
-- ones of 0008 (the sale's, the line's) and 0018 (the ledger's), unchanged.
DROP TRIGGER `dashboard_sale_insert`;
--> statement-breakpoint
DROP TRIGGER `dashboard_line_insert`;
--> statement-breakpoint
DROP TRIGGER `dashboard_ledger_insert`;
--> statement-breakpoint
CREATE TRIGGER `dashboard_sale_insert` AFTER INSERT ON `sale`
	WHEN new.status IN ('pending', 'approved') AND NOT EXISTS (SELECT 1 FROM dashboard_hold) BEGIN
	INSERT INTO dashboard_slot (season_id, team_id, slot, sales, revenue)
	VALUES (new.season_id, new.team_id, new.occurred_at / 900000, 1,
		CASE WHEN new.status = 'approved' THEN new.amount ELSE 0 END)
	ON CONFLICT DO UPDATE SET sales = sales + excluded.sales, revenue = revenue + excluded.revenue;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_line_insert` AFTER INSERT ON `sale_line`
	WHEN NOT EXISTS (SELECT 1 FROM dashboard_hold) BEGIN
	INSERT INTO dashboard_product_day (season_id, team_id, product_id, day, units, points)
	SELECT s.season_id, s.team_id, new.product_id, s.occurred_at / 86400000, new.quantity, new.points
	FROM sale s WHERE s.id = new.sale_id AND s.status IN ('pending', 'approved')
	ON CONFLICT DO UPDATE SET units = units + excluded.units, points = points + excluded.points;
	INSERT INTO dashboard_line (season_id, product_id, occurred_at, line_id, sale_id, team_id, quantity, points)
	SELECT s.season_id, new.product_id, s.occurred_at, new.id, new.sale_id, s.team_id, new.quantity, new.points
	FROM sale s WHERE s.id = new.sale_id AND s.status IN ('pending', 'approved');
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_ledger_insert` AFTER INSERT ON `ledger_entry`
	WHEN new.status != 'void' AND NOT EXISTS (SELECT 1 FROM dashboard_hold) BEGIN
	INSERT INTO dashboard_slot (season_id, team_id, slot, confirmed, provisional)
	SELECT new.season_id, new.team_id,
		coalesce((SELECT occurred_at FROM sale WHERE id = new.sale_id), (SELECT created_at FROM activity WHERE id = new.activity_id), new.created_at) / 900000,
		CASE WHEN new.status = 'confirmed' THEN new.points ELSE 0 END,
		CASE WHEN new.status = 'provisional' THEN new.points ELSE 0 END
	WHERE true
	ON CONFLICT DO UPDATE SET confirmed = confirmed + excluded.confirmed,
		provisional = provisional + excluded.provisional;
END;
