-- Seed rows whose text contains the characters a naive splitter trips on.
INSERT INTO `products` (`name`, `sku`) VALUES ('it''s; fine', 'SKU-1'), ('back\\slash "double"', 'SKU-2');
INSERT INTO `products` (`name`, `sku`) VALUES ('-- not a comment', 'SKU-3');
