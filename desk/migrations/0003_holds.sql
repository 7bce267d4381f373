-- 3: the waits of an application: 补正 (第三十条, asked once) and 征求第三方意见 (第三十二条).
-- hold: the wait a case is in (NULL: none), hold_from: the day it began. Portable SQL.
ALTER TABLE cases ADD COLUMN hold TEXT;
ALTER TABLE cases ADD COLUMN hold_from TEXT;
ALTER TABLE cases ADD COLUMN completion_asked BIGINT NOT NULL DEFAULT 0
