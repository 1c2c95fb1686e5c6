-- delete-account: remove an account, its index entries, settings and every login token in one atomic step.
-- (Its sessions are ended next by the caller; other apps' data of the user is theirs to remove.)
--
-- KEYS[1]  index:user
-- KEYS[2]  users
-- KEYS[3]  user:<userId>
-- KEYS[4]  authtokens:<userId>
-- KEYS[5]  settings:<userId>
-- ARGV[1]  the user id
-- ARGV[2]  the e-mail the caller read, ARGV[3] its index field
-- ARGV[4]  the nick the caller read, ARGV[5] its index field
-- ARGV[6]  'authtoken:' (a token's key is this followed by its hash)
-- Returns 'OK', or 'CHANGED' when the e-mail or nick changed meanwhile (then nothing was written).

local current = redis.call('HMGET', KEYS[3], 'email', 'nick')
if current[1] ~= ARGV[2] or current[2] ~= ARGV[4] then return 'CHANGED' end
for _, field in ipairs({ ARGV[3], ARGV[5] }) do
  if redis.call('HGET', KEYS[1], field) == ARGV[1] then redis.call('HDEL', KEYS[1], field) end
end
for _, hash in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
  redis.call('DEL', ARGV[6] .. hash)
end
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
redis.call('SREM', KEYS[2], ARGV[1])
return 'OK'
