-- delete: remove an object (hash, id, index entries) and deal with its declared dependants
-- (removed, or the field that names it removed), in one step. (lib.lua first.)
--
-- ARGV[1] JSON: P, id, deps = [{ P (the dependant type's), field, references ('id' or a field of
-- this type, indexed), onDelete ('cascade' | 'detach') }]
-- Returns { 1, dependants touched } when it existed, { 0, 0 } when it did not.
local A = cjson.decode(ARGV[1])
local id = tostring(A.id)
local existed = redis.call('EXISTS', A.P.hash .. id)
local touched = drop_dependants(A.P, id, A.deps)
unindex(A.P, id)
redis.call('DEL', A.P.hash .. id)
redis.call('SREM', A.P.ids, id)
return { existed, touched }
