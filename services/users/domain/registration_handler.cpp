#include "users/domain/registration_handler.hpp"

#include <memory>
#include <mutex>
#include <random>
#include <utility>

#include "messenger/common/ids.hpp"
#include "messenger/common/logging.hpp"
#include "users/domain/validation.hpp"

namespace messenger::users {
namespace {

// Rounds of fallback candidates: more digits each round, so that a crowded base still finds a free name.
constexpr int kFallbackDigits[] = {4, 6, 8, 10};
constexpr int kCandidatesPerRound = 8;
constexpr char kFallbackBase[] = "user";

std::function<std::uint64_t()> DefaultRandom() {
  auto state = std::make_shared<std::pair<std::mutex, std::mt19937_64>>();
  state->second.seed(std::random_device{}());
  return [state] {
    std::lock_guard lock(state->first);
    return state->second();
  };
}

}  // namespace

RegistrationHandler::RegistrationHandler(ProfileRepository& repository, const Clock& clock,
                                         std::function<std::uint64_t()> random)
    : repository_(repository), clock_(clock), random_(random ? std::move(random) : DefaultRandom()) {}

std::vector<std::string> RegistrationHandler::FallbackCandidates(const std::string& base, int digits,
                                                                 int count) {
  std::string stem = base.substr(0, kNicknameMaxLength - 1 - static_cast<std::size_t>(digits));
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    std::string name = stem + "_";
    for (int d = 0; d < digits; ++d) name += static_cast<char>('0' + random_() % 10);
    out.push_back(std::move(name));
  }
  return out;
}

Status RegistrationHandler::Handle(const UserRegistration& event) {
  if (!IsUuid(event.user_id)) return InvalidArgumentError("UserRegistered carries a malformed user_id");
  std::string user_id = LowerAscii(event.user_id);
  bool nickname_valid = IsValidNickname(event.nickname);
  std::string base = nickname_valid ? event.nickname : std::string(kFallbackBase);

  std::vector<std::string> candidates;
  if (nickname_valid) candidates.push_back(event.nickname);
  for (int digits : kFallbackDigits) {
    std::vector<std::string> round = FallbackCandidates(base, digits, kCandidatesPerRound);
    candidates.insert(candidates.end(), round.begin(), round.end());
    MESSENGER_ASSIGN_OR_RETURN(RegistrationResult result,
                               repository_.CreateRegisteredProfile(user_id, candidates, clock_.Now()));
    switch (result.outcome) {
      case RegistrationResult::Outcome::kAlreadyExists:
        log::Debug("UserRegistered replayed; the profile exists", {{"user_id", user_id}});
        return OkStatus();
      case RegistrationResult::Outcome::kCreated:
        if (!nickname_valid || result.candidate_index != 0) {
          log::Warn("registered user got a fallback nickname: the reserved one was no longer free",
                    {{"user_id", user_id},
                     {"event_id", event.event_id},
                     {"reserved_nickname", event.nickname},
                     {"nickname", result.profile.nickname}});
        }
        return OkStatus();
      case RegistrationResult::Outcome::kCandidatesTaken:
        candidates.clear();  // the next round tries new names only
        break;
    }
  }
  return AbortedError("no free fallback nickname for a registered user; will retry");
}

}  // namespace messenger::users
