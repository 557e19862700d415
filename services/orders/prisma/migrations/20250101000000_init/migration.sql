-- CreateTable
CREATE TABLE `orders` (
    `id` CHAR(36) NOT NULL,
    `user_id` VARCHAR(128) NOT NULL,
    `request_id` VARCHAR(64) NOT NULL,
    `request_fingerprint` CHAR(64) NOT NULL,
    `status` ENUM('PENDING', 'CONFIRMED', 'CANCELLED', 'NEEDS_ATTENTION') NOT NULL DEFAULT 'PENDING',
    `cancellation_reason` VARCHAR(64) NOT NULL DEFAULT '',
    `payment_status` ENUM('AUTHORIZED', 'CAPTURED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'VOIDED', 'DECLINED') NULL,
    `shipment_status` ENUM('CREATED', 'DISPATCHED', 'CANCELLED') NULL,
    `step` VARCHAR(32) NOT NULL DEFAULT '',
    `status_detail` VARCHAR(1000) NOT NULL DEFAULT '',
    `last_sequence` BIGINT NOT NULL DEFAULT 0,
    `currency_code` CHAR(3) NOT NULL,
    `subtotal_minor` BIGINT NOT NULL,
    `shipping_minor` BIGINT NOT NULL,
    `total_minor` BIGINT NOT NULL,
    `ship_recipient` VARCHAR(100) NOT NULL,
    `ship_lines` JSON NOT NULL,
    `ship_city` VARCHAR(100) NOT NULL,
    `ship_postal_code` VARCHAR(12) NOT NULL,
    `ship_country_code` CHAR(2) NOT NULL,
    `payment_token` VARCHAR(64) NULL,
    `create_time` DATETIME(3) NOT NULL,
    `update_time` DATETIME(3) NOT NULL,

    INDEX `orders_user_id_create_time_id_idx`(`user_id`, `create_time`, `id`),
    UNIQUE INDEX `orders_user_id_request_id_key`(`user_id`, `request_id`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `order_items` (
    `order_id` CHAR(36) NOT NULL,
    `line_no` INTEGER NOT NULL,
    `sku` VARCHAR(32) NOT NULL,
    `name` TEXT NOT NULL,
    `quantity` INTEGER NOT NULL,
    `unit_price_minor` BIGINT NOT NULL,
    `line_total_minor` BIGINT NOT NULL,

    PRIMARY KEY (`order_id`, `line_no`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `order_items` ADD CONSTRAINT `order_items_order_id_fkey` FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;
