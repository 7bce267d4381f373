-- 2: indexes for the staff list and the export (cases by date of receipt, questionnaires by
-- campaign and unit). Portable SQL.
CREATE INDEX cases_received ON cases (received);
CREATE INDEX responses_campaign ON responses (campaign, unit)
