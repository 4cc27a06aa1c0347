// messenger-auth: composition root. Reads the configuration, builds the objects, wires them, serves.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stop_token>
#include <string>
#include <thread>

#include "auth/api/auth_grpc_service.hpp"
#include "auth/clients/users_nickname_registry.hpp"
#include "auth/domain/auth_service.hpp"
#include "auth/domain/oauth_service.hpp"
#include "auth/oidc/curl_http_client.hpp"
#include "auth/oidc/oidc_identity_provider.hpp"
#include "auth/security/argon2_password_hasher.hpp"
#include "auth/security/bounded_executor.hpp"
#include "auth/security/pooled_password_hasher.hpp"
#include "auth/storage/pg_account_repository.hpp"
#include "auth/storage/redis_oauth_state_store.hpp"
#include "auth/storage/redis_session_store.hpp"
#include "auth/storage/redis_throttle.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/grpc_server.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/common/logging.hpp"
#include "messenger/common/shutdown.hpp"
#include "messenger/kafka/admin.hpp"
#include "messenger/kafka/topics.hpp"
#include "messenger/outbox/kafka_publisher.hpp"
#include "messenger/outbox/outbox.hpp"
#include "messenger/outbox/relay.hpp"
#include "messenger/pg/migrations.hpp"
#include "messenger/pg/pool.hpp"
#include "messenger/redis/client.hpp"
#include "messenger/token/token.hpp"

#ifndef AUTH_MIGRATIONS_DIR
#define AUTH_MIGRATIONS_DIR "migrations"
#endif

