# Functions behind ./dev: installing the local stack, and starting and stopping it as plain processes.
# Sourced by ./dev; expects ROOT to be the repository root.
# shellcheck shell=bash

CACHE_DIR="${MESSENGER_CACHE:-$HOME/.cache/messenger}"
KAFKA_VERSION="4.1.1"
FERRETDB_VERSION="v1.24.2"
PG_BIN="/usr/lib/postgresql/15/bin"
DEPLOY="$ROOT/deploy/local"

# Debian packages the build, the tests and the local stack need.
APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache git curl ca-certificates procps iproute2 openssl python3
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libboost1.81-dev libboost-json1.81-dev
  libpqxx-dev libhiredis-dev librdkafka-dev libmongoc-dev libbson-dev libsodium-dev libjwt-dev
  libspdlog-dev libgtest-dev libgmock-dev libcurl4-openssl-dev libssl-dev
  postgresql-15 postgresql-client-15 redis-server redis-tools
  openjdk-17-jre-headless maven
)

# The messenger's own programs, in start order. A program is started only once it has been built.
SERVICES=(auth users friends chat gateway)

log() { printf '\033[1;34m[dev]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[dev] error:\033[0m %s\n' "$*" >&2; exit 1; }

build_jobs() {
  local n
  n="$(nproc)"
  echo "${BUILD_JOBS:-$n}"
}

# ---------------------------------------------------------------------------------------------- setup

missing_apt_packages() {
  local p missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]}"
}

setup_apt() {
  local missing
  missing="$(missing_apt_packages)"
  [[ -z "$missing" ]] && return 0
  log "installing Debian packages: $missing"
  local sudo=""
  [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q >/dev/null
  # shellcheck disable=SC2086
  $sudo apt-get install -y -q --no-install-recommends $missing >/dev/null
}

kafka_home() { echo "$CACHE_DIR/kafka/$KAFKA_VERSION"; }

setup_kafka() {
  local home
  home="$(kafka_home)"
  [[ -f "$home/.complete" ]] && return 0
  command -v mvn >/dev/null || die "maven is missing (apt-get install maven)"
  log "fetching the Apache Kafka $KAFKA_VERSION broker jars from Maven Central"
  rm -rf "$home"
  mkdir -p "$home/libs"
  mvn -B -q -f "$DEPLOY/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    -Dmaven.repo.local="$CACHE_DIR/m2" dependency:copy-dependencies \
    -DoutputDirectory="$home/libs" -DincludeScope=runtime >"$CACHE_DIR/kafka-fetch.log" 2>&1 || {
    cat "$CACHE_DIR/kafka-fetch.log" >&2
    die "could not fetch the Kafka jars"
  }
  touch "$home/.complete"
}

ferretdb_bin() { echo "$CACHE_DIR/bin/ferretdb-$FERRETDB_VERSION"; }

setup_ferretdb() {
  local bin
  bin="$(ferretdb_bin)"
  [[ -x "$bin" ]] && return 0
  local go_cmd
  go_cmd="$(command -v go || true)"
  [[ -z "$go_cmd" && -x /usr/local/go/bin/go ]] && go_cmd=/usr/local/go/bin/go
  [[ -n "$go_cmd" ]] || die "Go is needed to build FerretDB and was not found"
  log "building FerretDB $FERRETDB_VERSION from the Go module proxy"
  export GOPATH="$CACHE_DIR/go" GOMODCACHE="$CACHE_DIR/go/mod" GOCACHE="$CACHE_DIR/go/build" GOFLAGS=-buildvcs=false
  local src="$CACHE_DIR/src/ferretdb-$FERRETDB_VERSION"
  if [[ ! -f "$src/go.mod" ]]; then
    "$go_cmd" mod download -x "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" >"$CACHE_DIR/ferretdb-fetch.log" 2>&1 || {
      cat "$CACHE_DIR/ferretdb-fetch.log" >&2
      die "could not download the FerretDB module"
    }
    local mod_dir
    mod_dir="$("$go_cmd" mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" |
      sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
    rm -rf "$src"
    mkdir -p "$(dirname "$src")"
    cp -r "$mod_dir" "$src"
    chmod -R u+w "$src"
  fi
  # The module ships without its generated version file, which FerretDB refuses to start without.
  echo "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  mkdir -p "$CACHE_DIR/bin"
  (cd "$src" && "$go_cmd" build -o "$bin.tmp" ./cmd/ferretdb) >>"$CACHE_DIR/ferretdb-fetch.log" 2>&1 || {
    cat "$CACHE_DIR/ferretdb-fetch.log" >&2
    die "could not build FerretDB"
  }
  mv "$bin.tmp" "$bin"
}

