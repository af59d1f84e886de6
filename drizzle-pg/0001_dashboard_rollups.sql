-- Hand-written (drizzle-kit does not generate triggers): the PostgreSQL twin of the SQLite triggers
-- that keep the dashboard's rollups, as they stand after drizzle/0008_dashboard_rollups.sql and
-- drizzle/0018_activity_void.sql (the ledger's, which date an activity's points by the activity).
-- Same statements in the same order; what PostgreSQL asks for besides: a trigger calls a function,
-- ON CONFLICT names the key it updates, a BEFORE trigger returns the row it lets through.
-- A slot is 15 minutes of UTC (ms / 900000), a product day one UTC day (ms / 86400000); bigint
-- division truncates as SQLite's integer division does. tests/integration/pg-parity.test.ts
-- writes the same rows to both databases and compares the rollups.
CREATE FUNCTION dashboard_ledger_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dashboard_slot AS d (season_id, team_id, slot, confirmed, provisional)
	SELECT new.season_id, new.team_id,
		coalesce((SELECT occurred_at FROM sale WHERE id = new.sale_id), (SELECT created_at FROM activity WHERE id = new.activity_id), new.created_at) / 900000,
		CASE WHEN new.status = 'confirmed' THEN new.points ELSE 0 END,
		CASE WHEN new.status = 'provisional' THEN new.points ELSE 0 END
	ON CONFLICT (season_id, slot, team_id) DO UPDATE SET confirmed = d.confirmed + excluded.confirmed,
		provisional = d.provisional + excluded.provisional;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER dashboard_ledger_insert AFTER INSERT ON ledger_entry
	FOR EACH ROW WHEN (new.status <> 'void') EXECUTE FUNCTION dashboard_ledger_insert();
--> statement-breakpoint
CREATE FUNCTION dashboard_ledger_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dashboard_slot AS d (season_id, team_id, slot, confirmed, provisional)
	SELECT old.season_id, old.team_id,
		coalesce((SELECT occurred_at FROM sale WHERE id = old.sale_id), (SELECT created_at FROM activity WHERE id = old.activity_id), old.created_at) / 900000,
		CASE WHEN old.status = 'confirmed' THEN -old.points ELSE 0 END,
		CASE WHEN old.status = 'provisional' THEN -old.points ELSE 0 END
	WHERE old.status <> 'void'
	ON CONFLICT (season_id, slot, team_id) DO UPDATE SET confirmed = d.confirmed + excluded.confirmed,
		provisional = d.provisional + excluded.provisional;
	INSERT INTO dashboard_slot AS d (season_id, team_id, slot, confirmed, provisional)
	SELECT new.season_id, new.team_id,
		coalesce((SELECT occurred_at FROM sale WHERE id = new.sale_id), (SELECT created_at FROM activity WHERE id = new.activity_id), new.created_at) / 900000,
		CASE WHEN new.status = 'confirmed' THEN new.points ELSE 0 END,
		CASE WHEN new.status = 'provisional' THEN new.points ELSE 0 END
	WHERE new.status <> 'void'
	ON CONFLICT (season_id, slot, team_id) DO UPDATE SET confirmed = d.confirmed + excluded.confirmed,
		provisional = d.provisional + excluded.provisional;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER dashboard_ledger_update
	AFTER UPDATE OF status, points, season_id, team_id, sale_id, activity_id, created_at ON ledger_entry
	FOR EACH ROW EXECUTE FUNCTION dashboard_ledger_update();
--> statement-breakpoint
CREATE FUNCTION dashboard_ledger_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dashboard_slot AS d (season_id, team_id, slot, confirmed, provisional)
	SELECT old.season_id, old.team_id,
		coalesce((SELECT occurred_at FROM sale WHERE id = old.sale_id), (SELECT created_at FROM activity WHERE id = old.activity_id), old.created_at) / 900000,
		CASE WHEN old.status = 'confirmed' THEN -old.points ELSE 0 END,
		CASE WHEN old.status = 'provisional' THEN -old.points ELSE 0 END
	ON CONFLICT (season_id, slot, team_id) DO UPDATE SET confirmed = d.confirmed + excluded.confirmed,
		provisional = d.provisional + excluded.provisional;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER dashboard_ledger_delete AFTER DELETE ON ledger_entry
	FOR EACH ROW WHEN (old.status <> 'void') EXECUTE FUNCTION dashboard_ledger_delete();
--> statement-breakpoint
CREATE FUNCTION dashboard_sale_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dashboard_slot AS d (season_id, team_id, slot, sales, revenue)
	VALUES (new.season_id, new.team_id, new.occurred_at / 900000, 1,
		CASE WHEN new.status = 'approved' THEN new.amount ELSE 0 END)
	ON CONFLICT (season_id, slot, team_id) DO UPDATE SET sales = d.sales + excluded.sales, revenue = d.revenue + excluded.revenue;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER dashboard_sale_insert AFTER INSERT ON sale
	FOR EACH ROW WHEN (new.status IN ('pending', 'approved')) EXECUTE FUNCTION dashboard_sale_insert();
