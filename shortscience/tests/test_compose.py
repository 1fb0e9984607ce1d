"""docker-compose.yml matches the settings: services, queues, variables, volumes."""

import re
import shlex

import pytest
import yaml
from django.conf import settings

COMPOSE = settings.BASE_DIR / "docker-compose.yml"


@pytest.fixture(scope="module")
def services():
    return yaml.safe_load(COMPOSE.read_text())["services"]


def queues_of(service) -> set[str]:
    words = shlex.split(service["command"])
    return set(words[words.index("-Q") + 1].split(","))


def test_compose_has_services(services):
    assert set(services) == {
        *("migrate", "web", "worker-cpu", "worker-gpu", "db", "redis"),
    }


def test_migrate_runs_before_app(services):
    assert shlex.split(services["migrate"]["command"]) == [
        *("python", "manage.py", "migrate", "--noinput"),
    ]
    for name in ("web", "worker-cpu", "worker-gpu"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"


def test_compose_builds_from_dockerfile(services):
    assert services["web"]["build"] == "."
    assert (settings.BASE_DIR / "Dockerfile").is_file()


@pytest.mark.parametrize("name", ["web", "worker-cpu", "worker-gpu", "db", "redis"])
def test_compose_service_has_healthcheck(services, name):
    assert services[name]["healthcheck"]["test"]


def test_web_runs_gunicorn_on_wsgi(services):
    words = shlex.split(services["web"]["command"])
    assert words[:2] == [
        "gunicorn",
        f"{settings.WSGI_APPLICATION.rsplit('.', 1)[0]}:application",
    ]


def queue_setting(resource_class: str) -> str:
    """The queue name in settings, without the prefix that test runs may add."""
    name = settings.DEMOS_QUEUES[resource_class]
    return name.removeprefix(settings.DEMOS_QUEUE_PREFIX)


def test_cpu_worker_queues(services):
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert queues_of(services["worker-cpu"]) == {queue_setting("cpu")} | routed


def test_gpu_worker_queue(services):
    assert queues_of(services["worker-gpu"]) == {queue_setting("gpu")}


def test_gpu_worker_reserves_nvidia_device(services):
    devices = services["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia"
    assert "gpu" in devices[0]["capabilities"]


@pytest.mark.parametrize("name", ["web", "worker-cpu", "worker-gpu"])
def test_app_service_uses_production_settings(services, name):
    module = services[name]["environment"]["DJANGO_SETTINGS_MODULE"]
    assert module == "shortscience.settings.production"
    assert (settings.BASE_DIR / (module.replace(".", "/") + ".py")).is_file()


@pytest.mark.parametrize("name", ["web", "worker-cpu", "worker-gpu"])
def test_app_service_variables_are_read(services, name):
    base = (settings.BASE_DIR / "shortscience" / "settings" / "base.py").read_text()
    read = set(re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', base))
    read |= set(re.findall(r'env_(?:bool|list)\(\s*"([A-Z_]+)"', base))
    read |= {
        "DJANGO_SETTINGS_MODULE",
        "DATABASE_URL",
    }  # read by Django and dj-database-url
    assert set(services[name]["environment"]) <= read


@pytest.mark.parametrize("name", ["web", "worker-cpu", "worker-gpu"])
def test_app_service_mounts_media(services, name):
    media_root = services[name]["environment"]["MEDIA_ROOT"]
    assert f"media:{media_root}" in services[name]["volumes"]


def test_workers_use_celery_app(services):
    for name in ("worker-cpu", "worker-gpu"):
        words = shlex.split(services[name]["command"])
        assert words[:4] == ["celery", "-A", "shortscience", "worker"]
