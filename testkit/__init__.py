"""What tests/ and bench/ share: a fake Bot API (``testkit.fake_telegram``), a counting
PostgreSQL proxy (``testkit.pgproxy``), a test PostgreSQL with PgBouncer
(``testkit.postgres``) and running ``python -m bot`` as a process (``testkit.processes``).

None of it is installed with the bot; it runs from a checkout, as the tests and the benchmark do.
"""
