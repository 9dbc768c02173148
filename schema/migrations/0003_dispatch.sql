CREATE TABLE "agent_profiles" (
	"staff_id" text PRIMARY KEY NOT NULL,
	"groups" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"max_concurrent" integer DEFAULT 5 NOT NULL,
	"status" text DEFAULT 'offline' NOT NULL,
	"last_assigned_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "group_policies" (
	"group" text PRIMARY KEY NOT NULL,
	"policy" text NOT NULL,
	"aging_ms" bigint NOT NULL,
	"silence_ms" bigint,
	"silence_action" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "queue_items" (
	"ticket_id" text PRIMARY KEY NOT NULL,
	"group" text NOT NULL,
	"step" text NOT NULL,
	"state" text NOT NULL,
	"seq" integer NOT NULL,
	"priority" integer NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	"deadline" timestamp with time zone,
	"paused_at" timestamp with time zone,
	"breached" boolean DEFAULT false NOT NULL,
	"holder" text,
	"assignment_id" text,
	"claimed_at" timestamp with time zone,
	"confirmed" boolean DEFAULT false NOT NULL,
	"last_action_at" timestamp with time zone,
	"silence_fired_at" timestamp with time zone,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "agent_profiles" ADD CONSTRAINT "agent_profiles_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "queue_items_group_idx" ON "queue_items" USING btree ("state","group");--> statement-breakpoint
CREATE INDEX "queue_items_holder_idx" ON "queue_items" USING btree ("holder","state");