// Small pieces every route handler uses: turning a failed call into the error answer (logging what a client
// must not see), and the principal of an authenticated request.
#pragma once

#include <string_view>

#include "clients/rpc.hpp"
#include "http/error_mapping.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::gateway {

// The error answer for a failed call. A failure that becomes a 5xx is logged here, once, with the request ID,
// since its detail is not sent to the client.
template <typename T>
Response ErrorFromRpc(const Request& request, std::string_view call, const RpcResult<T>& result) {
  if (HttpStatusFor(result.status.code()) >= 500) {
    log::RequestScope scope(request.request_id);
    log::Warn("backend call failed",
              {{"call", call}, {"route", request.route}, {"error", result.status.ToString()}});
  }
  return ErrorResponseFor(result.status, result.retry_after);
}

// The error answer for a request the gateway itself refuses (validation).
inline Response ErrorFromStatus(const Status& status) { return ErrorResponseFor(status); }

// The principal of a kBearer route (the dispatcher guarantees it is set).
inline const Principal& PrincipalOf(const Request& request) { return *request.principal; }

}  // namespace messenger::gateway
