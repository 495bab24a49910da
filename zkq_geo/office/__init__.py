"""The shared office: accounts and roles, who may see and change which layer, the audit trail,
and the office's database (SQLite beside the workspace, or PostgreSQL + PostGIS)."""
