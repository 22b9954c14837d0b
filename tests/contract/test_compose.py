"""docker-compose.yml agrees with the services' settings, ports and the PostgreSQL init script.

Read as files: no Docker engine is needed. PyYAML is a test dependency (requirements-dev.txt).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
import yaml

from common.registry import SERVICES as REGISTRY
from common.settings import ServiceSettings
from exemplars_tools.proxy import TEMPLATE, local_values, render

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {entry.name: entry.port for entry in REGISTRY}
REQUIRED_ENV = {
    "DATABASE_URL",
    "REDIS_URL",
    "REDIS_USERNAME",
    "REDIS_PASSWORD_FILE",
    "AUTH_SECRET_FILE",
    "ORGANISATION_FILE",
    "HOST",
    "PORT",
    "PUBLIC_URL",
}
# ${NAME:-default}: compose's interpolation with a default.
DEFAULTED = re.compile(r"\$\{(?P<name>[A-Z0-9_]+):-(?P<default>[^}]*)\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def init_script() -> str:
    return (ROOT / "deploy" / "postgres" / "init.sh").read_text(encoding="utf-8")


def _service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    services = compose["services"]
    assert name in services, f"docker-compose.yml has no service {name!r}"
    service: dict[str, Any] = services[name]
    return service


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the "NAME=value" form
        env = dict(item.split("=", 1) for item in env)
    return {str(key): str(value) for key, value in env.items()}


def test_every_service_is_in_compose(compose: dict[str, Any]) -> None:
    assert set(SERVICES) <= set(compose["services"])


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_environment_names_are_settings_fields(compose: dict[str, Any], name: str) -> None:
    env = _environment(_service(compose, name))
    fields = import_module(f"{name}.config").Settings.model_fields
    assert set(ServiceSettings.model_fields) <= set(fields)
    unknown = {key for key in env if key.lower() not in fields}
    assert not unknown, f"{name}: not fields of its Settings, the service would ignore them: {sorted(unknown)}"
    missing = REQUIRED_ENV - set(env)
    assert not missing, f"{name}: missing {sorted(missing)}"
    assert "AUTH_SECRET" not in env, f"{name}: the secret comes from the state volume, not the compose file"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_port_is_the_devrun_port(compose: dict[str, Any], name: str) -> None:
    service = _service(compose, name)
    port = SERVICES[name]
    assert int(_environment(service)["PORT"]) == port
    assert f"127.0.0.1:{port}:{port}" in [str(mapping) for mapping in service.get("ports", [])]


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_service_has_a_readiness_healthcheck(compose: dict[str, Any], name: str) -> None:
    healthcheck = _service(compose, name).get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert "/ready" in " ".join(map(str, healthcheck["test"]))


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_service_waits_for_healthy_redis_and_postgres(compose: dict[str, Any], name: str) -> None:
    depends_on = _service(compose, name).get("depends_on", {})
    assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
    for dependency in ("redis", "postgres"):
        assert depends_on.get(dependency, {}).get("condition") == "service_healthy", f"{name} -> {dependency}"
    assert depends_on.get("setup", {}).get("condition") == "service_completed_successfully"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_database_is_the_services_own(compose: dict[str, Any], name: str) -> None:
    url = _environment(_service(compose, name))["DATABASE_URL"]
    match = re.fullmatch(rf"postgresql://{name}:(?P<password>.+)@postgres:5432/{name}", url)
    assert match, f"{name}: DATABASE_URL {url!r} is not its own role and database"
    # The password the service uses is the one postgres creates the role with, default included.
    postgres_env = _environment(_service(compose, "postgres"))
    variable = DEFAULTED.fullmatch(match["password"])
    assert variable, f"{name}: the password should come from ${{VARIABLE:-default}}"
    assert postgres_env.get(variable["name"]) == match["password"]


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """target -> what of the state volume is mounted there (its subpath; "/" for all of it)."""
    out = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict) and volume.get("source") == "state":
            out[volume["target"]] = volume.get("volume", {}).get("subpath", "/")
        elif isinstance(volume, str) and volume.startswith("state:"):
            out[volume.split(":")[1]] = "/"
    return out


def test_redis_runs_as_make_run_starts_it(compose: dict[str, Any]) -> None:
    from exemplars_tools.redis_server import REDIS_OPTIONS

    redis = _service(compose, "redis")
    command = redis["command"]
    words = command.split() if isinstance(command, str) else [str(word) for word in command]
    for name, value in REDIS_OPTIONS.items():
        assert words[words.index(f"--{name}") + 1] == value, name
    acl = words[words.index("--aclfile") + 1]
    assert _mounts(redis) == {str(Path(acl).parent): "redis", "/run/secrets/exemplars": "secrets/admin"}
    assert any(str(volume).endswith(":/data") for volume in redis["volumes"])
    assert redis["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    assert "--user admin" in " ".join(redis["healthcheck"]["test"])


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_service_sees_the_shared_files_and_its_own_password_only(compose: dict[str, Any], name: str) -> None:
    from exemplars_tools.redis_access import service_user

    service = _service(compose, name)
    env = _environment(service)
    assert env["REDIS_USERNAME"] == service_user(name)
    assert "@" not in env["REDIS_URL"], "no password in the compose file"
    secrets = str(Path(env["REDIS_PASSWORD_FILE"]).parent)
    shared = str(Path(env["AUTH_SECRET_FILE"]).parent)
    assert str(Path(env["ORGANISATION_FILE"]).parent) == shared
    assert _mounts(service) == {shared: "shared", secrets: f"secrets/{service_user(name)}"}
    assert all(v.get("read_only") for v in service["volumes"] if isinstance(v, dict))


def test_init_script_is_mounted(compose: dict[str, Any]) -> None:
    volumes = [str(volume) for volume in _service(compose, "postgres")["volumes"]]
    assert any(v.startswith("./deploy/postgres/init.sh:/docker-entrypoint-initdb.d/") for v in volumes)


def test_init_script_creates_a_role_and_a_database_per_service(init_script: str) -> None:
    # The statements live in one function, called once per service with that service's password.
    assert re.search(r'CREATE ROLE :"name" WITH LOGIN', init_script)
    assert re.search(r'CREATE DATABASE :"name" WITH OWNER :"name"', init_script)
    assert re.search(r'REVOKE ALL ON DATABASE :"name" FROM PUBLIC', init_script)
    for name in SERVICES:
        call = rf'^create_service_database {name} "\$\{{{name.upper()}_DB_PASSWORD:\?'
        assert re.search(call, init_script, re.MULTILINE), f"init.sh does not create {name}'s database"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_proxy_routes_to_the_services_port(compose: dict[str, Any], name: str) -> None:
    config = TEMPLATE.read_text(encoding="utf-8")
    variable = f"EXEMPLARS_{name.upper()}"
    assert f"set ${name} ${{{variable}}};" in config
    assert _environment(compose["services"]["proxy"])[variable] == f"http://{name}:{SERVICES[name]}"


def _proxy_values(compose: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    """The proxy container's values, with its two paths on this machine instead."""
    values = {k: str(v) for k, v in _environment(compose["services"]["proxy"]).items() if k.startswith("EXEMPLARS_")}
    values["EXEMPLARS_SNIPPETS"] = str(ROOT / "deploy" / "nginx")
    values["EXEMPLARS_CACHE_DIR"] = str(tmp_path / "cache")
    return values