--> statement-breakpoint
CREATE FUNCTION dashboard_sale_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dashboard_slot AS d (season_id, team_id, slot, sales, revenue)
	SELECT old.season_id, old.team_id, old.occurred_at / 900000, -1,
		CASE WHEN old.status = 'approved' THEN -old.amount ELSE 0 END
	WHERE old.status IN ('pending', 'approved')
	ON CONFLICT (season_id, slot, team_id) DO UPDATE SET sales = d.sales + excluded.sales, revenue = d.revenue + excluded.revenue;
	INSERT INTO dashboard_slot AS d (season_id, team_id, slot, sales, revenue)
	SELECT new.season_id, new.team_id, new.occurred_at / 900000, 1,
		CASE WHEN new.status = 'approved' THEN new.amount ELSE 0 END
	WHERE new.status IN ('pending', 'approved')
	ON CONFLICT (season_id, slot, team_id) DO UPDATE SET sales = d.sales + excluded.sales, revenue = d.revenue + excluded.revenue;
	INSERT INTO dashboard_product_day AS d (season_id, team_id, product_id, day, units, points)
	SELECT old.season_id, old.team_id, l.product_id, old.occurred_at / 86400000, -sum(l.quantity), -sum(l.points)
	FROM sale_line l WHERE l.sale_id = old.id AND old.status IN ('pending', 'approved')
	GROUP BY l.product_id
	ON CONFLICT (season_id, day, team_id, product_id) DO UPDATE SET units = d.units + excluded.units, points = d.points + excluded.points;
	INSERT INTO dashboard_product_day AS d (season_id, team_id, product_id, day, units, points)
	SELECT new.season_id, new.team_id, l.product_id, new.occurred_at / 86400000, sum(l.quantity), sum(l.points)
	FROM sale_line l WHERE l.sale_id = new.id AND new.status IN ('pending', 'approved')
	GROUP BY l.product_id
	ON CONFLICT (season_id, day, team_id, product_id) DO UPDATE SET units = d.units + excluded.units, points = d.points + excluded.points;
	DELETE FROM dashboard_line WHERE season_id = old.season_id AND occurred_at = old.occurred_at
		AND product_id IN (SELECT product_id FROM sale_line WHERE sale_id = old.id) AND sale_id = old.id;
	INSERT INTO dashboard_line (season_id, product_id, occurred_at, line_id, sale_id, team_id, quantity, points)
	SELECT new.season_id, l.product_id, new.occurred_at, l.id, new.id, new.team_id, l.quantity, l.points
	FROM sale_line l WHERE l.sale_id = new.id AND new.status IN ('pending', 'approved');
	-- Points are dated by their sale: a sale that moves in time moves its entries.
	INSERT INTO dashboard_slot AS d (season_id, team_id, slot, confirmed, provisional)
	SELECT le.season_id, le.team_id, old.occurred_at / 900000,
		-sum(CASE WHEN le.status = 'confirmed' THEN le.points ELSE 0 END),
		-sum(CASE WHEN le.status = 'provisional' THEN le.points ELSE 0 END)
	FROM ledger_entry le WHERE le.sale_id = old.id AND le.status <> 'void' AND old.occurred_at <> new.occurred_at
	GROUP BY le.season_id, le.team_id
	ON CONFLICT (season_id, slot, team_id) DO UPDATE SET confirmed = d.confirmed + excluded.confirmed,
		provisional = d.provisional + excluded.provisional;
	INSERT INTO dashboard_slot AS d (season_id, team_id, slot, confirmed, provisional)
	SELECT le.season_id, le.team_id, new.occurred_at / 900000,
		sum(CASE WHEN le.status = 'confirmed' THEN le.points ELSE 0 END),
		sum(CASE WHEN le.status = 'provisional' THEN le.points ELSE 0 END)
	FROM ledger_entry le WHERE le.sale_id = new.id AND le.status <> 'void' AND old.occurred_at <> new.occurred_at
	GROUP BY le.season_id, le.team_id
	ON CONFLICT (season_id, slot, team_id) DO UPDATE SET confirmed = d.confirmed + excluded.confirmed,
		provisional = d.provisional + excluded.provisional;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER dashboard_sale_update
	AFTER UPDATE OF status, occurred_at, amount, season_id, team_id ON sale
	FOR EACH ROW EXECUTE FUNCTION dashboard_sale_update();
