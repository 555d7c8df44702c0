#!/usr/bin/env bash
# demo.sh - the README's first command: installs what is missing, builds, and
# runs the demo end to end on the embedded default stores.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

tools/scripts/deps.sh build
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DFCAT_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)" >/dev/null
fcat=$root/build/release/fcat
datagen=$root/build/release/fcat-datagen

# the demo runs as the platform team's operator of policies/access.yaml
export FCAT_PRINCIPAL=fcat-operator

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

mkdir -p data
step "generate the sample data (deterministic)" \
  "$datagen" --users 1000 --rows-per-user 10 -o data/conversations.csv
head -3 data/conversations.csv | cut -c1-150
step "validate the definitions in the work tree" "$fcat" validate
step "apply the committed catalog (HEAD) as the version stores serve" "$fcat" apply
step "plan: what applying HEAD would change now" "$fcat" plan
step "list the features" "$fcat" list features
step "list the views" "$fcat" list views
step "describe a feature view" "$fcat" describe user_features
step "describe the feature service as JSON" "$fcat" describe chat_personalization --json
step "materialize the last 30 days into the online store (LMDB)" \
  "$fcat" materialize "$(date -u -d '30 days ago' +%Y-%m-%dT00:00:00Z)" now
step "read a feature vector back, as a service would" \
  "$fcat" get-online --service chat_personalization --entity user_id=u0001 --entity user_id=u0042
step "the same in Feast's JSON shape" \
  "$fcat" get-online --features user_features:total_conversations,user_features:preferred_language \
  --entity user_id=u0001 --json
step "an on-demand view, computed at request time from request data" \
  "$fcat" get-online --service chat_reply --entity user_id=u0001 --request message_length=40
step "prove batch and serving agree: offline vs online for 10,000 sampled keys and times" \
  "$fcat" verify --sample 10000
step "policies: a data scientist is refused the personal (pii) feature" \
  "$fcat" --as alice get-online --features user_features:preferred_language \
  --entity user_id=u0001 || true
step "... and why" "$fcat" policy explain alice read_online feature:user_features:preferred_language
step "the serving service reads it through its feature service" \
  "$fcat" --as ranking-service get-online --service chat_personalization --entity user_id=u0001
step "the policies' own test cases" "$fcat" policy test
step "both decisions are in the audit log" grep preferred_language data/audit.log
awk -F, 'NR == 1 { print "user_id,event_timestamp,message_length,clicked"; next }
         NR % 100 == 0 { print $1 "," $2 "," (NR / 100) % 50 + 1 "," (NR / 100) % 2 }' \
  data/conversations.csv > data/training_entities.csv
step "a training set: each labelled row joined with the features as they were then" \
  "$fcat" get-historical --entities data/training_entities.csv --service chat_reply \
  -o data/training_set.csv
head -4 data/training_set.csv
step "the versions of a feature" "$fcat" log user_features:user_embedding
step "lineage of the feature service" "$fcat" lineage chat_personalization
printf '\ndemo: done\n'
