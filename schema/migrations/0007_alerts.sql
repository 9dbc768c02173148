CREATE TABLE "alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"category" text NOT NULL,
	"region" text,
	"app_version" text,
	"opened_at" timestamp with time zone NOT NULL,
	"cleared_at" timestamp with time zone,
	"observed" integer NOT NULL,
	"expected" double precision NOT NULL,
	"score" double precision NOT NULL,
	"last_observed" integer NOT NULL,
	"peak_observed" integer NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"ticket_id" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_open_key_idx" ON "alerts" USING btree ("key") WHERE "alerts"."cleared_at" is null;--> statement-breakpoint
CREATE INDEX "alerts_opened_idx" ON "alerts" USING btree ("opened_at");--> statement-breakpoint
CREATE INDEX "tickets_created_at_idx" ON "tickets" USING btree ("created_at");