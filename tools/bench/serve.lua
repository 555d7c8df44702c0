-- serve.lua - wrk's request for tools/bench/serve.sh: POST /get-online-features
-- of the five features of view user_serving for ENTITIES random users
-- (u + the user number, zero-padded to WIDTH digits, 1..USERS), with a bearer
-- token on every request.
--
-- usage: wrk ... -s serve.lua URL -- ENTITIES USERS WIDTH TOKEN

local features = '"features":["user_serving:total_conversations",'
	.. '"user_serving:avg_response_rating","user_serving:preferred_language",'
	.. '"user_serving:user_embedding","user_serving:is_regular"]'

local threads = 0
function setup(thread)
	threads = threads + 1
	thread:set("tid", threads)
end

local entities, users, id
function init(args)
	entities = tonumber(args[1])
	users = tonumber(args[2])
	id = "\"u%0" .. tonumber(args[3]) .. "d\""
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
	wrk.headers["Authorization"] = "Bearer " .. args[4]
	-- each thread its own sequence of users
	math.randomseed(os.time() * 100 + (tid or 0))
end

local keys = {}
function request()
	for i = 1, entities do
		keys[i] = string.format(id, math.random(1, users))
	end
	local body = "{" .. features .. ',"entities":{"user_id":[' .. table.concat(keys, ",", 1, entities) .. "]}}"
	return wrk.format(nil, nil, nil, body)
end
