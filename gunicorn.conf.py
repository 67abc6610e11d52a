"""gunicorn's settings, read from the project folder (`gunicorn passlib.wsgi`).

Proxy headers are trusted in one place, Django's settings, and only when configured:
`SECURE_PROXY_SSL_HEADER_ENABLED=true` trusts `X-Forwarded-Proto: https`, and
`AXES_PROXY_COUNT` (or the rate limits, passlib/ratelimit.py) reads the client's IP from
`X-Forwarded-For`. gunicorn itself trusts none: by default it would turn
`X-Forwarded-Proto` from 127.0.0.1 into an https request even with the Django setting
off (docs/security.md).
"""

secure_scheme_headers: dict[str, str] = {}
forwarded_allow_ips = "127.0.0.1"  # irrelevant without secure_scheme_headers; kept narrow
forwarder_headers = ""
