#include "api/ops_routes.hpp"

#include <boost/json.hpp>

#include "messenger/common/logging.hpp"

namespace messenger::gateway {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

Response NoStore(Response r) {
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

asio::awaitable<Response> Ready(const std::vector<ReadinessProbe*>& probes, Request& request) {
  std::string failed;
  for (ReadinessProbe* probe : probes) {
    Status status = co_await probe->Check(request.request_id);
    if (status.ok()) continue;
    failed += (failed.empty() ? "" : ", ") + std::string(probe->name());
    log::RequestScope scope(request.request_id);
    log::Warn("not ready", {{"dependency", probe->name()}, {"error", status.ToString()}});
  }
  if (!failed.empty()) co_return NoStore(ErrorResponse(503, "UNAVAILABLE", "not ready: " + failed));
  co_return NoStore(JsonResponse(200, json::object{{"status", "ready"}}));
}

}  // namespace

void AddOpsRoutes(Router& router, const Metrics& metrics, std::vector<ReadinessProbe*> probes) {
  router.Add("GET", "/healthz", Access::kPublic, [](Request&) -> asio::awaitable<Response> {
    co_return NoStore(JsonResponse(200, json::object{{"status", "ok"}}));
  });
  router.Add("GET", "/readyz", Access::kPublic,
             [probes = std::move(probes)](Request& r) { return Ready(probes, r); });
  router.Add("GET", "/metrics", Access::kPublic, [&metrics](Request&) -> asio::awaitable<Response> {
    Response r;
    r.content_type = std::string(kPrometheusContentType);
    r.body = metrics.Render();
    co_return NoStore(std::move(r));
  });
  router.Add("GET", "/openapi.json", Access::kPublic, [](Request&) -> asio::awaitable<Response> {
    Response r;
    r.content_type = std::string(kJsonContentType);
    r.body = std::string(OpenApiDocument());
    co_return r;
  });
}

}  // namespace messenger::gateway
