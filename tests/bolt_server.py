"""A real Bolt graph server for the tests and benchmarks.

ArcadeDB from PyPI (``arcadedb-embedded``: its own Java runtime, server jars and Bolt plugin)
started on free loopback ports in a temporary directory, stopped by process id. When
``NEO4J_URI`` is set, that server is used instead (``NEO4J_USER``, ``NEO4J_PASSWORD``,
``NEO4J_DATABASE``).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

DATABASE = "symbiosis"
PASSWORD = "symbiosis-test-pw"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class BoltServer:
    uri: str
    user: str
    password: str
    database: str
    http_port: int | None = None
    process: subprocess.Popen | None = None
    data_dir: Path | None = None

    @property
    def store_url(self) -> str:
        host = self.uri.split("://", 1)[1]
        return f"bolt://{self.user}:{self.password}@{host}/{self.database}"

    def reset(self) -> None:
        """A fresh empty database (ArcadeDB: drop and create over its HTTP API)."""
        if self.http_port is None:
            return
        for command in (f"drop database {self.database}", f"create database {self.database}"):
            self._http({"command": command})

    def _http(self, body: dict) -> None:
        auth = base64.b64encode(f"root:{self.password}".encode()).decode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.http_port}/api/v1/server", method="POST",
            data=json.dumps(body).encode(), headers={"Authorization": f"Basic {auth}",
                                                     "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            resp.read()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def external_server() -> BoltServer | None:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        return None
    return BoltServer(uri=uri, user=os.environ.get("NEO4J_USER", "neo4j"),
                      password=os.environ.get("NEO4J_PASSWORD", ""),
                      database=os.environ.get("NEO4J_DATABASE", "neo4j"))


def start_arcadedb(*, timeout_s: float = 120.0, heap: str = "2g") -> BoltServer:
    spec = importlib.util.find_spec("arcadedb_embedded")
    if spec is None or spec.origin is None:
        raise RuntimeError("arcadedb-embedded is not installed: `make test` installs it")
    pkg = Path(spec.origin).parent
    data = Path(tempfile.mkdtemp(prefix="symbiosis-bolt-"))
    http_port, bolt_port = _free_port(), _free_port()
    cmd = [str(pkg / "jre" / "bin" / "java"), f"-Xmx{heap}",
           f"-Darcadedb.server.rootPath={data}",
           f"-Darcadedb.server.databaseDirectory={data / 'databases'}",
           f"-Darcadedb.server.rootPassword={PASSWORD}",
           f"-Darcadedb.server.defaultDatabases={DATABASE}[root]",
           "-Darcadedb.server.httpIncomingHost=127.0.0.1",
           f"-Darcadedb.server.httpIncomingPort={http_port}",
           "-Darcadedb.bolt.host=127.0.0.1", f"-Darcadedb.bolt.port={bolt_port}",
           "-Darcadedb.server.plugins=Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
           "-cp", f"{pkg / 'jars'}/*", "com.arcadedb.server.ArcadeDBServer"]
    log = (data / "server.out").open("wb")
    proc = subprocess.Popen(cmd, cwd=data, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    server = BoltServer(uri=f"bolt://127.0.0.1:{bolt_port}", user="root", password=PASSWORD,
                        database=DATABASE, http_port=http_port, process=proc, data_dir=data)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            text = (data / "server.out").read_text(errors="replace")[-2000:]
            server.stop()
            raise RuntimeError(f"Bolt server exited at start:\n{text}")
        if "ArcadeDB Server started" in (data / "server.out").read_text(errors="replace"):
            return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError("Bolt server did not start in time")
