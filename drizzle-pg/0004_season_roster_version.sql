ALTER TABLE "season" ADD COLUMN "roster_version" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written (drizzle-kit does not generate triggers): the PostgreSQL twin of the roster
-- triggers of drizzle/0024_season_roster_version.sql, same names on the same tables.
CREATE FUNCTION roster_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE season SET roster_version = roster_version + 1 WHERE id = old.season_id;
	END IF;
	IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND new.season_id IS DISTINCT FROM old.season_id) THEN
		UPDATE season SET roster_version = roster_version + 1 WHERE id = new.season_id;
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER roster_member_insert AFTER INSERT ON season_member
	FOR EACH ROW EXECUTE FUNCTION roster_changed();
--> statement-breakpoint
CREATE TRIGGER roster_member_update AFTER UPDATE ON season_member
	FOR EACH ROW EXECUTE FUNCTION roster_changed();
--> statement-breakpoint
CREATE TRIGGER roster_member_delete AFTER DELETE ON season_member
	FOR EACH ROW EXECUTE FUNCTION roster_changed();
--> statement-breakpoint
CREATE TRIGGER roster_team_insert AFTER INSERT ON team
	FOR EACH ROW EXECUTE FUNCTION roster_changed();
--> statement-breakpoint
CREATE TRIGGER roster_team_update AFTER UPDATE ON team
	FOR EACH ROW EXECUTE FUNCTION roster_changed();
--> statement-breakpoint
CREATE TRIGGER roster_team_delete AFTER DELETE ON team
	FOR EACH ROW EXECUTE FUNCTION roster_changed();
--> statement-breakpoint
CREATE FUNCTION roster_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE season SET roster_version = roster_version + 1
		WHERE id IN (SELECT season_id FROM season_member WHERE user_id = new.id);
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER roster_user_update AFTER UPDATE OF display_name, password_hash ON "user"
	FOR EACH ROW WHEN (old.display_name IS DISTINCT FROM new.display_name
		OR (old.password_hash = '!') IS DISTINCT FROM (new.password_hash = '!'))
	EXECUTE FUNCTION roster_user_changed();
