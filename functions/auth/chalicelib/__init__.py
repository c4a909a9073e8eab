"""The auth service's code behind app.py.

Rules without I/O: `passwords`, `phones`, `otp`, `signing_keys` (key ring), `access_tokens`,
`messages`, `problems`. Stores: `models` (the table's layout), `accounts`, `sessions`,
`challenges`, `rate_limits` (Redis). `flows` is what each request does; `bootstrap` wires it
once per process; `admin` holds the operators' commands.
"""