--> statement-breakpoint
CREATE FUNCTION dashboard_sale_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dashboard_slot AS d (season_id, team_id, slot, sales, revenue)
	SELECT old.season_id, old.team_id, old.occurred_at / 900000, -1,
		CASE WHEN old.status = 'approved' THEN -old.amount ELSE 0 END
	WHERE old.status IN ('pending', 'approved')
	ON CONFLICT (season_id, slot, team_id) DO UPDATE SET sales = d.sales + excluded.sales, revenue = d.revenue + excluded.revenue;
	-- Its lines go with it (ON DELETE CASCADE) once the sale is gone, when dashboard_line_delete
	-- can no longer find it: they leave the rollups here.
	INSERT INTO dashboard_product_day AS d (season_id, team_id, product_id, day, units, points)
	SELECT old.season_id, old.team_id, l.product_id, old.occurred_at / 86400000, -sum(l.quantity), -sum(l.points)
	FROM sale_line l WHERE l.sale_id = old.id AND old.status IN ('pending', 'approved')
	GROUP BY l.product_id
	ON CONFLICT (season_id, day, team_id, product_id) DO UPDATE SET units = d.units + excluded.units, points = d.points + excluded.points;
	DELETE FROM dashboard_line WHERE season_id = old.season_id AND occurred_at = old.occurred_at
		AND product_id IN (SELECT product_id FROM sale_line WHERE sale_id = old.id) AND sale_id = old.id;
	RETURN old;
END $$;
--> statement-breakpoint
CREATE TRIGGER dashboard_sale_delete BEFORE DELETE ON sale
	FOR EACH ROW EXECUTE FUNCTION dashboard_sale_delete();
--> statement-breakpoint
CREATE FUNCTION dashboard_line_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dashboard_product_day AS d (season_id, team_id, product_id, day, units, points)
	SELECT s.season_id, s.team_id, new.product_id, s.occurred_at / 86400000, new.quantity, new.points
	FROM sale s WHERE s.id = new.sale_id AND s.status IN ('pending', 'approved')
	ON CONFLICT (season_id, day, team_id, product_id) DO UPDATE SET units = d.units + excluded.units, points = d.points + excluded.points;
	INSERT INTO dashboard_line (season_id, product_id, occurred_at, line_id, sale_id, team_id, quantity, points)
	SELECT s.season_id, new.product_id, s.occurred_at, new.id, new.sale_id, s.team_id, new.quantity, new.points
	FROM sale s WHERE s.id = new.sale_id AND s.status IN ('pending', 'approved');
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER dashboard_line_insert AFTER INSERT ON sale_line
	FOR EACH ROW EXECUTE FUNCTION dashboard_line_insert();
--> statement-breakpoint
CREATE FUNCTION dashboard_line_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dashboard_product_day AS d (season_id, team_id, product_id, day, units, points)
	SELECT s.season_id, s.team_id, old.product_id, s.occurred_at / 86400000, -old.quantity, -old.points
	FROM sale s WHERE s.id = old.sale_id AND s.status IN ('pending', 'approved')
	ON CONFLICT (season_id, day, team_id, product_id) DO UPDATE SET units = d.units + excluded.units, points = d.points + excluded.points;
	INSERT INTO dashboard_product_day AS d (season_id, team_id, product_id, day, units, points)
	SELECT s.season_id, s.team_id, new.product_id, s.occurred_at / 86400000, new.quantity, new.points
	FROM sale s WHERE s.id = new.sale_id AND s.status IN ('pending', 'approved')
	ON CONFLICT (season_id, day, team_id, product_id) DO UPDATE SET units = d.units + excluded.units, points = d.points + excluded.points;
	DELETE FROM dashboard_line WHERE line_id = old.id AND product_id = old.product_id
		AND (season_id, occurred_at) IN (SELECT season_id, occurred_at FROM sale WHERE id = old.sale_id);
	INSERT INTO dashboard_line (season_id, product_id, occurred_at, line_id, sale_id, team_id, quantity, points)
	SELECT s.season_id, new.product_id, s.occurred_at, new.id, new.sale_id, s.team_id, new.quantity, new.points
	FROM sale s WHERE s.id = new.sale_id AND s.status IN ('pending', 'approved');
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER dashboard_line_update AFTER UPDATE OF sale_id, product_id, quantity, points ON sale_line
	FOR EACH ROW EXECUTE FUNCTION dashboard_line_update();
--> statement-breakpoint
CREATE FUNCTION dashboard_line_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO dashboard_product_day AS d (season_id, team_id, product_id, day, units, points)
	SELECT s.season_id, s.team_id, old.product_id, s.occurred_at / 86400000, -old.quantity, -old.points
	FROM sale s WHERE s.id = old.sale_id AND s.status IN ('pending', 'approved')
	ON CONFLICT (season_id, day, team_id, product_id) DO UPDATE SET units = d.units + excluded.units, points = d.points + excluded.points;
	DELETE FROM dashboard_line WHERE line_id = old.id AND product_id = old.product_id
		AND (season_id, occurred_at) IN (SELECT season_id, occurred_at FROM sale WHERE id = old.sale_id);
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER dashboard_line_delete AFTER DELETE ON sale_line
	FOR EACH ROW EXECUTE FUNCTION dashboard_line_delete();
