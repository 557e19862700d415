-- Dispatch only after capture (issue 15): a shipment is released for dispatch by the saga once
-- the payment is captured, and MarkDispatched refuses one that is not (NOT_RELEASED_FOR_DISPATCH).
-- Existing rows stay unreleased: sagas still before their capture release their shipment
-- themselves after it; shipments of orders captured before this change are released by an
-- operator (services/shipping/README.md, "Deploying the release step").
-- AlterTable
ALTER TABLE `shipments` ADD COLUMN `released_at` DATETIME(3) NULL;
