-- Provider webhook events (issue 16): one row per event id, written in the same transaction as
-- its effect, so an event delivered many times is applied once.
-- CreateTable
CREATE TABLE `provider_events` (
    `event_id` VARCHAR(255) NOT NULL,
    `provider` VARCHAR(16) NOT NULL,
    `type` VARCHAR(64) NOT NULL,
    `payment_id` VARCHAR(64) NULL,
    `outcome` VARCHAR(32) NOT NULL,
    `received_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `provider_events_payment_id_idx`(`payment_id`),
    PRIMARY KEY (`event_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- Which Idempotency-Key generation an authorize sends (see payments.app.ts): moves on only
-- when the provider proved it holds nothing for the previous key.
-- AlterTable
ALTER TABLE `payments` ADD COLUMN `authorize_key_generation` INTEGER NOT NULL DEFAULT 0;

-- Webhooks about charges and disputes name the PaymentIntent, not our payment: look it up.
-- CreateIndex
CREATE INDEX `payments_provider_reference_idx` ON `payments`(`provider_reference`);
