-- Orphan orders (issue 15): the reconciler looks for PENDING orders whose saga was never seen,
-- oldest first, and cancels those whose payment method expired (its expiry is kept from the
-- vault's answer). Open-order cap: one lock row per user serializes that user's placements.
-- AlterTable
ALTER TABLE `orders` ADD COLUMN `payment_method_expire_time` DATETIME(3) NULL,
    ADD COLUMN `saga_seen_time` DATETIME(3) NULL;

-- CreateIndex
CREATE INDEX `orders_status_saga_seen_time_create_time_idx` ON `orders`(`status`, `saga_seen_time`, `create_time`);

-- CreateTable
CREATE TABLE `order_placement_locks` (
    `user_id` VARCHAR(128) NOT NULL,

    PRIMARY KEY (`user_id`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
