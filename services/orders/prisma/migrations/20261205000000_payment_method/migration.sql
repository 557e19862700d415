-- No card tokens at rest (issue 14): PlaceOrder vaults the token in payments and keeps only the
-- expiring payment method id. Tokens still held (orders still PENDING) are dropped with the
-- column; such orders' sagas already started with the token in their input.
-- AlterTable
ALTER TABLE `orders` DROP COLUMN `payment_token`,
    ADD COLUMN `payment_method_id` VARCHAR(40) NULL;
