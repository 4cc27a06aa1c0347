-- Accounts and the identities they sign in with. The outbox table is created by libs/outbox
-- (outbox::EnsureSchema) at startup.

CREATE TABLE accounts (
  id            uuid        PRIMARY KEY,
  email         text        NOT NULL,                 -- as the user typed it
  email_lower   text        NOT NULL UNIQUE,          -- ASCII-lowercased: the case-insensitive unique key
  password_hash text,                                 -- argon2id PHC string; NULL for OAuth-only accounts
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT accounts_email_lower_not_empty CHECK (email_lower <> '')
);

-- One row per (OpenID provider, subject) that signs in to an account.
CREATE TABLE oauth_identities (
  issuer     text        NOT NULL,
  subject    text        NOT NULL,
  user_id    uuid        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  email      text,                                    -- the provider's email claim when it gave one
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX oauth_identities_user_id_idx ON oauth_identities (user_id);
