CREATE TABLE `dashboard_line` (
	`season_id` integer NOT NULL,
	`product_id` integer NOT NULL,
	`occurred_at` integer NOT NULL,
	`line_id` integer NOT NULL,
	`sale_id` integer NOT NULL,
	`team_id` integer NOT NULL,
	`quantity` integer NOT NULL,
	`points` integer NOT NULL,
	PRIMARY KEY(`season_id`, `product_id`, `occurred_at`, `line_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `dashboard_product_day` (
	`season_id` integer NOT NULL,
	`team_id` integer NOT NULL,
	`product_id` integer NOT NULL,
	`day` integer NOT NULL,
	`units` integer DEFAULT 0 NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`season_id`, `day`, `team_id`, `product_id`)
);
--> statement-breakpoint
CREATE TABLE `dashboard_slot` (
	`season_id` integer NOT NULL,
	`team_id` integer NOT NULL,
	`slot` integer NOT NULL,
	`confirmed` integer DEFAULT 0 NOT NULL,
	`provisional` integer DEFAULT 0 NOT NULL,
	`sales` integer DEFAULT 0 NOT NULL,
	`revenue` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`season_id`, `slot`, `team_id`)
);
--> statement-breakpoint
CREATE INDEX `sale_season_time_idx` ON `sale` (`season_id`,`occurred_at`);
--> statement-breakpoint
-- Hand-written below (drizzle-kit does not generate triggers): the rollups follow every write to
-- ledger_entry, sale and sale_line, then are filled from the data already there. dashboard_line is
-- WITHOUT ROWID (added by hand too): its key is the order a campaign reads it in.
-- A slot is 15 minutes of UTC (ms / 900000), a product day one UTC day (ms / 86400000).
CREATE TRIGGER `dashboard_ledger_insert` AFTER INSERT ON `ledger_entry` WHEN new.status != 'void' BEGIN
	INSERT INTO dashboard_slot (season_id, team_id, slot, confirmed, provisional)
	SELECT new.season_id, new.team_id,
		coalesce((SELECT occurred_at FROM sale WHERE id = new.sale_id), new.created_at) / 900000,
		CASE WHEN new.status = 'confirmed' THEN new.points ELSE 0 END,
		CASE WHEN new.status = 'provisional' THEN new.points ELSE 0 END
	WHERE true
	ON CONFLICT DO UPDATE SET confirmed = confirmed + excluded.confirmed,
		provisional = provisional + excluded.provisional;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_ledger_update` AFTER UPDATE OF status, points, season_id, team_id, sale_id, created_at ON `ledger_entry` BEGIN
	INSERT INTO dashboard_slot (season_id, team_id, slot, confirmed, provisional)
	SELECT old.season_id, old.team_id,
		coalesce((SELECT occurred_at FROM sale WHERE id = old.sale_id), old.created_at) / 900000,
		CASE WHEN old.status = 'confirmed' THEN -old.points ELSE 0 END,
		CASE WHEN old.status = 'provisional' THEN -old.points ELSE 0 END
	WHERE old.status != 'void'
	ON CONFLICT DO UPDATE SET confirmed = confirmed + excluded.confirmed,
		provisional = provisional + excluded.provisional;
	INSERT INTO dashboard_slot (season_id, team_id, slot, confirmed, provisional)
	SELECT new.season_id, new.team_id,
		coalesce((SELECT occurred_at FROM sale WHERE id = new.sale_id), new.created_at) / 900000,
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
		coalesce((SELECT occurred_at FROM sale WHERE id = old.sale_id), old.created_at) / 900000,
		CASE WHEN old.status = 'confirmed' THEN -old.points ELSE 0 END,
		CASE WHEN old.status = 'provisional' THEN -old.points ELSE 0 END
	WHERE true
	ON CONFLICT DO UPDATE SET confirmed = confirmed + excluded.confirmed,
		provisional = provisional + excluded.provisional;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_sale_insert` AFTER INSERT ON `sale` WHEN new.status IN ('pending', 'approved') BEGIN
	INSERT INTO dashboard_slot (season_id, team_id, slot, sales, revenue)
	VALUES (new.season_id, new.team_id, new.occurred_at / 900000, 1,
		CASE WHEN new.status = 'approved' THEN new.amount ELSE 0 END)
	ON CONFLICT DO UPDATE SET sales = sales + excluded.sales, revenue = revenue + excluded.revenue;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_sale_update` AFTER UPDATE OF status, occurred_at, amount, season_id, team_id ON `sale` BEGIN
	INSERT INTO dashboard_slot (season_id, team_id, slot, sales, revenue)
	SELECT old.season_id, old.team_id, old.occurred_at / 900000, -1,
		CASE WHEN old.status = 'approved' THEN -old.amount ELSE 0 END
	WHERE old.status IN ('pending', 'approved')
	ON CONFLICT DO UPDATE SET sales = sales + excluded.sales, revenue = revenue + excluded.revenue;
	INSERT INTO dashboard_slot (season_id, team_id, slot, sales, revenue)
	SELECT new.season_id, new.team_id, new.occurred_at / 900000, 1,
		CASE WHEN new.status = 'approved' THEN new.amount ELSE 0 END
	WHERE new.status IN ('pending', 'approved')
	ON CONFLICT DO UPDATE SET sales = sales + excluded.sales, revenue = revenue + excluded.revenue;
	INSERT INTO dashboard_product_day (season_id, team_id, product_id, day, units, points)
	SELECT old.season_id, old.team_id, l.product_id, old.occurred_at / 86400000, -sum(l.quantity), -sum(l.points)
	FROM sale_line l WHERE l.sale_id = old.id AND old.status IN ('pending', 'approved')
	GROUP BY l.product_id
	ON CONFLICT DO UPDATE SET units = units + excluded.units, points = points + excluded.points;
	INSERT INTO dashboard_product_day (season_id, team_id, product_id, day, units, points)
	SELECT new.season_id, new.team_id, l.product_id, new.occurred_at / 86400000, sum(l.quantity), sum(l.points)
	FROM sale_line l WHERE l.sale_id = new.id AND new.status IN ('pending', 'approved')
	GROUP BY l.product_id
	ON CONFLICT DO UPDATE SET units = units + excluded.units, points = points + excluded.points;
	DELETE FROM dashboard_line WHERE season_id = old.season_id AND occurred_at = old.occurred_at
		AND product_id IN (SELECT product_id FROM sale_line WHERE sale_id = old.id) AND sale_id = old.id;
	INSERT INTO dashboard_line (season_id, product_id, occurred_at, line_id, sale_id, team_id, quantity, points)
	SELECT new.season_id, l.product_id, new.occurred_at, l.id, new.id, new.team_id, l.quantity, l.points
	FROM sale_line l WHERE l.sale_id = new.id AND new.status IN ('pending', 'approved');
	-- Points are dated by their sale: a sale that moves in time moves its entries.
	INSERT INTO dashboard_slot (season_id, team_id, slot, confirmed, provisional)
	SELECT le.season_id, le.team_id, old.occurred_at / 900000,
		-sum(CASE WHEN le.status = 'confirmed' THEN le.points ELSE 0 END),
		-sum(CASE WHEN le.status = 'provisional' THEN le.points ELSE 0 END)
	FROM ledger_entry le WHERE le.sale_id = old.id AND le.status != 'void' AND old.occurred_at != new.occurred_at
	GROUP BY le.season_id, le.team_id
	ON CONFLICT DO UPDATE SET confirmed = confirmed + excluded.confirmed,
		provisional = provisional + excluded.provisional;
	INSERT INTO dashboard_slot (season_id, team_id, slot, confirmed, provisional)
	SELECT le.season_id, le.team_id, new.occurred_at / 900000,
		sum(CASE WHEN le.status = 'confirmed' THEN le.points ELSE 0 END),
		sum(CASE WHEN le.status = 'provisional' THEN le.points ELSE 0 END)
	FROM ledger_entry le WHERE le.sale_id = new.id AND le.status != 'void' AND old.occurred_at != new.occurred_at
	GROUP BY le.season_id, le.team_id
	ON CONFLICT DO UPDATE SET confirmed = confirmed + excluded.confirmed,
		provisional = provisional + excluded.provisional;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_sale_delete` BEFORE DELETE ON `sale` BEGIN
	INSERT INTO dashboard_slot (season_id, team_id, slot, sales, revenue)
	SELECT old.season_id, old.team_id, old.occurred_at / 900000, -1,
		CASE WHEN old.status = 'approved' THEN -old.amount ELSE 0 END
	WHERE old.status IN ('pending', 'approved')
	ON CONFLICT DO UPDATE SET sales = sales + excluded.sales, revenue = revenue + excluded.revenue;
	-- Its lines go with it (ON DELETE CASCADE) once the sale is gone, when dashboard_line_delete
	-- can no longer find it: they leave the rollups here.
	INSERT INTO dashboard_product_day (season_id, team_id, product_id, day, units, points)
	SELECT old.season_id, old.team_id, l.product_id, old.occurred_at / 86400000, -sum(l.quantity), -sum(l.points)
	FROM sale_line l WHERE l.sale_id = old.id AND old.status IN ('pending', 'approved')
	GROUP BY l.product_id
	ON CONFLICT DO UPDATE SET units = units + excluded.units, points = points + excluded.points;
	DELETE FROM dashboard_line WHERE season_id = old.season_id AND occurred_at = old.occurred_at
		AND product_id IN (SELECT product_id FROM sale_line WHERE sale_id = old.id) AND sale_id = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_line_insert` AFTER INSERT ON `sale_line` BEGIN
	INSERT INTO dashboard_product_day (season_id, team_id, product_id, day, units, points)
	SELECT s.season_id, s.team_id, new.product_id, s.occurred_at / 86400000, new.quantity, new.points
	FROM sale s WHERE s.id = new.sale_id AND s.status IN ('pending', 'approved')
	ON CONFLICT DO UPDATE SET units = units + excluded.units, points = points + excluded.points;
	INSERT INTO dashboard_line (season_id, product_id, occurred_at, line_id, sale_id, team_id, quantity, points)
	SELECT s.season_id, new.product_id, s.occurred_at, new.id, new.sale_id, s.team_id, new.quantity, new.points
	FROM sale s WHERE s.id = new.sale_id AND s.status IN ('pending', 'approved');
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_line_update` AFTER UPDATE OF sale_id, product_id, quantity, points ON `sale_line` BEGIN
	INSERT INTO dashboard_product_day (season_id, team_id, product_id, day, units, points)
	SELECT s.season_id, s.team_id, old.product_id, s.occurred_at / 86400000, -old.quantity, -old.points
	FROM sale s WHERE s.id = old.sale_id AND s.status IN ('pending', 'approved')
	ON CONFLICT DO UPDATE SET units = units + excluded.units, points = points + excluded.points;
	INSERT INTO dashboard_product_day (season_id, team_id, product_id, day, units, points)
	SELECT s.season_id, s.team_id, new.product_id, s.occurred_at / 86400000, new.quantity, new.points
	FROM sale s WHERE s.id = new.sale_id AND s.status IN ('pending', 'approved')
	ON CONFLICT DO UPDATE SET units = units + excluded.units, points = points + excluded.points;
	DELETE FROM dashboard_line WHERE line_id = old.id AND product_id = old.product_id
		AND (season_id, occurred_at) IN (SELECT season_id, occurred_at FROM sale WHERE id = old.sale_id);
	INSERT INTO dashboard_line (season_id, product_id, occurred_at, line_id, sale_id, team_id, quantity, points)
	SELECT s.season_id, new.product_id, s.occurred_at, new.id, new.sale_id, s.team_id, new.quantity, new.points
	FROM sale s WHERE s.id = new.sale_id AND s.status IN ('pending', 'approved');
END;
--> statement-breakpoint
CREATE TRIGGER `dashboard_line_delete` AFTER DELETE ON `sale_line` BEGIN
	INSERT INTO dashboard_product_day (season_id, team_id, product_id, day, units, points)
	SELECT s.season_id, s.team_id, old.product_id, s.occurred_at / 86400000, -old.quantity, -old.points
	FROM sale s WHERE s.id = old.sale_id AND s.status IN ('pending', 'approved')
	ON CONFLICT DO UPDATE SET units = units + excluded.units, points = points + excluded.points;
	DELETE FROM dashboard_line WHERE line_id = old.id AND product_id = old.product_id
		AND (season_id, occurred_at) IN (SELECT season_id, occurred_at FROM sale WHERE id = old.sale_id);
END;
--> statement-breakpoint
INSERT INTO dashboard_slot (season_id, team_id, slot, confirmed, provisional)
SELECT le.season_id, le.team_id, coalesce(s.occurred_at, le.created_at) / 900000,
	sum(CASE WHEN le.status = 'confirmed' THEN le.points ELSE 0 END),
	sum(CASE WHEN le.status = 'provisional' THEN le.points ELSE 0 END)
FROM ledger_entry le LEFT JOIN sale s ON s.id = le.sale_id
WHERE le.status != 'void'
GROUP BY 1, 2, 3;
--> statement-breakpoint
INSERT INTO dashboard_slot (season_id, team_id, slot, sales, revenue)
SELECT season_id, team_id, occurred_at / 900000, count(*),
	sum(CASE WHEN status = 'approved' THEN amount ELSE 0 END)
FROM sale WHERE status IN ('pending', 'approved')
GROUP BY 1, 2, 3
ON CONFLICT DO UPDATE SET sales = sales + excluded.sales, revenue = revenue + excluded.revenue;
--> statement-breakpoint
INSERT INTO dashboard_product_day (season_id, team_id, product_id, day, units, points)
SELECT s.season_id, s.team_id, l.product_id, s.occurred_at / 86400000, sum(l.quantity), sum(l.points)
FROM sale s JOIN sale_line l ON l.sale_id = s.id
WHERE s.status IN ('pending', 'approved')
GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO dashboard_line (season_id, product_id, occurred_at, line_id, sale_id, team_id, quantity, points)
SELECT s.season_id, l.product_id, s.occurred_at, l.id, s.id, s.team_id, l.quantity, l.points
FROM sale s JOIN sale_line l ON l.sale_id = s.id
WHERE s.status IN ('pending', 'approved');
