-- CreateTable
CREATE TABLE `stock` (
    `sku` VARCHAR(32) NOT NULL,
    `on_hand` INTEGER NOT NULL,
    `reserved` INTEGER NOT NULL DEFAULT 0,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL,

    PRIMARY KEY (`sku`),
    -- available = on_hand - reserved may never go negative, whatever the application does.
    CONSTRAINT `stock_on_hand_check` CHECK (`on_hand` >= 0),
    CONSTRAINT `stock_reserved_check` CHECK (`reserved` >= 0 AND `reserved` <= `on_hand`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `reservations` (
    `id` VARCHAR(64) NOT NULL,
    `status` ENUM('ACTIVE', 'RELEASED', 'COMMITTED', 'RETURNED') NOT NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL,

    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `reservation_items` (
    `reservation_id` VARCHAR(64) NOT NULL,
    `sku` VARCHAR(32) NOT NULL,
    `quantity` INTEGER NOT NULL,

    INDEX `reservation_items_sku_idx`(`sku`),
    PRIMARY KEY (`reservation_id`, `sku`),
    CONSTRAINT `reservation_items_quantity_check` CHECK (`quantity` BETWEEN 1 AND 1000)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `stock_audit` (
    `id` BIGINT NOT NULL AUTO_INCREMENT,
    `sku` VARCHAR(32) NOT NULL,
    `change` ENUM('SET', 'ADJUST') NOT NULL,
    `adjustment_id` VARCHAR(64) NULL,
    `actor` VARCHAR(191) NOT NULL,
    `on_hand_before` INTEGER NULL,
    `on_hand_after` INTEGER NOT NULL,
    `reserved` INTEGER NOT NULL,
    `delta` INTEGER NOT NULL,
    `note` VARCHAR(500) NOT NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `stock_audit_adjustment_id_key`(`adjustment_id`),
    INDEX `stock_audit_sku_created_at_idx`(`sku`, `created_at`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `reservation_items` ADD CONSTRAINT `reservation_items_reservation_id_fkey` FOREIGN KEY (`reservation_id`) REFERENCES `reservations`(`id`) ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE `stock_audit` ADD CONSTRAINT `stock_audit_sku_fkey` FOREIGN KEY (`sku`) REFERENCES `stock`(`sku`) ON DELETE RESTRICT ON UPDATE CASCADE;
