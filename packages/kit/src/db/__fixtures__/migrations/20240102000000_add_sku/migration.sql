-- AlterTable
ALTER TABLE `products` ADD COLUMN `sku` VARCHAR(64) NULL;

-- CreateIndex
CREATE UNIQUE INDEX `products_sku_key` ON `products`(`sku`);
