-- update-window: set fields of a window that exists (never create one by accident).
--
-- KEYS[1]  window:<userId>:<windowId>
-- ARGV     field, value, field, value, ...
-- Returns 1 if the window exists (and was updated), 0 if not.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