def test_compose_renders_the_template_make_run_renders(compose: dict[str, Any]) -> None:
    proxy = compose["services"]["proxy"]
    assert "./deploy/nginx/exemplars.conf.template:/etc/nginx/templates/default.conf.template:ro" in proxy["volumes"]
    assert _environment(proxy)["NGINX_ENVSUBST_FILTER"] == "^EXEMPLARS_"
    names = set(re.findall(r"\$\{(EXEMPLARS_[A-Z_]+)\}", TEMPLATE.read_text(encoding="utf-8")))
    assert names == {k for k in _environment(proxy) if k.startswith("EXEMPLARS_")}
    # make run fills in every one of them too.
    local = local_values(Path("/tmp/x"), "127.0.0.1:8080", {n: "http://127.0.0.1:1" for n in SERVICES}, Path("/tmp/m"))
    assert names == set(local)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_image_is_built_for_the_service_and_its_port(compose: dict[str, Any], name: str) -> None:
    build = _service(compose, name)["build"]
    assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
    assert build["target"] == "service"
    assert {k: v for k, v in build["args"].items() if k != "SYSTEM_PACKAGES"} == {
        "SERVICE": name,
        "PORT": str(SERVICES[name]),
    }
    assert (ROOT / "services" / name / "pyproject.toml").exists()


