-- read-outbox: the entries of a session's outbox after a seq.
--
-- KEYS[1]  session:<userId>:<sessionId>
-- KEYS[2]  outbox:<userId>:<sessionId>
-- KEYS[3]  sessionend:<userId>:<sessionId>
-- ARGV[1]  after: the last seq already sent
-- ARGV[2]  the most entries to return
-- Returns {'OK', entries...}, {'GONE', why?}, {'REINIT'} or {'PENDING'} (init not complete);
-- `why` is the {"code","reason"} the session was ended with, when that is known.
--
-- Entries are numbered without gaps and only ever trimmed from the head, so the entry with seq s
-- sits at index s - firstSeq: one LRANGE, whatever the outbox's length.
local s = redis.call('HMGET', KEYS[1], 'reinit', 'initPending', 'listenRcvNext')
if not s[3] then
  local why = redis.call('GET', KEYS[3])
  if why then return { 'GONE', why } end
  return { 'GONE' }
end
if s[1] == '1' then return { 'REINIT' } end
if s[2] then return { 'PENDING' } end
local first = redis.call('LINDEX', KEYS[2], 0)
if not first then return { 'OK' } end
local firstSeq = tonumber(string.match(first, '^{"seq":(%d+)'))
local from = tonumber(ARGV[1]) + 1 - firstSeq
if from < 0 then from = 0 end
local entries = redis.call('LRANGE', KEYS[2], from, from + tonumber(ARGV[2]) - 1)
table.insert(entries, 1, 'OK')
return entries
