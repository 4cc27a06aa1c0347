// Domain types of the Users service: public profiles and nickname reservations.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace messenger::users {

using TimePoint = std::chrono::system_clock::time_point;

// The machine reason of an ALREADY_EXISTS status when a nickname is held by someone else.
inline constexpr char kReasonNicknameTaken[] = "NICKNAME_TAKEN";

// A public profile. It never carries an email, a password hash or an OAuth identity.
struct Profile {
  std::string user_id;   // lowercase UUID
  std::string nickname;  // as the user spelled it; unique case-insensitively
  std::string bio;
  std::string avatar_url;
  TimePoint created_at{};
  TimePoint updated_at{};

  friend bool operator==(const Profile&, const Profile&) = default;
};

// The fields an update sets; an absent field stays as it is.
struct ProfileChanges {
  std::optional<std::string> nickname;
  std::optional<std::string> bio;
  std::optional<std::string> avatar_url;

  bool Empty() const { return !nickname && !bio && !avatar_url; }
};

// A profile before and after an update (the cache needs the old nickname to forget it).
struct ProfileUpdate {
  Profile before;
  Profile after;
};

// A nickname held for a user about to be registered.
struct Reservation {
  std::string nickname_lower;
  std::string user_id;
  // When the reservation lapses; nullopt when the user already owns the nickname through a profile.
  std::optional<TimePoint> expires_at;
};

// What creating the profile of a newly registered user did.
struct RegistrationResult {
  enum class Outcome {
    kCreated,          // the profile was created with nickname_candidates[candidate_index]
    kAlreadyExists,    // the user already had a profile; nothing changed
    kCandidatesTaken,  // every candidate nickname is held by someone else; nothing changed
  };
  Outcome outcome = Outcome::kCreated;
  Profile profile;  // the created profile (kCreated only)
  std::size_t candidate_index = 0;
};

}  // namespace messenger::users
