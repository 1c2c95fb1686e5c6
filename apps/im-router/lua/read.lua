-- read: moves A.uid's read watermark in the conversation with A.peer to A.gid (never backwards),
-- counts what is left unread, tells the user's other sessions, keeps a read receipt for each of
-- the peer's messages it covers, and sends the peer READ_RECEIPT. (outbox + request + im-lib first.)
--
-- ARGV[1] JSON A: P, K, R, now, uid, peer, gid, C = { key, id }, receiptTtl (s), receiptMax
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local P, K, C = A.P, A.K, A.C
local uid, peer = tostring(A.uid), tostring(A.peer)
local sep = P.separator
local wid = redis.call('HGET', C.key, 'w:' .. uid)
if not wid then return fail(A.R, 'NOT_FOUND', 'no such conversation') end
local last = tonumber(redis.call('HGET', C.key, 'seq') or '0')
if A.gid > last then return fail(A.R, 'NOT_FOUND', 'no such message') end
local window = P.window .. uid .. sep .. wid
local before = tonumber(redis.call('HGET', window, 'readGid') or '0')
if A.gid <= before then return ok(A.R) end
-- The history is newest first: the peer's messages after the new watermark are unread; those
-- between the old and the new one are read now. Everything is counted before anything is
-- written (a script that fails halfway keeps what it wrote).
local unread, covered = 0, {}
local from_peer = tonumber(peer)
for _, raw in ipairs(redis.call('LRANGE', P.windowMsgs .. uid .. sep .. wid, 0, -1)) do
  local decoded, m = pcall(cjson.decode, raw)
  local g = decoded and type(m) == 'table' and tonumber(m.gid)
  if g then
    if g <= before then break end
    if m.userId == from_peer then
      if g > A.gid then unread = unread + 1
      elseif #covered < A.receiptMax then covered[#covered + 1] = g end
    end
  end
end
redis.call('HSET', window, 'readGid', A.gid, 'unread', unread)
for _, g in ipairs(covered) do
  local key = K.receipt .. C.id .. '-' .. g
  redis.call('HSET', key, uid, A.now)
  redis.call('EXPIRE', key, A.receiptTtl)
end
tell(P, uid, { cjson.encode({ type = 'UPDATE_WINDOW', windowId = tonumber(wid), unread = unread, readGid = A.gid }) }, A.R and A.R.sessionId or '')
local pwid = redis.call('HGET', C.key, 'w:' .. peer)
if pwid then
  tell(P, peer, { cjson.encode({ type = 'READ_RECEIPT', windowId = tonumber(pwid), userId = tonumber(uid), gid = A.gid }) })
end
return ok(A.R)
