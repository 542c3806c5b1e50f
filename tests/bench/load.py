"""Simulated social workers for the load test (tests/bench/test_load.py), and the server they talk to.

A `SocialWorker` is a browser without a screen: a `requests` session with cookies that reads the
HTML pages, fills in the forms they contain (hidden fields, CSRF token, pre-selected options and
ticked boxes included, as a browser sends them) and submits them, following every redirect as a
separate timed request. It logs in through the login form, registers meldingen for new households
(Nieuwe melding: search by BSN, sometimes "Nog een gezinslid toevoegen", register), opens the case,
scores a ZRM of the first member (vaststellen at once; or as concept, reopened and vastgesteld; or
left as concept) and looks at its own dashboard. It tallies what it created, by id, from the
redirects that confirm each creation, so the test can compare them with the database afterwards.

Everything unexpected (a 5xx, a 4xx, a form shown again with errors, a lost connection) is an
`ErrorRecord`; the iteration is abandoned then, as a user would start over.

`wsgi_app()` is the gunicorn entry point (`tests.bench.load:wsgi_app()`): the project's own WSGI
application, with the Celery tasks sent to the queue named in WIJKREGIE_LOAD_QUEUE so that only this
test's worker takes them. This module imports nothing of Django at module level (gunicorn loads it).
"""
from __future__ import annotations

import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
REQUEST_TIMEOUT = 120  # s; the longest a simulated worker waits for one response
MAX_REDIRECTS = 5


def wsgi_app():
    """Gunicorn factory: the project's WSGI application, its Celery tasks on this test's own queue."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from config.celery import app as celery_app

    queue = os.environ.get("WIJKREGIE_LOAD_QUEUE")
    if queue:
        celery_app.conf.task_default_queue = queue
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


# --- The server -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


@contextmanager
def gunicorn_server(env: dict, log_path: Path, *, workers: int, threads: int, timeout: int = 60,
                    ready_within: float = 60):
    """gunicorn on 127.0.0.1 and a free port, until it serves the login page; yields its base URL."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "tests.bench.load:wsgi_app()", f"--bind=127.0.0.1:{port}",
        f"--workers={workers}", f"--threads={threads}", f"--timeout={timeout}", "--graceful-timeout=10",
        f"--chdir={ROOT}", "--error-logfile=-",
    ]
    base_url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + ready_within
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped (exit {process.returncode}):\n{_log_tail(log_path)}")
            try:
                if requests.get(f"{base_url}/inloggen", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not serve /inloggen within {ready_within} s:\n"
                                   f"{_log_tail(log_path)}")
            time.sleep(0.25)
        yield base_url, process
    finally:
        if process.poll() is None:
            process.terminate()  # SIGTERM: graceful shutdown of the workers
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


# --- HTML forms -----------------------------------------------------------------------------------

