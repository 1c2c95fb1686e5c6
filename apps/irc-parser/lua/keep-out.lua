-- Keeps one write of the user's own messages until connection-manager confirms it (`sent`).
-- KEYS[1] networks:<userId>:<network>   KEYS[2] ircoutbox:<userId>:<network>
-- ARGV[1] the entry without its number (JSON object text, `{"ts":…,"lines":[…]}`)   ARGV[2] entries kept at most
-- Returns the entry's wseq. Number and entry in one step: one round trip on every message sent.
local wseq = redis.call('HINCRBY', KEYS[1], 'wseq', 1)
redis.call('ZADD', KEYS[2], wseq, '{"wseq":' .. wseq .. ',' .. string.sub(ARGV[1], 2))
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[2]) + 1))
return wseq
