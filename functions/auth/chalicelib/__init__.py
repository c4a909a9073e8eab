"""The auth service's code behind app.py.

Rules without I/O: `accounts`, `passwords`, `phones`, `otp`, `sessions`, `rate_limits`,
`signing_keys` (the key ring), `access_tokens`, `policy`. The use cases and the ports they need:
`service`. Adapters: `store` (the table, laid out in `tables`), `limits_store` (Redis),
`key_store` (Secrets Manager). The edges: `api` (routes), `schemas`, `errors`, `problems`,
`texts`. `bootstrap` wires it all once per process; `admin` holds the operators' commands.
"""
