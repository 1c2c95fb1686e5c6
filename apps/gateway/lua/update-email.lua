-- update-email: move an account to a new e-mail address and its index entry in one atomic step.
--
-- KEYS[1]  index:user
-- KEYS[2]  user:<userId>
-- ARGV[1]  the user id
-- ARGV[2]  the e-mail the caller read (the change is refused if it changed meanwhile)
-- ARGV[3]  its index field
-- ARGV[4]  the new e-mail
-- ARGV[5]  its index field
-- Returns 'OK', 'EMAIL_TAKEN' or 'CHANGED' (then nothing was written).

if redis.call('HGET', KEYS[2], 'email') ~= ARGV[2] then return 'CHANGED' end
if ARGV[5] ~= ARGV[3] then
  if redis.call('HEXISTS', KEYS[1], ARGV[5]) == 1 then return 'EMAIL_TAKEN' end
  redis.call('HDEL', KEYS[1], ARGV[3])
  redis.call('HSET', KEYS[1], ARGV[5], ARGV[1])
end
redis.call('HSET', KEYS[2], 'email', ARGV[4])
return 'OK'
