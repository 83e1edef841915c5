-- Accounts of the web front end. Passwords and API tokens are stored only as hashes.
-- This is the newest shape, made in a new file; files made by earlier versions are brought
-- to it by the migrations in db.py (PRAGMA user_version counts them).
CREATE TABLE IF NOT EXISTS user (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT UNIQUE NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'cluster_manager', 'county_staff', 'viewer')),
  cluster TEXT,
  county TEXT,
  token_hash TEXT UNIQUE,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  -- raised at sign-out, password change and disabling: older session cookies stop working
  session_epoch INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS setting (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Confirmed readings of resource cells, per cluster ('' for an admin's, shared by all):
-- used by the next import of that cluster.
CREATE TABLE IF NOT EXISTS resource_mapping (
  cluster TEXT NOT NULL,
  text TEXT NOT NULL,
  resource TEXT NOT NULL,
  confirmed_by TEXT NOT NULL,
  confirmed_at TEXT NOT NULL DEFAULT (datetime('now')),
  PRIMARY KEY (cluster, text)
);

-- Wrong passwords per user name ('user:NAME', known or not) and per client address
-- ('address:IP'); times are seconds since the epoch.
CREATE TABLE IF NOT EXISTS sign_in_failure (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  window_start REAL NOT NULL,
  last_failure REAL NOT NULL,
  locked_until REAL NOT NULL DEFAULT 0,
  lockouts INTEGER NOT NULL DEFAULT 0
);
