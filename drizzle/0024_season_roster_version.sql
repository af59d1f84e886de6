ALTER TABLE `season` ADD `roster_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written below (drizzle-kit does not generate triggers): season.roster_version moves with
-- every write that changes who is on a season's board or how the board names them — a
-- membership (joined, left, moved to another team), a team (added, renamed, recoloured,
-- removed), a member's display name or first sign-in (an invitation's '!' hash). The standings
-- move season.version instead (bumped in the same transaction by every writer). Together they
-- let the season's end check that a board read on the read thread is still the board.
CREATE TRIGGER `roster_member_insert` AFTER INSERT ON `season_member` BEGIN
	UPDATE season SET roster_version = roster_version + 1 WHERE id = new.season_id;
END;
--> statement-breakpoint
CREATE TRIGGER `roster_member_update` AFTER UPDATE ON `season_member` BEGIN
	UPDATE season SET roster_version = roster_version + 1 WHERE id IN (old.season_id, new.season_id);
END;
--> statement-breakpoint
CREATE TRIGGER `roster_member_delete` AFTER DELETE ON `season_member` BEGIN
	UPDATE season SET roster_version = roster_version + 1 WHERE id = old.season_id;
END;
--> statement-breakpoint
CREATE TRIGGER `roster_team_insert` AFTER INSERT ON `team` BEGIN
	UPDATE season SET roster_version = roster_version + 1 WHERE id = new.season_id;
END;
--> statement-breakpoint
CREATE TRIGGER `roster_team_update` AFTER UPDATE ON `team` BEGIN
	UPDATE season SET roster_version = roster_version + 1 WHERE id IN (old.season_id, new.season_id);
END;
--> statement-breakpoint
CREATE TRIGGER `roster_team_delete` AFTER DELETE ON `team` BEGIN
	UPDATE season SET roster_version = roster_version + 1 WHERE id = old.season_id;
END;
--> statement-breakpoint
CREATE TRIGGER `roster_user_update` AFTER UPDATE OF display_name, password_hash ON `user`
	WHEN old.display_name IS NOT new.display_name
		OR (old.password_hash = '!') IS NOT (new.password_hash = '!')
BEGIN
	UPDATE season SET roster_version = roster_version + 1
		WHERE id IN (SELECT season_id FROM season_member WHERE user_id = new.id);
END;
