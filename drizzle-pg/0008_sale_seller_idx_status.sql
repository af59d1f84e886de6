DROP INDEX "sale_season_seller_idx";--> statement-breakpoint
CREATE INDEX "sale_season_seller_idx" ON "sale" USING btree ("season_id","seller_id","occurred_at","status");