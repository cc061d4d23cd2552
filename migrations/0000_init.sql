CREATE TABLE "admin_audit" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "admin_audit_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"platform" text NOT NULL,
	"user_id" text NOT NULL,
	"command" text NOT NULL,
	"args" text DEFAULT '' NOT NULL,
	"allowed" boolean NOT NULL,
	"outcome" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"platform" text NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"scope_key" text NOT NULL,
	"slots" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"fallback_count" integer DEFAULT 0 NOT NULL,
	"handed_off" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversations_scope_uq" UNIQUE("platform","workspace_id","channel_id","scope_key"),
	CONSTRAINT "conversations_platform_ck" CHECK ("conversations"."platform" in ('local', 'slack', 'discord'))
);
--> statement-breakpoint
CREATE TABLE "feedback" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"message_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"corrected_intent" text,
	"corrected_entities" jsonb,
	"status" text DEFAULT 'pending' NOT NULL,
	"reviewed_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feedback_message_user_uq" UNIQUE("message_id","user_id"),
	CONSTRAINT "feedback_kind_ck" CHECK ("feedback"."kind" in ('up', 'down', 'correction')),
	CONSTRAINT "feedback_status_ck" CHECK ("feedback"."status" in ('pending', 'accepted', 'rejected', 'used'))
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conversation_id" uuid NOT NULL,
	"direction" text NOT NULL,
	"platform" text NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"platform_message_id" text,
	"user_id" text,
	"text" text NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"reply_kind" text,
	"in_reply_to" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "messages_direction_ck" CHECK ("messages"."direction" in ('in', 'out')),
	CONSTRAINT "messages_platform_ck" CHECK ("messages"."platform" in ('local', 'slack', 'discord')),
	CONSTRAINT "messages_reply_kind_ck" CHECK ("messages"."reply_kind" is null or "messages"."reply_kind" in ('answer', 'ask', 'fallback', 'handoff', 'prompt'))
);
--> statement-breakpoint
CREATE TABLE "model_versions" (
	"version" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "model_versions_version_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"status" text NOT NULL,
	"artifact" "bytea" NOT NULL,
	"sha256" text NOT NULL,
	"manifest" jsonb NOT NULL,
	"metrics" jsonb,
	"parent_version" integer,
	"run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"promoted_at" timestamp with time zone,
	CONSTRAINT "model_versions_status_ck" CHECK ("model_versions"."status" in ('candidate', 'active', 'rejected', 'retired'))
);
--> statement-breakpoint
CREATE TABLE "predictions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"message_id" uuid NOT NULL,
	"intent" text NOT NULL,
	"confidence" double precision NOT NULL,
	"entities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"ranking" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"model_version" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "predictions_message_uq" UNIQUE("message_id")
);
--> statement-breakpoint
CREATE TABLE "processed_messages" (
	"platform" text NOT NULL,
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"platform_message_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "processed_messages_pk" PRIMARY KEY("platform","workspace_id","channel_id","platform_message_id")
);
--> statement-breakpoint
CREATE TABLE "training_examples" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "training_examples_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"text" text NOT NULL,
	"intent" text NOT NULL,
	"entities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"origin" text NOT NULL,
	"split" text NOT NULL,
	"source" text,
	"text_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "training_examples_origin_hash_uq" UNIQUE("origin","text_hash"),
	CONSTRAINT "training_examples_origin_ck" CHECK ("training_examples"."origin" in ('base', 'feedback', 'import')),
	CONSTRAINT "training_examples_split_ck" CHECK ("training_examples"."split" in ('train', 'test'))
);
--> statement-breakpoint
CREATE TABLE "training_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trigger" text NOT NULL,
	"requested_by" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"log" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"decision" text,
	"reason" text,
	"report_markdown" text,
	"chart_png" "bytea",
	"metrics" jsonb,
	"candidate_version" integer,
	"slot_key" text,
	CONSTRAINT "training_runs_slot_uq" UNIQUE("slot_key"),
	CONSTRAINT "training_runs_trigger_ck" CHECK ("training_runs"."trigger" in ('schedule', 'command', 'cli')),
	CONSTRAINT "training_runs_status_ck" CHECK ("training_runs"."status" in ('queued', 'running', 'succeeded', 'rejected', 'skipped', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_in_reply_to_messages_id_fk" FOREIGN KEY ("in_reply_to") REFERENCES "public"."messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_parent_version_model_versions_version_fk" FOREIGN KEY ("parent_version") REFERENCES "public"."model_versions"("version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_versions" ADD CONSTRAINT "model_versions_run_id_training_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."training_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "predictions" ADD CONSTRAINT "predictions_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "training_runs" ADD CONSTRAINT "training_runs_candidate_version_model_versions_version_fk" FOREIGN KEY ("candidate_version") REFERENCES "public"."model_versions"("version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admin_audit_at_ix" ON "admin_audit" USING btree ("at");--> statement-breakpoint
CREATE INDEX "feedback_status_ix" ON "feedback" USING btree ("status","updated_at");--> statement-breakpoint
CREATE INDEX "messages_conversation_ix" ON "messages" USING btree ("conversation_id","created_at");--> statement-breakpoint
CREATE INDEX "messages_platform_key_ix" ON "messages" USING btree ("platform","workspace_id","channel_id","platform_message_id");--> statement-breakpoint
CREATE INDEX "messages_created_ix" ON "messages" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "model_versions_one_active_uq" ON "model_versions" USING btree ("status") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "predictions_model_version_ix" ON "predictions" USING btree ("model_version");--> statement-breakpoint
CREATE INDEX "processed_messages_created_ix" ON "processed_messages" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "training_examples_split_ix" ON "training_examples" USING btree ("split","origin");--> statement-breakpoint
CREATE INDEX "training_runs_status_ix" ON "training_runs" USING btree ("status");--> statement-breakpoint
CREATE INDEX "training_runs_created_ix" ON "training_runs" USING btree ("created_at");