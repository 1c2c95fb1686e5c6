-- repair: make `ids` and the `value` sets say what an object's hash says now, after an edit made
-- outside the store (redis-cli HSET, HDEL, HINCRBY, RENAME, DEL, an expiry or an eviction). An
-- object whose hash is gone leaves `ids`, every value set, and takes its declared dependants with
-- it (as delete.lua). Idempotent: running it again changes nothing. (lib.lua first.)
--
-- ARGV[1] JSON: P, id, deps (as delete.lua)
-- Returns { 1, field, value, field, value, … } (the object as it is now) or { 0 } (gone).
local A = cjson.decode(ARGV[1])
local id = tostring(A.id)
local obj, exists = hash_table(A.P.hash .. id)
if not exists then
  drop_dependants(A.P, id, A.deps)
  unindex(A.P, id)
  redis.call('SREM', A.P.ids, id)
  return { 0 }
end
unindex(A.P, id)
redis.call('SADD', A.P.ids, id)
index(A.P, id, obj)
-- An id made by hand past the counter (HMSET without INCR) must not be handed out again.
local counter = tonumber(redis.call('GET', A.P.id) or '0')
if tonumber(id) > counter then redis.call('SET', A.P.id, id) end
local out = { 1 }
for k, v in pairs(obj) do
  out[#out + 1] = k
  out[#out + 1] = v
end
return out