# The local OpenID Connect provider's packages, installed from its lock file into the cache.
oidc_home() { echo "$CACHE_DIR/oidc/$(md5sum <"$DEPLOY/oidc/package-lock.json" | cut -c1-12)"; }

setup_oidc() {
  local home
  home="$(oidc_home)"
  [[ -f "$home/.complete" ]] && return 0
  command -v node >/dev/null && command -v npm >/dev/null || die "Node.js and npm are needed for the local OpenID provider"
  log "installing the local OpenID Connect provider (oidc-provider from the npm registry)"
  rm -rf "$home"
  mkdir -p "$home"
  cp "$DEPLOY/oidc/package.json" "$DEPLOY/oidc/package-lock.json" "$home/"
  (cd "$home" && npm ci --no-audit --no-fund --prefer-offline --cache "$CACHE_DIR/npm") >"$CACHE_DIR/oidc-install.log" 2>&1 || {
    cat "$CACHE_DIR/oidc-install.log" >&2
    die "npm ci for the OpenID provider failed"
  }
  touch "$home/.complete"
}

cmd_setup() {
  mkdir -p "$CACHE_DIR"
  setup_apt
  setup_kafka
  setup_ferretdb
  setup_oidc
  [[ -n "${SETUP_HOOKS:-}" ]] && eval "$SETUP_HOOKS"
  return 0
}

# ------------------------------------------------------------------------------------------- profiles

# use_profile dev|test: sets the ports and directories of one stack. The two never overlap, so the test
# stack can run beside a running ./dev up.
use_profile() {
  PROFILE="$1"
  case "$PROFILE" in
    dev)
      PG_PORT=15432 REDIS_PORT=16379 KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093
      MONGO_PORT=17017 FERRETDB_DEBUG_PORT=17088 GATEWAY_PORT=8080 OIDC_PORT=19400
      AUTH_PORT=50051 USERS_PORT=50052 FRIENDS_PORT=50053 CHAT_PORT=50054
      ;;
    test)
      PG_PORT=25432 REDIS_PORT=26379 KAFKA_PORT=29092 KAFKA_CONTROLLER_PORT=29093
      MONGO_PORT=27117 FERRETDB_DEBUG_PORT=27188 GATEWAY_PORT=18080 OIDC_PORT=29400
      AUTH_PORT=51051 USERS_PORT=51052 FRIENDS_PORT=51053 CHAT_PORT=51054
      ;;
    bench)
      PG_PORT=35432 REDIS_PORT=36379 KAFKA_PORT=39092 KAFKA_CONTROLLER_PORT=39093
      MONGO_PORT=37117 FERRETDB_DEBUG_PORT=37188 GATEWAY_PORT=28080 OIDC_PORT=39400
      AUTH_PORT=52051 USERS_PORT=52052 FRIENDS_PORT=52053 CHAT_PORT=52054
      ;;
    *) die "unknown profile '$PROFILE' (dev, test or bench)" ;;
  esac
  # MESSENGER_PORT_OFFSET shifts every port, so that a second checkout can run its own stack beside this one.
  local offset="${MESSENGER_PORT_OFFSET:-0}" var
  if [[ "$offset" != 0 ]]; then
    for var in PG_PORT REDIS_PORT KAFKA_PORT KAFKA_CONTROLLER_PORT MONGO_PORT FERRETDB_DEBUG_PORT GATEWAY_PORT \
      OIDC_PORT AUTH_PORT USERS_PORT FRIENDS_PORT CHAT_PORT; do
      printf -v "$var" '%s' "$((${!var} + offset))"
    done
  fi
  RUN_DIR="$ROOT/.run/$PROFILE"
  LOG_DIR="$RUN_DIR/logs"
  PID_DIR="$RUN_DIR/pids"
  if [[ "$(id -u)" -eq 0 ]]; then
    # PostgreSQL will not run as root; its data lives where the postgres user can reach it.
    PG_DATA="/var/tmp/messenger-$(echo -n "$ROOT" | md5sum | cut -c1-8)-$PROFILE/pgdata"
  else
    PG_DATA="$RUN_DIR/pgdata"
  fi
  KAFKA_DATA="$RUN_DIR/kafka"
  REDIS_DATA="$RUN_DIR/redis"
  FERRETDB_DATA="$RUN_DIR/ferretdb"
  mkdir -p "$LOG_DIR" "$PID_DIR"
}