@dataclass
class Form:
    action: str
    method: str
    attrs: dict
    fields: list = field(default_factory=list)  # [name, value] pairs a browser sends, in document order
    radios: dict = field(default_factory=lambda: defaultdict(list))  # name -> every value offered
    options: dict = field(default_factory=lambda: defaultdict(list))  # select name -> option values
    buttons: list = field(default_factory=list)  # (name, value) of named submit buttons

    def data(self, overrides: dict | None = None, button: tuple[str, str] | None = None) -> list[tuple[str, str]]:
        """What the browser submits: the current values with `overrides` applied (a radio or a select is
        set by giving its name), plus the clicked button's name and value."""
        overrides = dict(overrides or {})
        out = [(name, value) for name, value in self.fields if name not in overrides]
        out += [(name, value) for name, value in overrides.items() if value is not None]  # None: not sent
        if button is not None:
            out.append(button)
        return out


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: tuple[str, list] | None = None  # (name, [(value, selected)])
        self._option_value: str | None = None
        self._option_text: list[str] = []
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower(), attrs=a)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind, name = a.get("type", "text").lower(), a.get("name")
            if not name or "disabled" in a:
                return
            if kind in ("submit", "image", "button", "reset", "file"):
                if kind == "submit":
                    self._form.buttons.append((name, a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                if kind == "radio":
                    self._form.radios[name].append(a.get("value", "on"))
                if "checked" in a:
                    self._form.fields.append([name, a.get("value", "on")])
            else:
                self._form.fields.append([name, a.get("value", "")])
        elif tag == "button":
            if a.get("name") and a.get("type", "submit").lower() == "submit":
                self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name") and "disabled" not in a:
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_text = []
            self._select[1].append([a.get("value"), "selected" in a])
        elif tag == "textarea" and a.get("name"):
            self._textarea = (a["name"], [])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._select is not None and self._select[1] and self._option_value is None:
            self._option_text.append(data)

    def handle_endtag(self, tag):
        if tag == "option" and self._select is not None and self._select[1]:
            if self._select[1][-1][0] is None:  # <option>text</option>: the text is the value
                self._select[1][-1][0] = "".join(self._option_text).strip()
            self._option_value = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            self._select = None
            if self._form is None or not options:
                return
            self._form.options[name] = [value for value, _ in options]
            chosen = next((value for value, selected in options if selected), options[0][0])
            self._form.fields.append([name, chosen])
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self._textarea = None
            if self._form is not None:
                self._form.fields.append([name, "".join(text).lstrip("\n")])
        elif tag == "form":
            self._form = None


def parse(html: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser


# --- A simulated social worker ---------------------------------------------------------------------

@dataclass
class ErrorRecord:
    worker: int
    label: str
    status: str  # the HTTP status, or the exception's name
    detail: str

    def __str__(self):
        return f"worker {self.worker}: {self.label} -> {self.status} {self.detail}"


class IterationFailed(Exception):
    pass


@dataclass
class Tally:
    """What one simulated worker created, each confirmed by the redirect to the new object."""
    households: int = 0
    persons: int = 0
    cases: list = field(default_factory=list)  # case ids
    measurements: list = field(default_factory=list)  # measurement ids (concept or vastgesteld)
    finalised: list = field(default_factory=list)  # measurement ids vastgesteld
    iterations: int = 0


_FIELD_ERROR = re.compile(r'class="utrecht-form-field-error-message"[^>]*>(.*?)</div>', re.S)
_ALERT_ERROR = re.compile(r'class="utrecht-alert utrecht-alert--error"[^>]*>(.*?)</div>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def _form_errors(html: str) -> str:
    found = [_TAGS.sub(" ", m) for m in _FIELD_ERROR.findall(html) + _ALERT_ERROR.findall(html)]
    return "; ".join(" ".join(text.split()) for text in found)[:300] or "(no error message on the page)"


class SocialWorker:
    """One simulated social worker: its own session, its own account, its own numbers."""

    def __init__(self, index: int, base_url: str, username: str, password: str, *, seed: int, bsns,
                 stats: "Stats"):
        self.index = index
        self.base_url = base_url
        self.username = username
        self.password = password
        self.rng = random.Random(seed * 1000 + index)
        self.bsns = bsns  # an iterator of fresh valid BSNs for this worker
        self.stats = stats
        self.session = requests.Session()
        self.tally = Tally()
        self.errors: list[ErrorRecord] = []

    # -- requests --
    def _request(self, method: str, url: str, label: str, *, data=None, expect=(200,),
                 referer: str | None = None) -> requests.Response:
        url = urljoin(self.base_url + "/", url)
        headers = {"Referer": referer} if referer else {}
        started = time.perf_counter()
        try:
            response = self.session.request(method, url, data=data, headers=headers, allow_redirects=False,
                                            timeout=REQUEST_TIMEOUT)
        except requests.RequestException as exc:
            self.stats.record(label, (time.perf_counter() - started) * 1000, "error")
            self._fail(label, type(exc).__name__, str(exc)[:200])
        self.stats.record(label, (time.perf_counter() - started) * 1000, response.status_code)
        if response.status_code not in expect:
            detail = _form_errors(response.text) if response.status_code == 200 else \
                " ".join(_TAGS.sub(" ", response.text).split())[:200]
            self._fail(label, str(response.status_code), detail)
        return response

    def _fail(self, label, status, detail):
        self.errors.append(ErrorRecord(self.index, label, status, detail))
        raise IterationFailed(label)

    def get(self, url: str, label: str, expect=(200,)) -> requests.Response:
        return self._request("GET", url, label, expect=expect)

    def submit(self, page: requests.Response, form: Form, label: str, *, overrides=None, button=None,
               expect=(302,)) -> requests.Response:
        action = urljoin(page.url, form.action or page.url)
        return self._request(form.method.upper(), action, label, data=form.data(overrides, button), expect=expect,
                             referer=page.url)

    def follow(self, response: requests.Response, label: str) -> requests.Response:
        """GET the redirect target (and any further redirects, each timed under `label`)."""
        for _ in range(MAX_REDIRECTS):
            if response.status_code not in (301, 302, 303):
                return response
            response = self.get(urljoin(response.url, response.headers["Location"]), label, expect=(200, 302))
        self._fail(label, "redirect-loop", response.url)

    @staticmethod
    def form(page: requests.Response, predicate) -> Form:
        forms = [f for f in parse(page.text).forms if predicate(f)]
        if not forms:
            raise AssertionError(f"no such form on {urlsplit(page.url).path}")
        return forms[0]

    @staticmethod
    def field(form: Form, name: str) -> str | None:
        return next((value for n, value in form.fields if n == name), None)

    # -- the flows --
    def login(self) -> bool:
        try:
            page = self.get("/inloggen", "login page")
            form = self.form(page, lambda f: self.field(f, "username") is not None)
            response = self.submit(page, form, "login (POST)",
                                   overrides={"username": self.username, "password": self.password})
            landing = self.follow(response, "home after login")
            if "/inloggen" in urlsplit(landing.url).path:
                self._fail("login (POST)", "not-signed-in", landing.url)
            return True
        except IterationFailed:
            return False

    def iteration(self, today: str) -> None:
        """One melding for a new household, the case page, one ZRM, the own dashboard."""
        n = self.tally.iterations
        self.tally.iterations += 1
        # Nieuwe melding, step 1: search the household by BSN (nobody is known by these numbers).
        page = self.get("/casussen/nieuwe-melding", "melding: search page")
        search = self.form(page, lambda f: self.field(f, "step") == "search")
        bsn = next(self.bsns)
        page = self.submit(page, search, "melding: search (POST)", overrides={"bsn": bsn}, expect=(200,))
        register = self.form(page, lambda f: self.field(f, "step") == "new")
        members = 2 if self.rng.random() < 0.5 else 1
        if members == 2:  # "Nog een gezinslid toevoegen": the page comes back with a second row
            page = self.submit(page, register, "melding: add member (POST)", button=("add_member", "1"),
                               expect=(200,))
            register = self.form(page, lambda f: self.field(f, "step") == "new")
        letters = "ABCDEGHJKLMNPRSTVWXZ"
        overrides = {
            "postcode": f"{1000 + self.index} {letters[n % 20]}{letters[(n // 20) % 20]}",
            "house_number": str(n + 1), "street": "Proefstraat", "city": "Leeuwarden",
            "wijk": f"Wijk {self.index % 3 + 1}",
            "members-0-first_name": "Proef", "members-0-last_name": f"Belasting {self.index}",
            "members-0-date_of_birth": "1984-05-01", "members-0-role": "ouder",
        }
        if members == 2:
            overrides.update({"members-1-first_name": "Kind", "members-1-last_name": f"Belasting {self.index}",
                              "members-1-date_of_birth": f"{int(today[:4]) - 8}-02-10", "members-1-role": "kind",
                              "members-1-living_at_home": "on", "members-1-bsn": next(self.bsns)})
        sources = [v for v in register.options.get("melding_source", []) if v]
        overrides["melding_source"] = self.rng.choice(sources)
        response = self.submit(page, register, "melding: register (POST)", overrides=overrides)
        match = re.fullmatch(r"/casussen/(\d+)", urlsplit(response.headers["Location"]).path)
        if match is None:
            self._fail("melding: register (POST)", "302-elsewhere", response.headers["Location"])
        self.tally.households += 1
        self.tally.persons += members
        self.tally.cases.append(int(match[1]))

        # The case page, then a ZRM of the first member.
        case_page = self.follow(response, "case page")
        links = [link for link in parse(case_page.text).links if re.fullmatch(
            r"/zrm/casussen/\d+/personen/\d+/nieuwe-meting", link)]
        if not links:
            self._fail("case page", "no-zrm-link", "no 'Nieuwe meting' link on the case page")
        page = self.get(links[0], "zrm: entry page")
        entry = self.form(page, lambda f: f.attrs.get("id") == "zrm-entry")
        scores = {name: self.rng.choice([v for v in values if v != "0"]) for name, values in entry.radios.items()
                  if name.startswith("score_")}
        choice = self.rng.random()
        if choice < 0.6:
            response = self.submit(page, entry, "zrm: vaststellen (POST)", overrides=scores,
                                   button=("action", "vaststellen"))
            measurement = self._measurement_id(response, "zrm: vaststellen (POST)", draft=False)
            self.tally.measurements.append(measurement)
            self.tally.finalised.append(measurement)
            self.follow(response, "zrm: measurement page")
        else:
            response = self.submit(page, entry, "zrm: concept (POST)", overrides=scores,
                                   button=("action", "concept"))
            measurement = self._measurement_id(response, "zrm: concept (POST)", draft=True)
            self.tally.measurements.append(measurement)
            if choice < 0.85:  # reopened and vastgesteld with the scores the draft kept
                page = self.follow(response, "zrm: concept page")
                entry = self.form(page, lambda f: f.attrs.get("id") == "zrm-entry")
                missing = [name for name in scores if self.field(entry, name) != scores[name]]
                if missing:
                    self._fail("zrm: concept page", "scores-lost", f"{len(missing)} scores not kept in the draft")
                response = self.submit(page, entry, "zrm: vaststellen (POST)", button=("action", "vaststellen"))
                if self._measurement_id(response, "zrm: vaststellen (POST)", draft=False) != measurement:
                    self._fail("zrm: vaststellen (POST)", "other-measurement", response.headers["Location"])
                self.tally.finalised.append(measurement)
                self.follow(response, "zrm: measurement page")
        self.get("/rapportage/mijn-overzicht", "my dashboard")

    def _measurement_id(self, response, label, *, draft: bool) -> int:
        pattern = r"/zrm/metingen/(\d+)/invullen" if draft else r"/zrm/metingen/(\d+)"
        match = re.fullmatch(pattern, urlsplit(response.headers["Location"]).path)
        if match is None:
            self._fail(label, "302-elsewhere", response.headers["Location"])
        return int(match[1])

    def run(self, today: str, started: threading.Event, stop: threading.Event, max_iterations: int) -> None:
        started.wait()
        while not stop.is_set() and self.tally.iterations < max_iterations:
            try:
                self.iteration(today)
            except IterationFailed:
                pass
            except Exception as exc:  # a page without the expected form: counted, not fatal to the run
                self.errors.append(ErrorRecord(self.index, "flow", type(exc).__name__, str(exc)[:200]))


# --- Figures -----------------------------------------------------------------------------------------

def percentile(values, p):
    ordered = sorted(values)
    return ordered[max(0, -(-p * len(ordered) // 100) - 1)]  # nearest rank, as test_bench


class Stats:
    """Latency and status per request type, from every worker thread; and when each request ended."""

    def __init__(self):
        self._lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict] = defaultdict(lambda: defaultdict(int))
        self.finished_at: list[float] = []

    def record(self, label: str, ms: float, status) -> None:
        with self._lock:
            self.latencies[label].append(ms)
            self.statuses[label][status] += 1
            self.finished_at.append(time.monotonic())

    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def between(self, start: float, end: float) -> int:
        with self._lock:
            return sum(1 for t in self.finished_at if start <= t <= end)

    def lines(self) -> list[str]:
        out = []
        for label in sorted(self.latencies, key=lambda k: -len(self.latencies[k])):
            values = self.latencies[label]
            statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses[label].items(), key=str))
            out.append(f"  {label:<30} {len(values):>6}  p50 {percentile(values, 50):>6.0f} ms  "
                       f"p95 {percentile(values, 95):>6.0f} ms  max {max(values):>6.0f} ms  ({statuses})")
        return out
