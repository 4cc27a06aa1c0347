-- One row per pair of users, whichever of them asked: (user_low, user_high) with user_low < user_high.
-- A removed friendship is deleted; a rejected request stays (status 'rejected') until either user asks again.
CREATE TABLE friendships (
  user_low     uuid        NOT NULL,
  user_high    uuid        NOT NULL,
  requester_id uuid        NOT NULL,
  status       text        NOT NULL CHECK (status IN ('requested', 'accepted', 'rejected')),
  created_at   timestamptz NOT NULL,  -- when the current request was made
  updated_at   timestamptz NOT NULL,  -- when the status last changed (for 'accepted': friends since)
  PRIMARY KEY (user_low, user_high),
  CHECK (user_low < user_high),
  CHECK (requester_id = user_low OR requester_id = user_high)
);

-- The primary key serves lookups by user_low; this one serves lookups by user_high.
CREATE INDEX friendships_user_high_idx ON friendships (user_high, status);
