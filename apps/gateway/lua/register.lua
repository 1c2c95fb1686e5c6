-- register: create an account unless its e-mail or nick is taken, in one atomic step (the new id,
-- the account, `users` and both index entries), so two registrations racing for one nick cannot
-- both win and a refused one uses no id.
--
-- KEYS[1]  index:user           'email:<lower-cased e-mail>' / 'nick:<lower-cased nick>' -> userId
-- KEYS[2]  users                every user id
-- KEYS[3]  nextavailableuserId  INCR counter of user ids
-- KEYS[4]  value:NickAlias:nick:<lower-cased nick>  (the object store: a nick another account reserved)
-- KEYS[5]  value:BotInfo:nick:<lower-cased nick>    (the object store: a service bot's nick)
-- ARGV[1]  index field of the e-mail
-- ARGV[2]  index field of the nick
-- ARGV[3]  'user:' (the account key is this followed by the new id)
-- ARGV[4..] the account's fields as field, value pairs
-- Returns { 'OK', userId }, { 'EMAIL_TAKEN' } or { 'NICK_TAKEN' } (then nothing was written).

if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return { 'EMAIL_TAKEN' } end
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then return { 'NICK_TAKEN' } end
if redis.call('SCARD', KEYS[4]) > 0 or redis.call('SCARD', KEYS[5]) > 0 then return { 'NICK_TAKEN' } end
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], ARGV[1], id, ARGV[2], id)
redis.call('SADD', KEYS[2], id)
redis.call('HSET', ARGV[3] .. id, unpack(ARGV, 4))
return { 'OK', id }
