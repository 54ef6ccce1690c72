-- Placeholder: number 0009 belongs to another branch; the merge replaces this file with that migration.
SELECT 1;
