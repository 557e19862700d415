-- CreateTable
CREATE TABLE `products` (
    `sku` VARCHAR(32) NOT NULL,
    `name` VARCHAR(200) NOT NULL,
    `description` TEXT NOT NULL,
    `category` VARCHAR(50) NOT NULL,
    `price_minor` BIGINT NOT NULL,
    `currency_code` CHAR(3) NOT NULL,
    `active` BOOLEAN NOT NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL,

    INDEX `products_active_sku_idx`(`active`, `sku`),
    INDEX `products_category_active_sku_idx`(`category`, `active`, `sku`),
    PRIMARY KEY (`sku`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