def test_the_publishing_image_has_the_radios_tools(compose: dict[str, Any]) -> None:
    service = _service(compose, "publishing")
    packages = set(service["build"]["args"]["SYSTEM_PACKAGES"].split())
    assert packages == {"espeak-ng", "ffmpeg", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-liberation2"}
    assert _environment(service)["MEDIA_DIR"] == "/media"
    assert "publishing-media:/media" in service["volumes"]


def test_benchmark_starts_postgresql_as_the_deployment_does(compose: dict[str, Any]) -> None:
    from bench.__main__ import COMPOSE_FILE, compose_postgres_settings

    settings = compose_postgres_settings(COMPOSE_FILE)
    command = compose["services"]["postgres"]["command"]
    assert settings and "shared_buffers" in settings
    assert [f"{name}={value}" for name, value in settings.items()] == [w for w in command if "=" in w]


def _stage(name: str) -> str:
    """The lines of one stage of the Dockerfile."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    match = re.search(rf"^FROM \S+ AS {name}\n(?P<body>.*?)(?=^FROM |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"the Dockerfile has no stage {name!r}"
    return match["body"]


def test_service_images_carry_no_tools() -> None:
    service = _stage("service")
    assert "COPY libs/common" in service and "COPY services/${SERVICE}" in service
    assert "tools" not in service
    assert "COPY tools /tmp/src/tools" in _stage("tools")


def test_setup_and_operator_tools_run_from_the_tools_image(compose: dict[str, Any]) -> None:
    for name in ("setup", "tools"):
        service = _service(compose, name)
        assert service["build"]["target"] == "tools", name
        assert service["image"] == "exemplars/tools:local"
    assert _service(compose, "tools")["profiles"] == ["tools"], "not started by a plain `docker compose up`"
    assert "state:/state:ro" in _service(compose, "tools")["volumes"]
    tools_env = _environment(_service(compose, "tools"))
    assert tools_env["REDIS_USERNAME"] == "tools"
    assert tools_env["REDIS_PASSWORD_FILE"] == "/state/secrets/tools/redis-password"
    tools = (ROOT / "tools" / "pyproject.toml").read_text(encoding="utf-8")
    for script in ("exemplars-setup", "exemplars-token", "exemplars-sign", "exemplars-dead-letters"):
        assert f"{script} = " in tools


def test_the_proxy_serves_the_public_site_through_its_cache_and_the_media_as_files(compose: dict[str, Any]) -> None:
    config = TEMPLATE.read_text(encoding="utf-8")
    proxy = compose["services"]["proxy"]
    values = _environment(proxy)
    [include] = re.findall(r"^\s*include (\S+);", config, re.M)
    include = render(include, values)
    assert f"./deploy/nginx/public-site.conf:{include}:ro" in proxy["volumes"]  # what the benchmark runs too
    assert "keys_zone=public_site:" in config
    alias = re.search(r"location /media/ \{\s*alias (\S+)/;", config)
    assert alias and f"publishing-media:{render(alias.group(1), values)}:ro" in proxy["volumes"]
    site = (ROOT / "deploy" / "nginx" / "public-site.conf").read_text(encoding="utf-8")
    assert "proxy_cache_bypass $http_authorization $http_cookie;" in site  # an editor's requests never cached


def test_nginx_accepts_the_proxy_configuration(compose: dict[str, Any], tmp_path: Path) -> None:
    """``nginx -t`` on the template as the proxy container renders it, and the snippet it includes."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    config = render(TEMPLATE.read_text(encoding="utf-8"), _proxy_values(compose, tmp_path))
    (tmp_path / "default.conf").write_text(config, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\nevents {{}}\n"
        f"http {{\n    include {tmp_path / 'default.conf'};\n}}\n",
        encoding="utf-8",
    )
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr
