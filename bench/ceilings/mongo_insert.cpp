// messenger-bench-mongo: the storage ceiling for messages. Single-document inserts of message-sized documents
// through libmongoc into the stack's FerretDB, from N threads at once, for a while; prints one JSON object.
//
//   messenger-bench-mongo --uri mongodb://127.0.0.1:17017 [--threads 16] [--duration-s 5]
// Writes into database bench_scratch, collection inserts_<random>, dropped at the end.
#include <mongoc/mongoc.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

// libmongoc logs its own warnings (FerretDB lacks some commands it calls at shutdown); keep only errors.
void QuietLog(mongoc_log_level_t level, const char* domain, const char* message, void*) {
  if (level <= MONGOC_LOG_LEVEL_ERROR) std::cerr << domain << ": " << message << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string uri_text = "mongodb://127.0.0.1:17017";
  int threads = 16;
  double duration_s = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--uri") {
      uri_text = argv[i + 1];
    } else if (flag == "--threads") {
      threads = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--duration-s") {
      duration_s = std::atof(argv[i + 1]);
    } else {
      std::cerr << "usage: messenger-bench-mongo --uri URI [--threads N] [--duration-s S]\n";
      return 2;
    }
  }
  mongoc_init();
  mongoc_log_set_handler(QuietLog, nullptr);
  bson_error_t error;
  mongoc_uri_t* uri = mongoc_uri_new_with_error(uri_text.c_str(), &error);
  if (!uri) {
    std::cerr << "bad URI: " << error.message << "\n";
    return 2;
  }
  mongoc_client_pool_t* pool = mongoc_client_pool_new(uri);
  mongoc_client_pool_max_size(pool, static_cast<uint32_t>(threads + 1));
  std::random_device rd;
  const std::string collection = "inserts_" + std::to_string(rd() % 1000000);

  std::atomic<uint64_t> inserted{0};
  std::atomic<uint64_t> failed{0};
  std::string first_error;
  std::atomic<bool> error_taken{false};
  const std::string content(60, 'x');
  const auto start = std::chrono::steady_clock::now();
  const auto stop = start + std::chrono::duration<double>(duration_s);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      mongoc_client_t* client = mongoc_client_pool_pop(pool);
      mongoc_collection_t* coll = mongoc_client_get_collection(client, "bench_scratch", collection.c_str());
      for (int64_t seq = 0; std::chrono::steady_clock::now() < stop; ++seq) {
        bson_t doc = BSON_INITIALIZER;
        BSON_APPEND_UTF8(&doc, "chat_id", ("chat-" + std::to_string(t)).c_str());
        BSON_APPEND_INT64(&doc, "seq", seq);
        BSON_APPEND_UTF8(&doc, "author_id", "00000000-0000-4000-8000-000000000000");
        BSON_APPEND_UTF8(&doc, "content", content.c_str());
        BSON_APPEND_DATE_TIME(&doc, "created_at", 1700000000000);
        bson_error_t insert_error;
        if (mongoc_collection_insert_one(coll, &doc, nullptr, nullptr, &insert_error)) {
          inserted.fetch_add(1);
        } else {
          failed.fetch_add(1);
          if (!error_taken.exchange(true)) first_error = insert_error.message;
        }
        bson_destroy(&doc);
      }
      mongoc_collection_destroy(coll);
      mongoc_client_pool_push(pool, client);
    });
  }
  for (std::thread& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  mongoc_client_t* client = mongoc_client_pool_pop(pool);
  mongoc_collection_t* coll = mongoc_client_get_collection(client, "bench_scratch", collection.c_str());
  mongoc_collection_drop(coll, nullptr);
  mongoc_collection_destroy(coll);
  mongoc_client_pool_push(pool, client);
  mongoc_client_pool_destroy(pool);
  mongoc_uri_destroy(uri);
  mongoc_cleanup();

  const double rate = static_cast<double>(inserted.load()) / elapsed;
  std::cerr << "mongo insert: " << rate << "/s with " << threads << " threads, " << failed.load() << " failed"
            << std::endl;
  std::cout << "{\"scenario\":\"mongo_insert\",\"available\":" << (inserted.load() > 0 ? "true" : "false")
            << ",\"inserts_per_s\":" << std::round(rate * 10) / 10 << ",\"threads\":" << threads
            << ",\"inserted\":" << inserted.load() << ",\"failed\":" << failed.load()
            << ",\"elapsed_s\":" << elapsed;
  if (!first_error.empty()) {
    std::string escaped;
    for (char c : first_error) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      if (static_cast<unsigned char>(c) >= 0x20) escaped.push_back(c);
    }
    std::cout << ",\"first_error\":\"" << escaped << "\"";
  }
  std::cout << "}" << std::endl;
  return inserted.load() > 0 ? 0 : 1;
}