# The environment every messenger process and test reads (see README.md, "Configuration").
service_env() {
  local providers=local
  # The test stack also registers "tamper": the same provider seen through the OAuth tests' tampering proxy,
  # which listens on OIDC_PORT + 1 while those tests run.
  [[ "$PROFILE" == test ]] && providers=local,tamper
  cat <<EOF
PG_HOST=127.0.0.1
PG_PORT=$PG_PORT
PG_USER=messenger
REDIS_HOST=127.0.0.1
REDIS_PORT=$REDIS_PORT
KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
MONGO_URI=mongodb://127.0.0.1:$MONGO_PORT/?appname=messenger
AUTH_ADDR=127.0.0.1:$AUTH_PORT
USERS_ADDR=127.0.0.1:$USERS_PORT
FRIENDS_ADDR=127.0.0.1:$FRIENDS_PORT
CHAT_ADDR=127.0.0.1:$CHAT_PORT
GATEWAY_URL=http://127.0.0.1:$GATEWAY_PORT
GATEWAY_PORT=$GATEWAY_PORT
GATEWAY2_URL=http://127.0.0.1:$((GATEWAY_PORT + 1))
JWT_PRIVATE_KEY_FILE=$RUN_DIR/keys/jwt-private.pem
JWT_PUBLIC_KEY_FILE=$RUN_DIR/keys/jwt-public.pem
OAUTH_PROVIDERS=$providers
OAUTH_LOCAL_ISSUER=http://127.0.0.1:$OIDC_PORT
OAUTH_LOCAL_CLIENT_ID=messenger-local
OAUTH_LOCAL_CLIENT_SECRET=messenger-local-secret
OAUTH_LOCAL_SCOPES=openid email profile
OAUTH_LOCAL_REDIRECT_URI=http://127.0.0.1:$GATEWAY_PORT/v1/auth/oauth/local/callback
OIDC_URL=http://127.0.0.1:$OIDC_PORT
OAUTH_TAMPER_ISSUER=http://127.0.0.1:$OIDC_PORT
OAUTH_TAMPER_DISCOVERY_URL=http://127.0.0.1:$((OIDC_PORT + 1))/.well-known/openid-configuration
OAUTH_TAMPER_CLIENT_ID=messenger-local
OAUTH_TAMPER_CLIENT_SECRET=messenger-local-secret
OAUTH_TAMPER_SCOPES=openid email profile
OAUTH_TAMPER_REDIRECT_URI=http://127.0.0.1:$GATEWAY_PORT/v1/auth/oauth/tamper/callback
MESSENGER_DEV=$ROOT/dev
MESSENGER_PROFILE=$PROFILE
EOF
}

# For `eval "$(./dev env test)"`: values shell-quoted.
print_env() {
  local line
  while IFS= read -r line; do printf '%s=%q\n' "${line%%=*}" "${line#*=}"; done < <(service_env)
}

export_test_env() {
  local line
  while IFS= read -r line; do export "${line?}"; done < <(service_env)
}

wipe_profile_data() {
  run_as_pg rm -rf "$PG_DATA"
  rm -rf "$KAFKA_DATA" "$REDIS_DATA" "$FERRETDB_DATA" "$LOG_DIR" "$PID_DIR"
  mkdir -p "$LOG_DIR" "$PID_DIR"
}

# ------------------------------------------------------------------------------------------ processes

