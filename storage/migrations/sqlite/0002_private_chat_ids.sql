-- 0002: alerts go to the person's private chat only. Before this, a command typed in a group
-- stored the group's id in users.chat_id (and the next digest went to the whole group); a
-- private chat's id is its user's id, so every row is set back to it.

UPDATE users SET chat_id = user_id WHERE chat_id <> user_id;
