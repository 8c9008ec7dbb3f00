-- 0004: PLACEHOLDER kept only so that this branch's migrations are numbered 1..n. The real
-- 0004 comes from another branch: delete this file when merging it.
SELECT 1;
