-- CreateTable
CREATE TABLE `customers` (
    `id` CHAR(36) NOT NULL,
    `email` VARCHAR(191) NOT NULL,
    `name` VARCHAR(191) NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),

    UNIQUE INDEX `customers_email_key`(`email`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `orders` (
    `id` BIGINT NOT NULL AUTO_INCREMENT,
    `customer_id` CHAR(36) NOT NULL,
    `status` ENUM('PENDING', 'PAID', 'cancelled') NOT NULL DEFAULT 'PENDING',
    `total_cents` INTEGER NOT NULL,
    `amount` DECIMAL(12, 2) NOT NULL,
    `paid` BOOLEAN NOT NULL DEFAULT false,
    `meta` JSON NULL,
    `reference` VARCHAR(64) NOT NULL DEFAULT 'n/a // not a comment',
    `updated_at` DATETIME(3) NOT NULL,

    INDEX `orders_status_idx`(`status`),
    UNIQUE INDEX `orders_customer_id_reference_key`(`customer_id`, `reference`),
    PRIMARY KEY (`id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `orders` ADD CONSTRAINT `orders_customer_id_fkey` FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON DELETE RESTRICT ON UPDATE CASCADE;