run_as_pg() {
  if [[ "$(id -u)" -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local name="$1" port="$2" timeout="${3:-60}" i
  for ((i = 0; i < timeout * 10; i++)); do
    port_open "$port" && return 0
    if [[ -n "${4:-}" ]] && ! kill -0 "$4" 2>/dev/null; then
      tail -n 30 "$LOG_DIR/$name.log" >&2 || true
      die "$name exited during startup (log: $LOG_DIR/$name.log)"
    fi
    sleep 0.1
  done
  tail -n 30 "$LOG_DIR/$name.log" >&2 || true
  die "$name did not open port $port within ${timeout}s (log: $LOG_DIR/$name.log)"
}

pid_of() {
  local f="$PID_DIR/$1.pid"
  [[ -f "$f" ]] || return 1
  local pid
  pid="$(cat "$f")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# start_process NAME PORT CMD...: runs CMD in its own session, logs to LOG_DIR/NAME.log.
start_process() {
  local name="$1" port="$2"
  shift 2
  if pid_of "$name" >/dev/null; then
    return 0
  fi
  port_open "$port" && die "port $port for $name is taken by another process"
  setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$PID_DIR/$name.pid"
}

stop_process() {
  local name="$1" pid i
  pid="$(pid_of "$name")" || { rm -f "$PID_DIR/$name.pid"; return 0; }
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_DIR/$name.pid"
}

# -------------------------------------------------------------------------------------- infrastructure

PG_DATABASES=(messenger auth users friends ferretdb)

postgres_up() {
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    log "initialising PostgreSQL in $PG_DATA"
    mkdir -p "$PG_DATA"
    [[ "$(id -u)" -eq 0 ]] && chown -R postgres:postgres "$(dirname "$PG_DATA")"
    run_as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U messenger --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$LOG_DIR/postgres-init.log" 2>&1 || { cat "$LOG_DIR/postgres-init.log"; die "initdb failed"; }
  fi
  if ! run_as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    touch "$LOG_DIR/postgres.log"
    [[ "$(id -u)" -eq 0 ]] && chown postgres "$LOG_DIR/postgres.log"
    local fsync=on
    [[ "$PROFILE" == test ]] && fsync=off
    run_as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$LOG_DIR/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_DATA -c max_connections=300 -c fsync=$fsync -c shared_buffers=256MB" \
      start >/dev/null || { tail -n 30 "$LOG_DIR/postgres.log"; die "PostgreSQL did not start"; }
  fi
  run_as_pg cat "$PG_DATA/postmaster.pid" 2>/dev/null | head -1 >"$PID_DIR/postgres.pid"
  local db
  for db in "${PG_DATABASES[@]}"; do
    psql -h 127.0.0.1 -p "$PG_PORT" -U messenger -d postgres -tAq \
      -c "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 ||
      psql -h 127.0.0.1 -p "$PG_PORT" -U messenger -d postgres -q -c "CREATE DATABASE \"$db\"" >/dev/null
  done
}

postgres_down() {
  [[ -f "$PG_DATA/PG_VERSION" ]] || { rm -f "$PID_DIR/postgres.pid"; return 0; }
  run_as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1 &&
    run_as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  rm -f "$PID_DIR/postgres.pid"
}

redis_up() {
  mkdir -p "$REDIS_DATA"
  local persist=(--appendonly yes --save "")
  [[ "$PROFILE" != dev ]] && persist=(--appendonly no --save "")
  start_process redis "$REDIS_PORT" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DATA" \
    "${persist[@]}" --daemonize no --protected-mode yes
  wait_port redis "$REDIS_PORT" 30 "$(pid_of redis || true)"
}

kafka_properties() {
  cat <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DATA/logs
num.partitions=4
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
EOF
}

KAFKA_JVM_OPTS=(-Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true
  "-Dlog4j2.configurationFile=$DEPLOY/kafka/log4j2.properties")

kafka_java() { java "${KAFKA_JVM_OPTS[@]}" -cp "$(kafka_home)/libs/*" "$@"; }

kafka_up() {
  mkdir -p "$KAFKA_DATA"
  kafka_properties >"$KAFKA_DATA/server.properties"
  if [[ ! -f "$KAFKA_DATA/logs/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DATA/server.properties" \
      >"$LOG_DIR/kafka-format.log" 2>&1 || { cat "$LOG_DIR/kafka-format.log"; die "kafka storage format failed"; }
  fi
  start_process kafka "$KAFKA_PORT" java "${KAFKA_JVM_OPTS[@]}" -cp "$(kafka_home)/libs/*" \
    kafka.Kafka "$KAFKA_DATA/server.properties"
  wait_port kafka "$KAFKA_PORT" 90 "$(pid_of kafka || true)"
}

ferretdb_up() {
  mkdir -p "$FERRETDB_DATA"
  start_process ferretdb "$MONGO_PORT" "$(ferretdb_bin)" --handler=postgresql \
    --postgresql-url="postgres://messenger@127.0.0.1:$PG_PORT/ferretdb" \
    --listen-addr="127.0.0.1:$MONGO_PORT" --debug-addr="127.0.0.1:$FERRETDB_DEBUG_PORT" \
    --state-dir="$FERRETDB_DATA" --telemetry=disable --log-level=warn
  wait_port ferretdb "$MONGO_PORT" 30 "$(pid_of ferretdb || true)"
}

# The local OpenID Connect provider, registered with Auth as provider "local". The test profile also
# accepts generated test accounts (see deploy/local/oidc/server.mjs).
oidc_up() {
  local home redirects
  home="$(oidc_home)"
  cp "$DEPLOY/oidc/server.mjs" "$home/server.mjs"
  local gw2=$((GATEWAY_PORT + 1))
  redirects="http://127.0.0.1:$GATEWAY_PORT/v1/auth/oauth/local/callback,http://127.0.0.1:$gw2/v1/auth/oauth/local/callback"
  redirects+=",http://127.0.0.1:$GATEWAY_PORT/v1/auth/oauth/tamper/callback,http://127.0.0.1:$gw2/v1/auth/oauth/tamper/callback"
  local test_accounts=0
  [[ "$PROFILE" == test ]] && test_accounts=1
  start_process oidc "$OIDC_PORT" env OIDC_PORT="$OIDC_PORT" OIDC_REDIRECT_URIS="$redirects" \
    OIDC_TEST_ACCOUNTS="$test_accounts" node "$home/server.mjs"
  wait_port oidc "$OIDC_PORT" 30 "$(pid_of oidc || true)"
}

stack_up() {
  log "starting the $PROFILE stack: PostgreSQL :$PG_PORT, Redis :$REDIS_PORT, Kafka :$KAFKA_PORT, FerretDB :$MONGO_PORT, OpenID provider :$OIDC_PORT"
  ensure_keys
  postgres_up
  redis_up
  kafka_up
  ferretdb_up
  oidc_up
}

# The ES256 key pair Auth signs access tokens with; the gateway holds only the public half.
ensure_keys() {
  local dir="$RUN_DIR/keys"
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [[ ! -f "$dir/jwt-private.pem" ]]; then
    openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$dir/jwt-private.pem"
    openssl ec -in "$dir/jwt-private.pem" -pubout -out "$dir/jwt-public.pem" 2>/dev/null
    chmod 600 "$dir/jwt-private.pem"
  fi
}

# ctl start|stop NAME: one piece of a running stack, for tests that take a server away and bring it back.
stack_ctl() {
  local action="$1" name="$2"
  case "$action:$name" in
    stop:kafka | stop:redis | stop:ferretdb) stop_process "$name" ;;
    start:kafka) kafka_up ;;
    start:redis) redis_up ;;
    start:ferretdb) ferretdb_up ;;
    stop:oidc) stop_process oidc ;;
    start:oidc) oidc_up ;;
    stop:postgres) postgres_down ;;
    start:postgres) postgres_up ;;
    *) die "usage: ./dev ctl PROFILE start|stop postgres|redis|kafka|ferretdb|oidc" ;;
  esac
}

