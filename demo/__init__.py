"""Demo data: fictitious teams, staff, households and cases for demonstrations, tests and benchmarks.

The top layer: it may import cases, zrm and reporting; nothing in the application imports it.
small/ is the hand-built set (`seed_demo`), bulk/ the municipal-scale sets (`seed_demo --scale
tiny|leeuwarden|amsterdam`); management/commands holds `seed_demo` and `demo_logins`.
"""
