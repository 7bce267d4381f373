-- gongkai assess --save: a digest of each unit's latest rule outcomes, so that a gathering reads
-- the stored outcomes only of the units whose outcomes changed (a few a day among thousands).
-- NULL (a history stored before this column): read them, as before.
ALTER TABLE unit ADD COLUMN rules_digest TEXT;
