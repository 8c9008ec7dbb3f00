-- 0002: PostgreSQL twin of sqlite/0002_private_chat_ids.sql. Alerts go to the person's private
-- chat only: a command typed in a group once stored the group's id in users.chat_id; a private
-- chat's id is its user's id, so every row is set back to it.

UPDATE users SET chat_id = user_id WHERE chat_id <> user_id;
