-- activity.lua - how active a user has been lately: windowed aggregations
-- that fcat computes itself, the same way for training sets, the online
-- store and pushed events.

feature_view {
  name = "user_activity",
  entities = { "user" },
  source = "conversations",
  online = true,
  -- the tile: events are kept and combined per user and hour
  aggregation_interval = hours(1),
  aggregations = {
    { fn = "count", window = hours(1), name = "conversations_1h" },
    { fn = "count", window = days(1), name = "conversations_1d" },
    { fn = "count", window = days(7), name = "conversations_7d" },
    { column = "avg_response_rating", fn = "mean", window = days(7) },
  },
  description = "Conversations in the last hour, day and week, and the week's mean rating.",
  owner = "personalization@example.com",
  tags = { team = "personalization" },
}