namespace {

int Fail(const char* what, const messenger::Status& status) {
  messenger::log::Error(what, {{"error", status.ToString()}});
  return EXIT_FAILURE;
}

messenger::StatusOr<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return messenger::NotFoundError("cannot read key file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Creates the topic, retrying in the background while Kafka is unreachable; events wait in the outbox.
void EnsureTopicUntilDone(const std::string& brokers, const std::string& topic, std::stop_token stop) {
  using namespace std::chrono_literals;
  while (!stop.stop_requested()) {
    const messenger::Status status = messenger::kafka::EnsureTopics(brokers, {{topic}}, 10s);
    if (status.ok()) return;
    messenger::log::Warn("cannot create the events topic yet",
                         {{"topic", topic}, {"error", status.ToString()}});
    for (int i = 0; i < 50 && !stop.stop_requested(); ++i) std::this_thread::sleep_for(100ms);
  }
}

}  // namespace

int main() {
  using namespace messenger;
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  BlockShutdownSignals();
  log::Init("auth");

  const std::string listen =
      EnvString("LISTEN_HOST", "127.0.0.1") + ":" + std::to_string(EnvInt("LISTEN_PORT", 50051));
  const std::string brokers = KafkaSettings::FromEnv().brokers;
  SystemClock clock;

  // Access tokens.
  auto private_pem = ReadKeyFile(EnvString("JWT_PRIVATE_KEY_FILE", ".run/dev/keys/jwt-private.pem"));
  if (!private_pem.ok()) return Fail("no JWT private key", private_pem.status());
  auto public_pem = ReadKeyFile(EnvString("JWT_PUBLIC_KEY_FILE", ".run/dev/keys/jwt-public.pem"));
  if (!public_pem.ok()) return Fail("no JWT public key", public_pem.status());
  const std::string issuer = EnvString("JWT_ISSUER", "messenger-auth");
  const std::string audience = EnvString("JWT_AUDIENCE", "messenger-api");
  auto signer = token::Signer::Create(*private_pem, issuer, audience,
                                      seconds(EnvInt("ACCESS_TOKEN_TTL_S", 900)), clock);
  if (!signer.ok()) return Fail("bad JWT private key or settings", signer.status());
  auto verifier = token::Verifier::Create(*public_pem, issuer, audience, clock);
  if (!verifier.ok()) return Fail("bad JWT public key or settings", verifier.status());
  if ((*signer)->key_id() != (*verifier)->key_id()) {
    return Fail("JWT key files", InvalidArgumentError("the public key does not belong to the private key"));
  }

  // Passwords: argon2id on a bounded pool.
  auth::Argon2Params argon2;
  argon2.memory_kib =
      static_cast<uint64_t>(EnvInt("PASSWORD_HASH_MEMORY_KIB", auth::Argon2Params::kMinMemoryKib));
  argon2.iterations =
      static_cast<uint64_t>(EnvInt("PASSWORD_HASH_ITERATIONS", auth::Argon2Params::kMinIterations));
  auto argon2_hasher = auth::Argon2PasswordHasher::Create(argon2);
  if (!argon2_hasher.ok()) return Fail("bad password hashing parameters", argon2_hasher.status());
  const int cores = std::max(1u, std::thread::hardware_concurrency());
  auth::BoundedExecutor hashing_pool(static_cast<int>(EnvInt("PASSWORD_HASH_THREADS", cores)),
                                     static_cast<std::size_t>(EnvInt("PASSWORD_HASH_QUEUE", 64)));
  auth::PooledPasswordHasher hasher(**argon2_hasher, hashing_pool);

  // PostgreSQL: schema, outbox table, statements.
  const PgSettings pg_settings = PgSettings::FromEnv("auth");
  auto pool = pg::Pool::Create(pg_settings, pg::PoolOptions::FromEnv(pg_settings));
  if (!pool.ok()) return Fail("cannot connect to PostgreSQL", pool.status());
  Status migrated = pg::RunMigrations(**pool, EnvString("MIGRATIONS_DIR", AUTH_MIGRATIONS_DIR));
  if (!migrated.ok()) return Fail("migrations failed", migrated);
  Status outbox_schema = outbox::EnsureSchema(**pool);
  if (!outbox_schema.ok()) return Fail("cannot create the outbox table", outbox_schema);
  auto accounts = auth::PgAccountRepository::Create(**pool);
  if (!accounts.ok()) return Fail("cannot prepare statements", accounts.status());

  // Redis: sessions, revocations, throttle counters.
  const RedisSettings redis_settings = RedisSettings::FromEnv();
  redis::ClientOptions redis_options = redis::ClientOptions::FromSettings(redis_settings);
  redis_options.client_name = "messenger-auth";
  auto redis = redis::Client::Create(redis_settings, redis_options);
  if (!redis.ok()) return Fail("cannot connect to Redis", redis.status());
  auth::RedisSessionStore sessions(**redis);
  auth::RedisThrottle throttle(**redis, EnvString("THROTTLE_KEY_PREFIX", "auth:throttle:"));

  // Users service: nickname reservations.
  auth::UsersNicknameRegistry nicknames(
      grpc::CreateChannel(EnvString("USERS_ADDR", "127.0.0.1:50052"), grpc::InsecureChannelCredentials()),
      EnvMillis("USERS_TIMEOUT_MS", milliseconds(2000)));

  // The rules' limits.
  auth::AuthConfig config;
  config.users_topic = EnvString("USERS_TOPIC", kafka::kUsersTopic);
  config.refresh_token_ttl = seconds(EnvInt("REFRESH_TOKEN_TTL_S", 30 * 24 * 3600));
  config.login_max_failures_per_email = EnvInt("LOGIN_MAX_FAILURES_PER_EMAIL", 10);
  config.login_max_failures_per_ip = EnvInt("LOGIN_MAX_FAILURES_PER_IP", 500);
  config.login_failure_window = seconds(EnvInt("LOGIN_FAILURE_WINDOW_S", 900));
  config.register_max_per_ip = EnvInt("REGISTER_MAX_PER_IP", 300);
  config.register_window = seconds(EnvInt("REGISTER_WINDOW_S", 900));

  // Events: outbox relay to Kafka.
  outbox::KafkaPublisherOptions publisher_options;
  publisher_options.brokers = brokers;
  publisher_options.client_id = "messenger-auth";
  auto publisher = outbox::KafkaPublisher::Create(publisher_options);
  if (!publisher.ok()) return Fail("cannot create the Kafka publisher", publisher.status());
  outbox::Relay relay(**pool, **publisher);
  std::jthread topic_thread(
      [&](std::stop_token stop) { EnsureTopicUntilDone(brokers, config.users_topic, stop); });
  relay.Start();

  auth::AuthDependencies deps{accounts->get(), &sessions,     &throttle,       &hasher,
                              &nicknames,      signer->get(), verifier->get(), &clock};
  auto service = auth::AuthService::Create(deps, config);
  if (!service.ok()) return Fail("cannot build the auth service", service.status());

  // OpenID Connect: the providers named in OAUTH_PROVIDERS; their documents are fetched on first use, so a
  // provider that is down does not keep the service from starting.
  auto provider_configs = auth::OidcProviderConfig::ListFromEnv();
  if (!provider_configs.ok()) return Fail("bad OpenID Connect configuration", provider_configs.status());
  auth::CurlHttpClient http;
  std::vector<std::unique_ptr<auth::OidcIdentityProvider>> providers;
  auth::OAuthDependencies oauth_deps;
  std::string provider_names;
  for (auth::OidcProviderConfig& provider_config : *provider_configs) {
    auto provider = auth::OidcIdentityProvider::Create(std::move(provider_config), http, clock);
    if (!provider.ok()) return Fail("bad OpenID Connect provider", provider.status());
    const auth::OidcProviderConfig& configured = (*provider)->config();
    oauth_deps.providers[configured.name] = auth::OAuthProvider{provider->get(), configured.redirect_uris};
    provider_names += (provider_names.empty() ? "" : ",") + configured.name;
    providers.push_back(std::move(provider).value());
  }
  auth::RedisOAuthStateStore oauth_states(**redis, EnvString("OAUTH_KEY_PREFIX", "auth:oauth:"));
  oauth_deps.accounts = accounts->get();
  oauth_deps.nicknames = &nicknames;
  oauth_deps.states = &oauth_states;
  oauth_deps.sessions = service->get();
  oauth_deps.clock = &clock;
  auth::OAuthConfig oauth_config;
  oauth_config.state_ttl = seconds(EnvInt("OAUTH_STATE_TTL_S", 300));
  oauth_config.used_code_ttl = seconds(EnvInt("OAUTH_USED_CODE_TTL_S", 600));
  oauth_config.provider_budget = EnvMillis("OAUTH_PROVIDER_BUDGET_MS", milliseconds(2500));
  oauth_config.users_topic = config.users_topic;
  auto oauth = auth::OAuthService::Create(std::move(oauth_deps), oauth_config);
  if (!oauth.ok()) return Fail("cannot build the OpenID Connect service", oauth.status());

  auth::AuthGrpcService grpc_service(**service, **oauth);
  auto server = StartGrpcServer({listen, {&grpc_service}});
  if (!server) return Fail("cannot start the gRPC server", UnavailableError(listen));
  log::Info("serving", {{"address", listen},
                        {"key_id", (*signer)->key_id()},
                        {"oauth_providers", provider_names},
                        {"argon2_memory_kib", static_cast<long long>(argon2.memory_kib)},
                        {"argon2_iterations", static_cast<long long>(argon2.iterations)},
                        {"hash_threads", hashing_pool.threads()}});

  ServeUntilSignal(*server, [&] { topic_thread.request_stop(); });
  relay.Stop();
  log::Info("stopped");
  return EXIT_SUCCESS;
}
