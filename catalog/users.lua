-- users.lua - who the assistant talks to, and what it knows about them.

local user = entity {
  name = "user",
  join_keys = { field("user_id", string) },
  description = "A person chatting with the assistant.",
  owner = "personalization@example.com",
}

local conversations = source {
  name = "conversations",
  path = "data/conversations.csv",
  timestamp_field = "event_timestamp",
  created_timestamp_field = "created_at",
  description = "One row per finished conversation, with the user's running statistics.",
  owner = "chat-platform@example.com",
}

feature_view {
  name = "user_features",
  entities = { user },
  source = conversations,
  ttl = days(7),
  online = true,
  schema = {
    field("total_conversations", int64, { description = "conversations so far" }),
    field("avg_response_rating", float32, { description = "mean rating of answers, 1-5" }),
    field("preferred_language", string, { description = "language the user writes in",
                                          tags = { pii = "true" } }),
    field("user_embedding", array(float32, 16), { description = "taste embedding" }),
  },
  description = "What the assistant knows about a user, refreshed after each conversation.",
  owner = "personalization@example.com",
  tags = { team = "personalization" },
}
