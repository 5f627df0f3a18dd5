"""A local cluster on loopback, run from ``deploy/Procfile``: nginx in front of two gunicorn
instances, one job worker and the scheduler, on the machine's PostgreSQL and Redis, with files
in the database (``UPLOAD_STORAGE=database``).

    python -m tools.cluster up      # `make cluster`: migrate, demo data, start, wait until ready
    python -m tools.cluster status
    python -m tools.cluster down    # `make cluster-down`: stop what `up` started, nothing else

Every process it starts has a pid file in ``$CLUSTER_DIR/pids`` (default ``instance/cluster``);
``down`` stops exactly those (after checking each pid still runs the command it started, so a
recycled pid is never hit), SIGTERM first, SIGKILL after a grace period. Settings from the
environment: ``CLUSTER_PORT`` (nginx, default 8080), ``CLUSTER_APP_PORTS`` (``8001,8002``),
``CLUSTER_WORKERS`` (gunicorn workers per instance, 2), ``DATABASE_URL``, ``REDIS_URL``,
``SECRET_KEY`` (generated once into the cluster directory if unset).
"""

import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
VENV = Path(sys.executable).parent.parent
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/agrobridge"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"

NGINX_CONF = """\
# Written by tools/cluster.py for a local cluster; the site's rules are deploy/nginx/.
worker_processes 1;
$user_line
pid $run/nginx/nginx.pid;
error_log $run/nginx/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $access_log;
    client_body_temp_path $run/nginx/tmp/body;
    proxy_temp_path $run/nginx/tmp/proxy;
    fastcgi_temp_path $run/nginx/tmp/fastcgi;
    uwsgi_temp_path $run/nginx/tmp/uwsgi;
    scgi_temp_path $run/nginx/tmp/scgi;
    sendfile on;
    keepalive_timeout 30;

    map $$http_x_request_id $$agrobridge_request_id {
        default $$http_x_request_id;
        ""      $$request_id;
    }

    upstream agrobridge {
$servers
        keepalive 16;
    }

    server {
        listen 127.0.0.1:$port;
        server_name localhost;
        set $$agrobridge_root $root;
        include locations.conf;
    }
}
"""


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc/<pid>/stat field 22); None if
    it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def procfile(path: Path = DEPLOY / "Procfile") -> dict[str, str]:
    """``{name: command}`` from a Procfile (comments and blank lines skipped)."""
    entries = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, command = line.partition(":")
            entries[name.strip()] = command.strip()
    return entries


