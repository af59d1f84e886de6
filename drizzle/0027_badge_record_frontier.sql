CREATE TABLE `badge_record` (
	`season_id` integer NOT NULL,
	`occurred_at` integer NOT NULL,
	`sale_id` integer NOT NULL,
	`amount` integer NOT NULL,
	PRIMARY KEY(`season_id`, `occurred_at`, `sale_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE INDEX `badge_record_amount_idx` ON `badge_record` (`season_id`,`amount`);
--> statement-breakpoint
-- Hand-written below (drizzle-kit does not generate triggers; WITHOUT ROWID added by hand):
-- badge_record holds a season's sales that count ('pending', 'approved': COUNTED_SALE_STATUSES)
-- and are bigger than every earlier one in (occurred_at, id) order, the record-sale badge's
-- rule. Amounts grow strictly along it, so the entry just before a sale is the biggest amount
-- before it, and the entries a new sale outdoes are one run of amounts (new sale's predecessor's
-- amount, its own amount]: one seek each, whatever the season's size.
-- A sale that starts counting: a record when the entry before it is smaller (or there is none);
-- then the later entries no bigger than it are no longer records.
CREATE TRIGGER `badge_record_sale_insert` AFTER INSERT ON `sale`
	WHEN new.status IN ('pending', 'approved')
BEGIN
	DELETE FROM badge_record WHERE season_id = new.season_id
		AND amount <= new.amount
		AND amount > coalesce((SELECT amount FROM badge_record WHERE season_id = new.season_id
			AND (occurred_at, sale_id) < (new.occurred_at, new.id)
			ORDER BY occurred_at DESC, sale_id DESC LIMIT 1), -9223372036854775808)
		AND (occurred_at, sale_id) > (new.occurred_at, new.id);
	INSERT INTO badge_record (season_id, occurred_at, sale_id, amount)
	SELECT new.season_id, new.occurred_at, new.id, new.amount
	WHERE NOT EXISTS (SELECT 1 FROM (SELECT amount FROM badge_record WHERE season_id = new.season_id
			AND (occurred_at, sale_id) < (new.occurred_at, new.id)
			ORDER BY occurred_at DESC, sale_id DESC LIMIT 1) WHERE amount >= new.amount);
END;
--> statement-breakpoint
-- A sale that stops counting, moves or changes its amount: taken out as it was, put in as it is.
-- Taking out a record (rare: a handful of a season's sales are records) reads the sales between
-- it and the next record (the only ones it kept from being records), in time order; the next
-- record's time bounds the index range, the row value (NULL when there is none) the ties.
CREATE TRIGGER `badge_record_sale_update` AFTER UPDATE OF status, amount, occurred_at, season_id ON `sale`
	WHEN (old.status IN ('pending', 'approved')) IS NOT (new.status IN ('pending', 'approved'))
		OR (new.status IN ('pending', 'approved') AND (old.amount IS NOT new.amount
			OR old.occurred_at IS NOT new.occurred_at OR old.season_id IS NOT new.season_id))
BEGIN
	INSERT INTO badge_record (season_id, occurred_at, sale_id, amount)
	SELECT season_id, occurred_at, id, amount FROM (
		SELECT season_id, occurred_at, id, amount, max(amount) OVER (ORDER BY occurred_at, id
			ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
		FROM sale INDEXED BY sale_season_time_idx
		WHERE season_id = old.season_id AND status IN ('pending', 'approved') AND id <> old.id
			AND occurred_at >= old.occurred_at AND (occurred_at, id) > (old.occurred_at, old.id)
			AND occurred_at <= coalesce((SELECT occurred_at FROM badge_record
				WHERE season_id = old.season_id AND (occurred_at, sale_id) > (old.occurred_at, old.id)
				ORDER BY occurred_at, sale_id LIMIT 1), 9223372036854775807)
			AND ((occurred_at, id) < (SELECT occurred_at, sale_id FROM badge_record
				WHERE season_id = old.season_id AND (occurred_at, sale_id) > (old.occurred_at, old.id)
				ORDER BY occurred_at, sale_id LIMIT 1)) IS NOT FALSE
			AND amount > coalesce((SELECT amount FROM badge_record WHERE season_id = old.season_id
				AND (occurred_at, sale_id) < (old.occurred_at, old.id)
				ORDER BY occurred_at DESC, sale_id DESC LIMIT 1), -9223372036854775808)
	) WHERE (before IS NULL OR amount > before)
		AND EXISTS (SELECT 1 FROM badge_record WHERE season_id = old.season_id
			AND occurred_at = old.occurred_at AND sale_id = old.id);
	DELETE FROM badge_record WHERE season_id = old.season_id AND occurred_at = old.occurred_at
		AND sale_id = old.id;
	DELETE FROM badge_record WHERE new.status IN ('pending', 'approved')
		AND season_id = new.season_id
		AND amount <= new.amount
		AND amount > coalesce((SELECT amount FROM badge_record WHERE season_id = new.season_id
			AND (occurred_at, sale_id) < (new.occurred_at, new.id)
			ORDER BY occurred_at DESC, sale_id DESC LIMIT 1), -9223372036854775808)
		AND (occurred_at, sale_id) > (new.occurred_at, new.id);
	INSERT INTO badge_record (season_id, occurred_at, sale_id, amount)
	SELECT new.season_id, new.occurred_at, new.id, new.amount
	WHERE new.status IN ('pending', 'approved')
		AND NOT EXISTS (SELECT 1 FROM (SELECT amount FROM badge_record WHERE season_id = new.season_id
			AND (occurred_at, sale_id) < (new.occurred_at, new.id)
			ORDER BY occurred_at DESC, sale_id DESC LIMIT 1) WHERE amount >= new.amount);
END;
--> statement-breakpoint
CREATE TRIGGER `badge_record_sale_delete` AFTER DELETE ON `sale`
	WHEN old.status IN ('pending', 'approved')
BEGIN
	INSERT INTO badge_record (season_id, occurred_at, sale_id, amount)
	SELECT season_id, occurred_at, id, amount FROM (
		SELECT season_id, occurred_at, id, amount, max(amount) OVER (ORDER BY occurred_at, id
			ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
		FROM sale INDEXED BY sale_season_time_idx
		WHERE season_id = old.season_id AND status IN ('pending', 'approved') AND id <> old.id
			AND occurred_at >= old.occurred_at AND (occurred_at, id) > (old.occurred_at, old.id)
			AND occurred_at <= coalesce((SELECT occurred_at FROM badge_record
				WHERE season_id = old.season_id AND (occurred_at, sale_id) > (old.occurred_at, old.id)
				ORDER BY occurred_at, sale_id LIMIT 1), 9223372036854775807)
			AND ((occurred_at, id) < (SELECT occurred_at, sale_id FROM badge_record
				WHERE season_id = old.season_id AND (occurred_at, sale_id) > (old.occurred_at, old.id)
				ORDER BY occurred_at, sale_id LIMIT 1)) IS NOT FALSE
			AND amount > coalesce((SELECT amount FROM badge_record WHERE season_id = old.season_id
				AND (occurred_at, sale_id) < (old.occurred_at, old.id)
				ORDER BY occurred_at DESC, sale_id DESC LIMIT 1), -9223372036854775808)
	) WHERE (before IS NULL OR amount > before)
		AND EXISTS (SELECT 1 FROM badge_record WHERE season_id = old.season_id
			AND occurred_at = old.occurred_at AND sale_id = old.id);
	DELETE FROM badge_record WHERE season_id = old.season_id AND occurred_at = old.occurred_at
		AND sale_id = old.id;
END;
--> statement-breakpoint
-- The records of the sales already there.
INSERT INTO badge_record (season_id, occurred_at, sale_id, amount)
SELECT season_id, occurred_at, id, amount FROM (
	SELECT season_id, occurred_at, id, amount, max(amount) OVER (PARTITION BY season_id
		ORDER BY occurred_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
	FROM sale WHERE status IN ('pending', 'approved')
) WHERE before IS NULL OR amount > before;
