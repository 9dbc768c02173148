CREATE TABLE "delivery_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"outbox_id" integer NOT NULL,
	"channel" text NOT NULL,
	"attempt" integer NOT NULL,
	"ok" boolean NOT NULL,
	"error" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "delivery_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"ticket_id" text NOT NULL,
	"event_seq" integer NOT NULL,
	"notice" text NOT NULL,
	"channel" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "notification_preferences" (
	"user_id" text PRIMARY KEY NOT NULL,
	"channels" jsonb NOT NULL,
	"quiet_start" text,
	"quiet_end" text,
	"time_zone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"email" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"user_id" text NOT NULL,
	"ticket_id" text NOT NULL,
	"notice" text NOT NULL,
	"language" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"actions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "delivery_attempts_outbox_idx" ON "delivery_attempts" USING btree ("outbox_id");--> statement-breakpoint
CREATE UNIQUE INDEX "delivery_outbox_dedupe_idx" ON "delivery_outbox" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "delivery_outbox_due_idx" ON "delivery_outbox" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "delivery_outbox_ticket_idx" ON "delivery_outbox" USING btree ("ticket_id");--> statement-breakpoint
CREATE UNIQUE INDEX "user_messages_dedupe_idx" ON "user_messages" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "user_messages_user_idx" ON "user_messages" USING btree ("user_id","id");