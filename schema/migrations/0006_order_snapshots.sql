CREATE TABLE "order_snapshots" (
	"order_id" text PRIMARY KEY NOT NULL,
	"order" jsonb,
	"order_fetched_at" timestamp with time zone,
	"evidence" jsonb,
	"evidence_collected_at" timestamp with time zone
);