class Cluster:
    def __init__(
        self,
        run_dir: Path,
        *,
        port: int,
        app_ports: list[int],
        env: dict,
        workers: int = 2,
        access_log: bool = True,
    ):
        self.run = Path(run_dir)
        self.port, self.app_ports = port, list(app_ports)
        self.workers = workers
        self.access_log = access_log
        self.env = dict(env)
        self.url = f"http://127.0.0.1:{port}"
        self.commands = procfile()
        self.webs = [name for name in self.commands if name.startswith("web")]
        # Two web lines in the Procfile; more ports than that run the first line's command again.
        if len(self.app_ports) < len(self.webs):
            self.webs = self.webs[: len(self.app_ports)]

    # ---- set-up ------------------------------------------------------------------------------

    def process_env(self) -> dict:
        env = dict(self.env)
        env.setdefault("FLASK_APP", "app")
        env.setdefault("UPLOAD_STORAGE", "database")
        env.setdefault("PROXY_COUNT", "1")
        env.setdefault("SESSION_COOKIE_SECURE", "0")
        env.setdefault("LOG_FORMAT", "json")
        env.setdefault("PUBLIC_BASE_URL", self.url)
        env.setdefault("GUNICORN_WORKERS", str(self.workers))
        env.setdefault("INSTANCE_PATH", str(self.run / "instance"))
        env["PYTHONUNBUFFERED"] = "1"
        if "/usr/sbin" not in env.get("PATH", "").split(":"):
            env["PATH"] = env.get("PATH", "/usr/bin:/bin") + ":/usr/sbin"  # Debian's nginx
        if not env.get("SECRET_KEY"):
            key_file = self.run / "secret_key"
            if not key_file.exists():
                key_file.write_text(secrets.token_hex(32))
                key_file.chmod(0o600)
            env["SECRET_KEY"] = key_file.read_text().strip()
        return env

    def prepare(self) -> None:
        for sub in ("pids", "logs", "nginx/tmp", "instance"):
            (self.run / sub).mkdir(parents=True, exist_ok=True)
        nginx = self.run / "nginx"
        for name in ("locations.conf", "agrobridge-proxy.conf"):
            shutil.copyfile(DEPLOY / "nginx" / name, nginx / name)
        servers = "\n".join(
            f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in self.app_ports
        )
        user = pwd.getpwuid(os.getuid()).pw_name
        text = Template(NGINX_CONF).substitute(
            run=self.run,
            servers=servers,
            port=self.port,
            root=ROOT,
            user_line=f"user {user};" if os.getuid() == 0 else "",
            access_log=f"{self.run}/nginx/access.log" if self.access_log else "off",
        )
        (nginx / "nginx.conf").write_text(text)

    def flask(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603 - our own commands
            [str(VENV / "bin" / "flask"), *args],
            env=self.process_env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def command(self, name: str) -> list[str]:
        values = {
            "RUN_DIR": str(self.run),
            "VENV": str(VENV),
            "NGINX_CONF": str(self.run / "nginx" / "nginx.conf"),
        }
        for i, port in enumerate(self.app_ports, start=1):
            values[f"APP_PORT_{i}"] = str(port)
        return shlex.split(Template(self.commands[name]).substitute(values))

    # ---- processes ---------------------------------------------------------------------------

    def pid_file(self, name: str) -> Path:
        return self.run / "pids" / f"{name}.pid"

    def start(self, name: str) -> int:
        """Start one Procfile entry (unless it runs); its pid goes to its pid file."""
        if self.pid(name):
            return self.pid(name)
        log = open(self.run / "logs" / f"{name}.log", "ab")
        process = subprocess.Popen(  # noqa: S603 - the Procfile's commands
            self.command(name),
            env=self.process_env(),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C in the shell does not reach it; `down` does
        )
        log.close()
        self.pid_file(name).write_text(f"{process.pid} {_start_time(process.pid)}\n")
        self._children = getattr(self, "_children", {})
        self._children[name] = process
        return process.pid

    def pid(self, name: str) -> int | None:
        """The pid of ``name`` if its pid file names a live process started when it says (a pid
        reused by another program since has another start time, and is never touched)."""
        path = self.pid_file(name)
        if not path.exists():
            return None
        pid, started = path.read_text().split()[:2]
        self._reap(name)
        return int(pid) if _start_time(int(pid)) == started else None

    def _reap(self, name: str) -> None:
        child = getattr(self, "_children", {}).get(name)
        if child is not None:
            child.poll()

    def signal(self, name: str, sig: int) -> int:
        pid = self.pid(name)
        if pid is None:
            raise RuntimeError(f"{name} is not running")
        os.kill(pid, sig)
        return pid

    def kill(self, name: str) -> int:
        """SIGKILL ``name`` and every process it started (its session), as a machine dying would."""
        pid = self.pid(name)
        if pid is None:
            raise RuntimeError(f"{name} is not running")
        os.killpg(pid, signal.SIGKILL)
        while self._alive(name, pid):
            time.sleep(0.02)
        return pid

    def stop(self, name: str, grace: float = 30) -> bool:
        """SIGTERM ``name`` (SIGKILL after ``grace`` s) and forget its pid file; False if not running."""
        pid = self.pid(name)
        if pid is None:
            self.pid_file(name).unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and self._alive(name, pid):
            time.sleep(0.1)
        if self._alive(name, pid):
            os.kill(pid, signal.SIGKILL)
            while self._alive(name, pid):
                time.sleep(0.05)
        self.pid_file(name).unlink(missing_ok=True)
        return True

    def _alive(self, name: str, pid: int) -> bool:
        self._reap(name)
        return _start_time(pid) is not None

    def names(self) -> list[str]:
        return [*self.webs, "worker", "scheduler", "nginx"]

    def app_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.app_ports[self.webs.index(name)]}"

    def wait_ready(self, name: str, seconds: float = 120) -> None:
        url = (self.app_url(name) + "/readyz") if name in self.webs else (self.url + "/healthz")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.pid(name) is None:
                log = (self.run / "logs" / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited:\n{log}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} not ready at {url} after {seconds} s")

    def up(self, *, migrate: bool = True, seed: bool = False) -> None:
        self.prepare()
        # The .mo catalogues, built here with the cluster's settings (importing the app needs
        # SECRET_KEY when DATABASE_URL is PostgreSQL).
        subprocess.run(  # noqa: S603 - our own command
            [sys.executable, "-m", "tools.messages", "compile"],
            env=self.process_env(),
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        if migrate:
            self.flask("db", "upgrade")
        if seed:
            self.flask("seed-demo")
        try:
            for name in self.names():
                self.start(name)
            for name in self.webs:
                self.wait_ready(name)
            self.wait_ready("nginx", seconds=30)
        except BaseException:
            self.down()
            raise

    def down(self) -> list[str]:
        """Stop nginx first (no new requests), then the instances, the worker, the scheduler."""
        stopped = []
        order = ["nginx", *self.webs, "worker", "scheduler"]
        others = [p.stem for p in (self.run / "pids").glob("*.pid") if p.stem not in order]
        for name in order + others:
            if name in self.commands and self.stop(name):
                stopped.append(name)
        return stopped

    def status(self) -> dict[str, int | None]:
        return {name: self.pid(name) for name in self.names()}


def from_env() -> Cluster:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST_"))}
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    env.setdefault("REDIS_URL", DEFAULT_REDIS)
    ports = [int(p) for p in re.split(r"[,\s]+", os.environ.get("CLUSTER_APP_PORTS", "8001,8002")) if p]
    return Cluster(
        Path(os.environ.get("CLUSTER_DIR") or ROOT / "instance" / "cluster"),
        port=int(os.environ.get("CLUSTER_PORT", "8080")),
        app_ports=ports,
        env=env,
        workers=int(os.environ.get("CLUSTER_WORKERS", "2")),
    )


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "status"
    cluster = from_env()
    if action == "up":
        cluster.up(seed=os.environ.get("CLUSTER_SEED", "1") != "0")
        print(f"AgroBridge cluster ready at {cluster.url}/ (nginx → {', '.join(cluster.webs)});")
        print(f"logs in {cluster.run / 'logs'}; stop it with `make cluster-down`.")
    elif action == "down":
        stopped = cluster.down()
        print(f"stopped: {', '.join(stopped) or 'nothing was running'}")
    elif action == "status":
        for name, pid in cluster.status().items():
            print(f"{name:10} {pid or '-'}")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
