-- create: a new room; its creator is its owner and gets its window. (outbox lib + rooms-lib first.)
--
-- KEYS[1] group:<room>  KEYS[2] groupmembers:<room>  KEYS[3] grouproles:<room>  KEYS[4] groupwindows:<room>
-- KEYS[8] groupbots:<room> (emptied: a new room has no bots, whatever an older room of the name left)
-- ARGV[1] JSON: P, R, uid, nick, name (as typed), suffix (windowlist entry after the id),
--         passwordHash ('' for none), now
-- Answers { windowId } or ERROR_EXISTS.
local A = cjson.decode(ARGV[1])
if answered(A.R) then return 'DONE' end
local uid = tostring(A.uid)
if redis.call('EXISTS', KEYS[1]) == 1 then return fail(A.R, 'ERROR_EXISTS', 'a room of that name exists') end
local policy = 'open'
if A.passwordHash ~= '' then policy = 'password' end
redis.call('HSET', KEYS[1], 'owner', uid, 'name', A.name, 'topic', '', 'policy', policy, 'nextgid', 0, 'created', A.now)
if A.passwordHash ~= '' then redis.call('HSET', KEYS[1], 'password', A.passwordHash) end
if KEYS[8] then redis.call('DEL', KEYS[8]) end
redis.call('SADD', KEYS[2], uid)
redis.call('HSET', KEYS[3], uid, '*' .. A.nick)
local wid = make_window(A.P, uid, A.name, A.suffix, '*', '')
redis.call('HSET', KEYS[4], uid, wid)
tell(A.P, uid, {
  add_window_json(wid, A.name, '', '*'),
  cjson.encode({ type = 'UPDATE_MEMBERS', windowId = wid, reset = true, members = members_of(KEYS[3]) }),
})
return ok(A.R, '"windowId":' .. wid)
