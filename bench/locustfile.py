"""Locust users for bench/run.py: each user carries a ready session (created by
bench/sessions.py) and hits one page (BENCH_PAGE) in a loop, so that requests/s reflect
that page's cost alone."""

import itertools
import json
import os
import random

from locust import FastHttpUser, constant, task

CONFIG = json.loads(os.environ["BENCH_CONFIG"])
PAGE = os.environ["BENCH_PAGE"]
SPEC = CONFIG["pages"][PAGE]
SESSIONS = itertools.cycle(CONFIG["sessions"].get(SPEC.get("user", CONFIG["user"]), [""]))


class Visitor(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        key = next(SESSIONS) if SPEC.get("login", True) else ""
        self.headers = {"Cookie": f"sessionid={key}"} if key else {}

    @task
    def page(self) -> None:
        url = SPEC["url"]
        if "{code}" in url:
            url = url.replace("{code}", random.choice(CONFIG["codes"]))
        with self.client.get(url, name=PAGE, headers=self.headers, catch_response=True) as response:
            if response.status_code != 200 or (
                SPEC.get("login", True) and "/connexion/" in (response.url or "")
            ):
                response.failure(f"status {response.status_code}")
