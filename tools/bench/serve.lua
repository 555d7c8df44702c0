-- serve.lua - wrk's request for tools/bench/serve.sh: POST /get-online-features
-- of the five features of view user_serving for ENTITIES random users
-- (u + the user number, zero-padded to WIDTH digits, 1..USERS), with a bearer
-- token on every request.
--
-- usage: wrk ... -s serve.lua URL -- ENTITIES USERS WIDTH TOKEN
--
-- The requests are made in init(), 4096 of them with their random users, and
-- request() hands them out in turn: wrk runs on the same cores as the server,
-- and formatting a body per request in Lua would take CPU from the server
-- that redis-benchmark (the peer, in C) does not take from redis.

local features = '"features":["user_serving:total_conversations",'
	.. '"user_serving:avg_response_rating","user_serving:preferred_language",'
	.. '"user_serving:user_embedding","user_serving:is_regular"]'

local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

local POOL = 4096
local requests, n = {}, 0
function init(args)
	local entities = tonumber(args[1])
	local users = tonumber(args[2])
	local id = "\"u%0" .. tonumber(args[3]) .. "d\""
	local headers = {
		["Content-Type"] = "application/json",
		["Authorization"] = "Bearer " .. args[4],
	}
	-- each thread its own sequence of users
	math.randomseed(os.time() * 100 + (tid or 0))
	local keys = {}
	for r = 1, POOL do
		for i = 1, entities do
			keys[i] = string.format(id, math.random(1, users))
		end
		local body = "{" .. features .. ',"entities":{"user_id":['
			.. table.concat(keys, ",", 1, entities) .. "]}}"
		requests[r] = wrk.format("POST", nil, headers, body)
	end
end

function request()
	n = n % POOL + 1
	return requests[n]
end
