-- Accounts of the web front end. Passwords and API tokens are stored only as hashes.
CREATE TABLE IF NOT EXISTS user (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT UNIQUE NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'cluster_manager', 'county_staff', 'viewer')),
  cluster TEXT,
  county TEXT,
  token_hash TEXT UNIQUE,
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
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
