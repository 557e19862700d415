-- Vaulted card tokens (issue 14, "no card tokens at rest"): only AES-256-GCM ciphertext is stored.
-- CreateTable
CREATE TABLE `payment_methods` (
    `payment_method_id` VARCHAR(40) NOT NULL,
    `customer_id` VARCHAR(64) NOT NULL,
    `vault_request_id` VARCHAR(64) NOT NULL,
    `token_hash` CHAR(64) NOT NULL,
    `key_id` VARCHAR(64) NOT NULL,
    `iv` BINARY(12) NOT NULL,
    `ciphertext` VARBINARY(1024) NOT NULL,
    `auth_tag` BINARY(16) NOT NULL,
    `expire_time` DATETIME(3) NOT NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    INDEX `payment_methods_expire_time_idx`(`expire_time`),
    UNIQUE INDEX `payment_methods_customer_id_vault_request_id_key`(`customer_id`, `vault_request_id`),
    PRIMARY KEY (`payment_method_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
