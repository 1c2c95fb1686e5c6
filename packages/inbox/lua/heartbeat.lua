-- heartbeat: renew a consumer's registration, unless it was presumed dead and reclaimed.
--
-- KEYS[1]  {inbox:<name>}:consumers
-- ARGV[1]  consumer id
-- ARGV[2]  registration lifetime in ms
-- ARGV[3]  'register' for a consumer that starts (registers even if absent), else ''
-- Returns 1 when renewed, 0 when the consumer is no longer registered (fenced).

if ARGV[3] ~= 'register' and not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1
