-- CreateTable
CREATE TABLE `payments` (
    `payment_id` VARCHAR(64) NOT NULL,
    `order_id` VARCHAR(64) NULL,
    `status` ENUM('PENDING', 'AUTHORIZED', 'CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'VOIDED', 'DECLINED') NOT NULL,
    `currency` CHAR(3) NULL,
    `amount_minor` BIGINT NULL,
    `token_hash` CHAR(64) NULL,
    `captured_minor` BIGINT NOT NULL DEFAULT 0,
    `refunded_minor` BIGINT NOT NULL DEFAULT 0,
    `provider_reference` VARCHAR(128) NULL,
    `provider_attempts` INTEGER NOT NULL DEFAULT 0,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL,

    -- Last line of defence for the money invariants (the code enforces them first).
    CONSTRAINT `payments_amount_positive` CHECK (`amount_minor` IS NULL OR `amount_minor` > 0),
    CONSTRAINT `payments_refund_within_capture` CHECK (`refunded_minor` >= 0 AND `refunded_minor` <= `captured_minor`),
    CONSTRAINT `payments_capture_within_amount` CHECK (`captured_minor` >= 0 AND `captured_minor` <= COALESCE(`amount_minor`, 0)),
    PRIMARY KEY (`payment_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `payment_ledger` (
    `sequence` BIGINT NOT NULL AUTO_INCREMENT,
    `payment_id` VARCHAR(64) NOT NULL,
    `kind` ENUM('AUTHORIZATION', 'CAPTURE', 'VOID', 'REFUND') NOT NULL,
    `currency` CHAR(3) NOT NULL,
    `amount_minor` BIGINT NOT NULL,
    `reference` VARCHAR(64) NOT NULL DEFAULT '',
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    CONSTRAINT `payment_ledger_amount_positive` CHECK (`amount_minor` > 0),
    UNIQUE INDEX `payment_ledger_payment_id_kind_reference_key`(`payment_id`, `kind`, `reference`),
    PRIMARY KEY (`sequence`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `refunds` (
    `refund_id` VARCHAR(64) NOT NULL,
    `payment_id` VARCHAR(64) NOT NULL,
    `currency` CHAR(3) NOT NULL,
    `amount_minor` BIGINT NOT NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    CONSTRAINT `refunds_amount_positive` CHECK (`amount_minor` > 0),
    INDEX `refunds_payment_id_idx`(`payment_id`),
    PRIMARY KEY (`refund_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `payment_ledger` ADD CONSTRAINT `payment_ledger_payment_id_fkey` FOREIGN KEY (`payment_id`) REFERENCES `payments`(`payment_id`) ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `refunds` ADD CONSTRAINT `refunds_payment_id_fkey` FOREIGN KEY (`payment_id`) REFERENCES `payments`(`payment_id`) ON DELETE RESTRICT ON UPDATE CASCADE;
