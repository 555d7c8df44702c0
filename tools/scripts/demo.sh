#!/usr/bin/env bash
# demo.sh - the README's first command: installs what is missing, builds, and
# runs the demo end to end on the embedded default stores.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

tools/scripts/deps.sh demo
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DFCAT_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)" >/dev/null
fcat=$root/build/release/fcat
datagen=$root/build/release/fcat-datagen

# the demo runs as the platform team's operator of policies/access.yaml
export FCAT_PRINCIPAL=fcat-operator

# shellcheck source=script_lib.sh
source tools/scripts/script_lib.sh

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

# each run starts from an empty online store: the row the last run pushed is
# newer than any generated one, and materialize keeps the newest
rm -rf data/online.lmdb
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
step "describe a view of window aggregations, computed by fcat itself" "$fcat" describe user_activity
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
step "the windowed counts as they were at each row's time: (T - window, T], exact" \
  "$fcat" get-historical --entities data/training_entities.csv --features user_activity \
  -o data/activity_set.csv
head -4 data/activity_set.csv
# the Python client: Debian's python3 has pandas (deps.sh demo); a python3
# first on PATH (pyenv, a venv) may not
python=$(pandas_python) ||
  { echo "demo: no python3 with pandas (apt-get install python3-pandas)" >&2; exit 1; }
step "the same from Python: Feast's calls over libfcat (tools/python/example.py)" \
  env FCAT_LIBRARY="$root/build/release/libfcat.so" "$python" tools/python/example.py
step "the versions of a feature" "$fcat" log user_features:user_embedding
step "lineage of the feature service" "$fcat" lineage chat_personalization

# fcat serve: Feast's JSON over HTTP, in the background on a free loopback
# port, stopped (SIGTERM) at the end of this part or whenever the demo exits
server=
stop_server() {
  if [[ -n $server ]]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=
  fi
}
trap stop_server EXIT
for _ in 1 2 3 4 5 6 7 8 9 10; do
  port=$(free_port)
  printf '\n\033[1m== %s\033[0m\n$ %s\n' "serve the applied catalog over HTTP, in Feast's JSON (in the background)" \
    "fcat --as fcat-operator serve --port $port --threads 2 2>data/serve.log &"
  "$fcat" --as fcat-operator serve --port "$port" --threads 2 2>data/serve.log &
  server=$!
  wait_ready "$server" http_ready "$port" && break
  stop_server   # lost a race for the port: another one
done
[[ -n $server ]] || { echo "demo: fcat serve did not start:" >&2; cat data/serve.log >&2; exit 1; }
cat data/serve.log

# http_step TITLE PATH BODY: POSTs BODY as JSON, printed as the curl command it runs
http_step() {
  local url="http://127.0.0.1:$port$2"
  printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" \
    "curl -s -X POST $url -H 'Content-Type: application/json' -d '$3'"
  local out rc=0
  out=$(curl -sS --fail-with-body -X POST "$url" -H 'Content-Type: application/json' -d "$3" \
    -w '\n%{http_code}') || rc=$?
  [[ -n ${out%$'\n'*} ]] && printf '%s\n' "${out%$'\n'*}"
  printf '(HTTP %s)\n' "${out##*$'\n'}"
  return $rc
}
features='"features":["user_features:total_conversations","user_features:avg_response_rating","user_features:preferred_language","user_activity:conversations_1h","user_activity:conversations_7d"]'
http_step "read a feature vector over HTTP: POST /get-online-features, as a Feast client sends it" \
  /get-online-features "{$features,\"entities\":{\"user_id\":[\"u0042\"]}}"
now=$(date -u '+%Y-%m-%d %H:%M:%S+00:00')
emb=$(printf '0.25,%.0s' {1..16})
http_step "the chat backend pushes u0042's new statistics: a rating out of range, the language in capitals" \
  /push "{\"push_source_name\":\"conversations_push\",\"df\":{\"user_id\":[\"u0042\"],\"event_timestamp\":[\"$now\"],\"created_at\":[\"$now\"],\"total_conversations\":[1000],\"avg_response_rating\":[7.5],\"preferred_language\":[\"FR\"],\"user_embedding\":[[${emb%,}]]},\"to\":\"online\"}"
http_step "read it back: the new value, through the view's transform (rating clamped to 5, language lowercased), and one more conversation in the last hour and week (user_activity's windows, computed at the moment of the read)" \
  /get-online-features "{$features,\"entities\":{\"user_id\":[\"u0042\"]}}"
printf '\n\033[1m== %s\033[0m\n$ %s\n' "stop the server: SIGTERM lets requests in flight finish, then it exits 0" \
  "kill -TERM $server; wait $server"
kill -TERM "$server"
status=0
wait "$server" || status=$?
server=
tail -n +2 data/serve.log
echo "fcat serve exited with status $status"
[[ $status -eq 0 ]] || exit 1

printf '\ndemo: done\n'
