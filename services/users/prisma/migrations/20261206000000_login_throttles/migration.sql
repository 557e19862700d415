-- CreateTable
CREATE TABLE `login_throttles` (
    `key_hash` CHAR(64) NOT NULL,
    `failures` INTEGER NOT NULL,
    `last_failure_ms` BIGINT NOT NULL,

    INDEX `login_throttles_last_failure_ms_idx`(`last_failure_ms`),
    PRIMARY KEY (`key_hash`)
) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
