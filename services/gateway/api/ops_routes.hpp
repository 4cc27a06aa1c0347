// Operations: GET /healthz (up), GET /readyz (dependencies answer), GET /metrics (Prometheus text),
// GET /openapi.json (the contract, embedded at build time from services/gateway/openapi.json).
#pragma once

#include <string_view>
#include <vector>

#include "clients/readiness_probe.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace messenger::gateway {

// Everything referenced must outlive the router. /readyz asks every probe, one after the other (each has its
// own short deadline), and answers 503 naming the ones that failed.
void AddOpsRoutes(Router& router, const Metrics& metrics, std::vector<ReadinessProbe*> probes);

// The OpenAPI 3.1 document (generated from openapi.json at build time).
std::string_view OpenApiDocument();

}  // namespace messenger::gateway
