CREATE TABLE "badge_record" (
	"season_id" bigint NOT NULL,
	"occurred_at" bigint NOT NULL,
	"sale_id" bigint NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "badge_record_season_id_occurred_at_sale_id_pk" PRIMARY KEY("season_id","occurred_at","sale_id")
);
--> statement-breakpoint
CREATE INDEX "badge_record_amount_idx" ON "badge_record" USING btree ("season_id","amount");--> statement-breakpoint
-- Hand-written (drizzle-kit does not generate triggers): the PostgreSQL twin of the record
-- triggers of drizzle/0027_badge_record_frontier.sql, same names on the same table. badge_record
-- holds a season's sales that count and are bigger than every earlier one in (occurred_at, id)
-- order; see the SQLite file for why each step is one seek. A sale is taken out as it was, then
-- put in as it is.
CREATE FUNCTION badge_record_sale_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	prev_amount bigint;
	next_at bigint;
	next_id bigint;
BEGIN
	IF TG_OP <> 'INSERT' AND old.status IN ('pending', 'approved') AND EXISTS (
		SELECT 1 FROM badge_record WHERE season_id = old.season_id
			AND occurred_at = old.occurred_at AND sale_id = old.id) THEN
		-- A record leaves: the sales between it and the next record may be records now.
		SELECT amount INTO prev_amount FROM badge_record WHERE season_id = old.season_id
			AND (occurred_at, sale_id) < (old.occurred_at, old.id)
			ORDER BY occurred_at DESC, sale_id DESC LIMIT 1;
		SELECT occurred_at, sale_id INTO next_at, next_id FROM badge_record
			WHERE season_id = old.season_id AND (occurred_at, sale_id) > (old.occurred_at, old.id)
			ORDER BY occurred_at, sale_id LIMIT 1;
		DELETE FROM badge_record WHERE season_id = old.season_id
			AND occurred_at = old.occurred_at AND sale_id = old.id;
		INSERT INTO badge_record (season_id, occurred_at, sale_id, amount)
		SELECT w.season_id, w.occurred_at, w.id, w.amount FROM (
			SELECT s.season_id, s.occurred_at, s.id, s.amount, max(s.amount) OVER (
				ORDER BY s.occurred_at, s.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
			FROM sale s WHERE s.season_id = old.season_id AND s.status IN ('pending', 'approved')
				AND s.id <> old.id AND (s.occurred_at, s.id) > (old.occurred_at, old.id)
				AND (next_at IS NULL OR (s.occurred_at, s.id) < (next_at, next_id))
				AND (prev_amount IS NULL OR s.amount > prev_amount)
		) w WHERE w.before IS NULL OR w.amount > w.before
		ON CONFLICT DO NOTHING;
	END IF;
	IF TG_OP <> 'DELETE' AND new.status IN ('pending', 'approved') THEN
		SELECT amount INTO prev_amount FROM badge_record WHERE season_id = new.season_id
			AND (occurred_at, sale_id) < (new.occurred_at, new.id)
			ORDER BY occurred_at DESC, sale_id DESC LIMIT 1;
		IF prev_amount IS NULL OR prev_amount < new.amount THEN
			DELETE FROM badge_record WHERE season_id = new.season_id AND amount <= new.amount
				AND (prev_amount IS NULL OR amount > prev_amount)
				AND (occurred_at, sale_id) > (new.occurred_at, new.id);
			INSERT INTO badge_record (season_id, occurred_at, sale_id, amount)
			VALUES (new.season_id, new.occurred_at, new.id, new.amount) ON CONFLICT DO NOTHING;
		END IF;
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER badge_record_sale_insert AFTER INSERT ON sale
	FOR EACH ROW WHEN (new.status IN ('pending', 'approved'))
	EXECUTE FUNCTION badge_record_sale_changed();
--> statement-breakpoint
CREATE TRIGGER badge_record_sale_update AFTER UPDATE OF status, amount, occurred_at, season_id ON sale
	FOR EACH ROW WHEN ((old.status IN ('pending', 'approved')) IS DISTINCT FROM (new.status IN ('pending', 'approved'))
		OR (new.status IN ('pending', 'approved') AND (old.amount IS DISTINCT FROM new.amount
			OR old.occurred_at IS DISTINCT FROM new.occurred_at OR old.season_id IS DISTINCT FROM new.season_id)))
	EXECUTE FUNCTION badge_record_sale_changed();
--> statement-breakpoint
CREATE TRIGGER badge_record_sale_delete AFTER DELETE ON sale
	FOR EACH ROW WHEN (old.status IN ('pending', 'approved'))
	EXECUTE FUNCTION badge_record_sale_changed();
--> statement-breakpoint
-- The records of the sales already there.
INSERT INTO badge_record (season_id, occurred_at, sale_id, amount)
SELECT season_id, occurred_at, id, amount FROM (
	SELECT season_id, occurred_at, id, amount, max(amount) OVER (PARTITION BY season_id
		ORDER BY occurred_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
	FROM sale WHERE status IN ('pending', 'approved')
) w WHERE before IS NULL OR amount > before;
