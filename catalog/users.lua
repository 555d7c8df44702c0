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
  schema = {
    field("user_id", string),
    field("event_timestamp", timestamp),
    field("created_at", timestamp),
    field("total_conversations", int64),
    field("avg_response_rating", float32),
    field("preferred_language", string),
    field("user_embedding", array(float32, 16)),
  },
  description = "One row per finished conversation, with the user's running statistics.",
  owner = "chat-platform@example.com",
}

-- Rows the chat backend pushes as each conversation ends, so the features are
-- fresh before the next batch run; its columns are those of `conversations`.
push_source {
  name = "conversations_push",
  batch_source = conversations,
  description = "Conversation statistics pushed by the chat backend as they happen.",
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
  -- One cleaning step, run identically when materializing and in training sets.
  transform = function(row)
    local function or_null(v) if v == nil then return null end return v end
    local rating = row.avg_response_rating
    if rating ~= nil then rating = math.max(1.0, math.min(5.0, rating)) end
    local lang = row.preferred_language
    if lang ~= nil then lang = string.lower(lang) end
    return {
      total_conversations = or_null(row.total_conversations),
      avg_response_rating = or_null(rating),
      preferred_language = or_null(lang),
      user_embedding = or_null(row.user_embedding),
    }
  end,
  description = "What the assistant knows about a user, refreshed after each conversation.",
  owner = "personalization@example.com",
  tags = { team = "personalization" },
}

on_demand_view {
  name = "reply_style",
  sources = { "user_features" },
  request = { field("message_length", int64, { description = "words in the user's message" }) },
  schema = {
    field("is_regular", bool, { description = "more than 100 conversations so far" }),
    field("reply_length_hint", int64, { description = "suggested answer length, in words" }),
  },
  -- Computed at request time from the user's features and the message.
  transform = function(inputs)
    local total = inputs.total_conversations or 0
    local rating = inputs.avg_response_rating or 3.0
    local base = math.max(20, math.min(400, inputs.message_length * 2))
    local hint = base
    if rating < 3.0 then hint = base // 2 end
    return { is_regular = total > 100, reply_length_hint = math.floor(hint) }
  end,
  description = "How to shape the answer to this message for this user.",
  owner = "ranking@example.com",
}
