-- notes: the per-window notes of one user (MAS's notelist / note), versioned: an edit or a delete
-- names the version it is based on, and is refused with CONFLICT when the note has moved on.
-- (outbox lib + rooms-lib first.)
--
-- KEYS[1] notelist:<userId>:<windowId>  KEYS[2] note:<noteId>  KEYS[3] window:<userId>:<windowId>
-- ARGV[1] JSON: P, R, uid, wid, op ('add' | 'edit' | 'delete'), noteId, ver, nick, text, now
-- The user's other sessions get UPDATE_NOTE / DELETE_NOTE.
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
-- In the same step as the write: a window closed meanwhile gets no stray note.
if redis.call('EXISTS', KEYS[3]) == 0 then return fail(A.R, 'NOT_FOUND', 'no such window') end
local function echo(body) tell(A.P, tostring(A.uid), { cjson.encode(body) }, A.R.sessionId) end
local function noted(ver)
  echo({ type = 'UPDATE_NOTE', windowId = A.wid, note = { noteId = A.noteId, ver = ver, nick = A.nick, ts = A.now, text = A.text } })
end
if A.op == 'add' then
  redis.call('SADD', KEYS[1], A.noteId)
  redis.call('HSET', KEYS[2], 'ver', 1, 'nick', A.nick, 'timestamp', A.now, 'msg', A.text)
  noted(1)
  return ok(A.R, '"noteId":' .. cjson.encode(A.noteId) .. ',"ver":1')
end
if redis.call('SISMEMBER', KEYS[1], A.noteId) == 0 then return fail(A.R, 'NOT_FOUND', 'no such note in this window') end
local ver = tonumber(redis.call('HGET', KEYS[2], 'ver'))
if not ver then return fail(A.R, 'NOT_FOUND', 'no such note in this window') end
if ver ~= A.ver then return fail(A.R, 'CONFLICT', 'the note was changed meanwhile (now version ' .. ver .. ')') end
if A.op == 'edit' then
  redis.call('HSET', KEYS[2], 'ver', ver + 1, 'nick', A.nick, 'timestamp', A.now, 'msg', A.text)
  noted(ver + 1)
  return ok(A.R, '"ver":' .. (ver + 1))
end
redis.call('SREM', KEYS[1], A.noteId)
redis.call('DEL', KEYS[2])
echo({ type = 'DELETE_NOTE', windowId = A.wid, noteId = A.noteId })
return ok(A.R, '')
