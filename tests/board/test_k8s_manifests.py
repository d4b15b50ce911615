"""deploy/k8s/ against the app: no cluster is reachable here, so the manifests are parsed
and checked to agree with what the app and its container really use (port, health path,
environment names, the sticky cookie, the upload size, the database URL's host)."""

import pathlib
import re
import tomllib
from urllib.parse import urlparse

import yaml

from app_logic.board_store import DAYS_ENV, URL_ENV, parse_url

ROOT = pathlib.Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


def manifests():
    docs = [d for path in sorted(K8S.glob("*.yaml"))
            for d in yaml.safe_load_all(path.read_text()) if d]
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def container_facts():
    """(port, health path) from the Dockerfile the cluster runs."""
    text = (ROOT / "Dockerfile").read_text()
    port = int(re.search(r"EXPOSE (\d+)", text).group(1))
    assert f'"--server.port", "{port}"' in text
    health = re.search(r"http://127\.0\.0\.1:\d+(/\S+?)'", text).group(1)
    return port, health


def test_every_manifest_parses_and_names_what_it_needs():
    found = manifests()
    assert {("Deployment", "playground"), ("Service", "playground"), ("Ingress", "playground"),
            ("StatefulSet", "playground-db"), ("Service", "playground-db"),
            ("Secret", "playground-database")} <= set(found)


def test_the_deployment_runs_the_container_as_built():
    port, health = container_facts()
    deployment = manifests()[("Deployment", "playground")]
    pod = deployment["spec"]["template"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod["metadata"][
        "labels"].items()
    (container,) = pod["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": port}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        check = container[probe]["httpGet"]
        assert check["path"] == health == "/_stcore/health"
        assert ports[check["port"]] == port
    env = {e["name"]: e for e in container["env"]}
    assert {URL_ENV, DAYS_ENV} <= set(env)
    assert float(env[DAYS_ENV]["value"]) > 0
    secret_ref = env[URL_ENV]["valueFrom"]["secretKeyRef"]
    secret = manifests()[("Secret", secret_ref["name"])]
    url = secret["stringData"][secret_ref["key"]]
    assert parse_url(url)[0] == "postgresql"
    assert container["resources"]["requests"]["cpu"] == "1"  # one worker is one core


def test_service_and_ingress_reach_the_pods_with_the_sticky_cookie():
    found = manifests()
    service = found[("Service", "playground")]
    pod_labels = found[("Deployment", "playground")]["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    (service_port,) = service["spec"]["ports"]
    assert service_port["targetPort"] == "http"
    ingress = found[("Ingress", "playground")]
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    serve = (ROOT / "deploy" / "serve").read_text()
    (served_cookie,) = re.findall(r'^COOKIE = "([^"]+)"', serve, flags=re.M)
    # the same sticky cookie as one machine's nginx
    assert notes["nginx.ingress.kubernetes.io/session-cookie-name"] == served_cookie
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600  # websockets
    (rule,) = ingress["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    backend = path["backend"]["service"]
    assert backend["name"] == "playground" and backend["port"]["name"] == service_port["name"]


def test_the_upload_limit_agrees_with_the_app():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    app_mb = config["server"]["maxUploadSize"]
    notes = manifests()[("Ingress", "playground")]["metadata"]["annotations"]
    body = notes["nginx.ingress.kubernetes.io/proxy-body-size"]
    ingress_mb = int(body.rstrip("m"))
    serve_mb = int(re.search(r"client_max_body_size (\d+)m",
                             (ROOT / "deploy" / "serve").read_text()).group(1))
    assert app_mb < ingress_mb == serve_mb  # the app refuses a large file, not the proxy


def test_the_database_url_points_at_the_database_service():
    found = manifests()
    url = urlparse(found[("Secret", "playground-database")]["stringData"]["url"])
    service = found[("Service", url.hostname)]
    assert [p["port"] for p in service["spec"]["ports"]] == [url.port]
    database = found[("StatefulSet", url.hostname)]
    (container,) = database["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["POSTGRES_USER"]["value"] == url.username
    assert env["POSTGRES_DB"]["value"] == url.path.lstrip("/")
    assert env["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "playground-database"
    assert service["spec"]["selector"].items() <= database["spec"]["template"]["metadata"][
        "labels"].items()
