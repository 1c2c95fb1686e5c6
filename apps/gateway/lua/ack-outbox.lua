-- ack-outbox: drop the entries a client has acknowledged (seq up to ARGV[1]).
--
-- KEYS[1]  outbox:<userId>:<sessionId>
-- ARGV[1]  seq
-- Returns how many entries were dropped.
local first = redis.call('LINDEX', KEYS[1], 0)
if not first then return 0 end
local n = tonumber(ARGV[1]) - tonumber(string.match(first, '^{"seq":(%d+)')) + 1
if n <= 0 then return 0 end
redis.call('LTRIM', KEYS[1], n, -1)
return n