stack_down() {
  stop_process oidc
  stop_process ferretdb
  stop_process kafka
  stop_process redis
  postgres_down
}

# ------------------------------------------------------------------------------------------- services

service_port() {
  case "$1" in
    auth) echo "$AUTH_PORT" ;; users) echo "$USERS_PORT" ;; friends) echo "$FRIENDS_PORT" ;;
    chat) echo "$CHAT_PORT" ;; gateway) echo "$GATEWAY_PORT" ;;
  esac
}

# How many gateways run: GATEWAY_INSTANCES (default 1 for ./dev up; the test stack always runs 2 so that the
# multi-gateway tests have a second one). Gateway N listens on GATEWAY_PORT + N - 1.
gateway_instances() {
  if [[ "$PROFILE" == test ]]; then echo 2; else echo "${GATEWAY_INSTANCES:-1}"; fi
}

gateway_name() { if [[ "$1" -eq 1 ]]; then echo gateway; else echo "gateway$1"; fi; }

wait_ready() {
  local name="$1" port="$2" i
  for ((i = 0; i < 600; i++)); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    pid_of "$name" >/dev/null || break
    sleep 0.1
  done
  tail -n 30 "$LOG_DIR/$name.log" >&2 || true
  die "$name did not become ready on :$port (log: $LOG_DIR/$name.log)"
}

