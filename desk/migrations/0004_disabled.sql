-- 4: an account can be disabled (gongkai-desk user disable): it cannot log in, its sessions end.
-- Portable SQL.
ALTER TABLE users ADD COLUMN disabled BIGINT NOT NULL DEFAULT 0
