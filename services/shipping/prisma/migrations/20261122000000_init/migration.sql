-- CreateTable
CREATE TABLE `shipments` (
    `shipment_id` VARCHAR(64) NOT NULL,
    `order_id` VARCHAR(64) NULL,
    `status` ENUM('CREATED', 'DISPATCHED', 'CANCELLED') NOT NULL,
    `recipient` VARCHAR(100) NULL,
    `address_line1` VARCHAR(100) NULL,
    `address_line2` VARCHAR(100) NULL,
    `address_line3` VARCHAR(100) NULL,
    `city` VARCHAR(100) NULL,
    `postal_code` VARCHAR(12) NULL,
    `country_code` CHAR(2) NULL,
    `tracking_number` VARCHAR(32) NULL,
    `request_hash` CHAR(64) NULL,
    `created_at` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    `updated_at` DATETIME(3) NOT NULL,

    UNIQUE INDEX `shipments_tracking_number_key`(`tracking_number`),
    PRIMARY KEY (`shipment_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- CreateTable
CREATE TABLE `shipment_items` (
    `shipment_id` VARCHAR(64) NOT NULL,
    `line_no` INTEGER NOT NULL,
    `sku` VARCHAR(64) NOT NULL,
    `quantity` INTEGER NOT NULL,

    CONSTRAINT `shipment_items_quantity_range` CHECK (`quantity` BETWEEN 1 AND 1000),
    PRIMARY KEY (`shipment_id`, `line_no`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

-- AddForeignKey
ALTER TABLE `shipment_items` ADD CONSTRAINT `shipment_items_shipment_id_fkey` FOREIGN KEY (`shipment_id`) REFERENCES `shipments`(`shipment_id`) ON DELETE RESTRICT ON UPDATE CASCADE;
