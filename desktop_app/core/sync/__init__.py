"""The team server (DESIGN.md section 15): the only package that speaks to PostgreSQL."""
