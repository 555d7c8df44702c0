-- services.lua - the feature sets that models read, by use case.

feature_service {
  name = "chat_personalization",
  features = { "user_features", "user_activity" },
  description = "Everything the answer ranker reads about the user.",
  owner = "ranking@example.com",
}

feature_service {
  name = "chat_reply",
  features = { "user_features:preferred_language", "reply_style" },
  description = "What the reply generator reads: language and answer shape.",
  owner = "ranking@example.com",
}
