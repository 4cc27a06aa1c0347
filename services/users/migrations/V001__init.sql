-- Users service: public profiles and nickname ownership.

-- Who holds each nickname (lowercased). A row is either a reservation made by Auth for a user about to be
-- registered ('reserved', with an expiry) or the nickname of that user's profile ('owned', no expiry).
-- The primary key is what makes taking a nickname race-free: every taker runs
-- INSERT ... ON CONFLICT (nickname_lower) DO UPDATE ... WHERE <free for me>, so of two concurrent takers
-- exactly one gets the row.
CREATE TABLE nicknames (
  nickname_lower text PRIMARY KEY CHECK (nickname_lower ~ '^[a-z0-9_]{3,32}$'),
  user_id uuid NOT NULL,
  state text NOT NULL CHECK (state IN ('reserved', 'owned')),
  expires_at timestamptz,
  CHECK ((state = 'reserved') = (expires_at IS NOT NULL)),
  -- Target of the foreign key below.
  UNIQUE (nickname_lower, user_id)
);
-- Housekeeping: finding expired reservations.
CREATE INDEX nicknames_reserved_expiry_idx ON nicknames (expires_at) WHERE state = 'reserved';

CREATE TABLE profiles (
  user_id uuid PRIMARY KEY,
  nickname text NOT NULL CHECK (nickname ~ '^[A-Za-z0-9_]{3,32}$'),
  nickname_lower text GENERATED ALWAYS AS (lower(nickname)) STORED,
  bio text NOT NULL DEFAULT '' CHECK (char_length(bio) <= 500),
  avatar_url text NOT NULL DEFAULT '' CHECK (octet_length(avatar_url) <= 2048),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- A profile's nickname is always held by that same user in the nicknames table.
  FOREIGN KEY (nickname_lower, user_id) REFERENCES nicknames (nickname_lower, user_id)
);
-- Case-insensitive uniqueness, lookups by nickname, and prefix search: text_pattern_ops lets
-- `nickname_lower LIKE 'abc%'` and `ORDER BY nickname_lower USING ~<~` use the index whatever the collation.
CREATE UNIQUE INDEX profiles_nickname_lower_idx ON profiles (nickname_lower text_pattern_ops);