# A running service whose binary was rebuilt after it started is stopped, so that `./dev up` after a code
# change runs the new code.
stop_if_rebuilt() {
  local name="$1" bin="$2"
  pid_of "$name" >/dev/null || return 0
  if [[ "$bin" -nt "$PID_DIR/$name.pid" ]]; then
    log "$name was rebuilt: restarting it"
    stop_process "$name"
  fi
}

services_up() {
  local build_dir="$1" svc bin
  local envs=()
  mapfile -t envs < <(service_env)
  for svc in "${SERVICES[@]}"; do
    [[ "$svc" == gateway ]] && continue
    bin="$build_dir/services/$svc/messenger-$svc"
    [[ -x "$bin" ]] || continue
    stop_if_rebuilt "$svc" "$bin"
    start_process "$svc" "$(service_port "$svc")" env "${envs[@]}" \
      "LISTEN_PORT=$(service_port "$svc")" "$bin"
    wait_port "$svc" "$(service_port "$svc")" 60 "$(pid_of "$svc" || true)"
  done
  bin="$build_dir/services/gateway/messenger-gateway"
  [[ -x "$bin" ]] || return 0
  local n name port
  for ((n = 1; n <= $(gateway_instances); n++)); do
    name="$(gateway_name "$n")"
    port=$((GATEWAY_PORT + n - 1))
    stop_if_rebuilt "$name" "$bin"
    # Each socket is a file descriptor: room for the idle-socket benchmark's 10,000 connections.
    start_process "$name" "$port" bash -c 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"' _ \
      env "${envs[@]}" "LISTEN_PORT=$port" "GATEWAY_INSTANCE_ID=$PROFILE-$n" "$bin"
    wait_port "$name" "$port" 60 "$(pid_of "$name" || true)"
  done
  for ((n = 1; n <= $(gateway_instances); n++)); do
    wait_ready "$(gateway_name "$n")" $((GATEWAY_PORT + n - 1))
  done
}

services_down() {
  local i
  for ((i = 8; i >= 2; i--)); do stop_process "gateway$i"; done
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do stop_process "${SERVICES[i]}"; done
}

stack_status() {
  local name port pid
  for name in postgres redis kafka ferretdb oidc "${SERVICES[@]}" gateway2 gateway3 gateway4; do
    case "$name" in
      oidc) port=$OIDC_PORT ;;
      gateway[2-9]) port=$((GATEWAY_PORT + ${name#gateway} - 1)) ;;
      postgres) port=$PG_PORT ;; redis) port=$REDIS_PORT ;; kafka) port=$KAFKA_PORT ;;
      ferretdb) port=$MONGO_PORT ;; *) port="$(service_port "$name")" ;;
    esac
    if pid="$(pid_of "$name")"; then
      printf '%-8s %-10s %-7s %-8s %s\n' "$PROFILE" "$name" "$port" "$pid" "$LOG_DIR/$name.log"
    fi
  done
}

show_logs() {
  local name="$1"
  if [[ -n "$name" ]]; then
    [[ -f "$LOG_DIR/$name.log" ]] || die "no log for '$name' in $LOG_DIR"
    cat "$LOG_DIR/$name.log"
  else
    tail -n 50 "$LOG_DIR"/*.log
  fi
}

tail_service_logs() {
  local svc
  for svc in "${SERVICES[@]}" gateway2; do
    [[ -f "$LOG_DIR/$svc.log" ]] || continue
    echo "----- $svc -----" >&2
    tail -n 40 "$LOG_DIR/$svc.log" >&2
  done
}
