"""Static validation of deploy/: nothing here runs a container, a cluster or a broker.

Each check runs on the real files, and again on a copy of the repository with one file broken,
which it must reject: a validator that accepts anything would otherwise pass unnoticed.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import deploy_checks as dc

ROOT = Path(__file__).resolve().parents[2]
# The library check reads the binary ctest's build made; a run without one skips it.
needs_built_binary = pytest.mark.skipif(
    dc.find_built_binary(ROOT) is None or not (dc.have("readelf") and dc.have("dpkg")),
    reason="no built meal-dispatchd, or no readelf/dpkg to inspect it")
needs_systemd_analyze = pytest.mark.skipif(not dc.have("systemd-analyze"), reason="systemd-analyze is not installed")


@pytest.fixture
def broken_repo(tmp_path):
    """A repository whose deploy/ and .dockerignore are copies (free to break) and whose other
    folders are the real ones, read-only through symlinks."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(ROOT / "deploy", root / "deploy")
    shutil.copy(ROOT / ".dockerignore", root / ".dockerignore")
    for name in ("docs", "scripts", "src", "proto", "CMakeLists.txt"):
        (root / name).symlink_to(ROOT / name)
    return root


def edit(path: Path, old: str, new: str, count: int = 1):
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count))


def edit_yaml(path: Path, change, index: int = 0):
    docs = dc.load_yaml_docs(path)
    change(docs[index])
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))


# ---------------------------------------------------------------------------------------------
# Facts the checks rely on
# ---------------------------------------------------------------------------------------------
def test_facts_are_found():
    topics = {t.name for t in dc.documented_topics(ROOT)}
    assert topics >= {"meal.orders", "meal.couriers", "meal.deliveries", "meal.sites", "meal.elders",
                      "meal.assignments", "meal.alerts", "meal.dlq"}
    assert {t.name for t in dc.documented_topics(ROOT) if t.registry} == {"meal.sites", "meal.elders"}
    assert {t.name for t in dc.documented_topics(ROOT) if t.compacted} == {"meal.sites", "meal.elders", "meal.changelog"}
    metrics = dc.exported_metrics(ROOT)
    assert {"meal_ready", "meal_events_total", "meal_consumer_lag"} <= set(metrics)
    assert metrics["meal_decision_latency_seconds"] == "histogram"
    assert "librdkafka-dev" in dc.setup_packages(ROOT)


# ---------------------------------------------------------------------------------------------
# YAML
# ---------------------------------------------------------------------------------------------
def test_every_yaml_file_parses():
    assert len(dc.yaml_files(ROOT)) >= 9
    assert dc.check_yaml(ROOT) == []


def test_broken_yaml_is_rejected(broken_repo):
    (broken_repo / "deploy/prometheus/prometheus.yml").write_text("scrape_configs: [\n  - job_name: x\n")
    assert dc.check_yaml(broken_repo)


# ---------------------------------------------------------------------------------------------
# Kubernetes
# ---------------------------------------------------------------------------------------------
def test_k8s_objects_match_the_kubernetes_schemas():
    kinds = sorted(o["kind"] for _, o in dc.k8s_objects(ROOT))
    assert kinds == ["ConfigMap", "Kustomization", "PodDisruptionBudget", "Service", "Service", "StatefulSet"]
    assert dc.check_k8s_schemas(ROOT) == []


def test_k8s_objects_agree_with_the_service_and_image():
    assert dc.check_k8s_consistency(ROOT) == []


def test_k8s_manifests_have_no_namespace():
    for name, obj in dc.k8s_objects(ROOT):
        assert "namespace" not in obj.get("metadata", {}), name


@pytest.mark.parametrize("breakage", ["string port", "unknown field", "no selector"])
def test_schema_validation_rejects_a_broken_statefulset(broken_repo, breakage):
    def change(sts):
        pod = sts["spec"]["template"]["spec"]
        if breakage == "string port":
            pod["containers"][0]["ports"][0]["containerPort"] = "eighty"
        elif breakage == "unknown field":
            pod["containers"][0]["readinessProbes"] = pod["containers"][0].pop("readinessProbe")
        else:
            del sts["spec"]["selector"]
    edit_yaml(broken_repo / "deploy/k8s/statefulset.yaml", change)
    assert any("statefulset.yaml" in p for p in dc.check_k8s_schemas(broken_repo))


def test_consistency_rejects_a_wrong_port_and_a_root_user(broken_repo):
    edit(broken_repo / "deploy/k8s/statefulset.yaml", "containerPort: 8080", "containerPort: 9090")
    edit(broken_repo / "deploy/k8s/statefulset.yaml", "runAsUser: 10001", "runAsUser: 0", count=2)
    problems = dc.check_k8s_consistency(broken_repo)
    assert any("http.port" in p for p in problems)
    assert any("runAsUser" in p for p in problems)


def test_consistency_rejects_a_stale_configmap(broken_repo):
    edit(broken_repo / "deploy/k8s/configmap.yaml", "hot_meal_limit_min = 45", "hot_meal_limit_min = 40")
    assert any("ConfigMap" in p for p in dc.check_k8s_consistency(broken_repo))


# ---------------------------------------------------------------------------------------------
# docker compose, Prometheus, Grafana, alert rules
# ---------------------------------------------------------------------------------------------
def test_compose_agrees_with_the_config_prometheus_and_grafana():
    assert dc.check_compose(ROOT) == []


def test_compose_rejects_a_port_that_is_not_http_port(broken_repo):
    edit(broken_repo / "deploy/docker-compose.yml", '"8082:8080"', '"8082:9090"')
    assert any("http.port" in p for p in dc.check_compose(broken_repo))


def test_compose_rejects_a_scrape_target_that_is_not_a_service(broken_repo):
    edit(broken_repo / "deploy/prometheus/prometheus.yml", "meal-dispatchd-2:8080", "meal-dispatchd-3:8080")
    assert any("scrape targets" in p for p in dc.check_compose(broken_repo))


def test_compose_rejects_topics_with_other_partitions_than_the_service(broken_repo):
    edit(broken_repo / "deploy/docker-compose.yml", '"--partitions", "4"', '"--partitions", "8"')
    assert any("partitions" in p for p in dc.check_compose(broken_repo))


def test_dashboard_queries_parse_and_use_exported_metrics():
    assert dc.check_dashboards(ROOT) == []


@pytest.mark.parametrize("expr, complaint", [
    ("sum(rate(meal_orders_unassigned_total[5m]))", "not exported"),
    ("sum(rate(meal_events_total[5m])", "does not parse"),
])
def test_dashboard_check_rejects_unknown_metrics_and_bad_promql(broken_repo, expr, complaint):
    path = broken_repo / "deploy/grafana/dashboards/meal-dispatch.json"
    dash = json.loads(path.read_text())
    dash["panels"][0]["targets"][0]["expr"] = expr
    path.write_text(json.dumps(dash))
    assert any(complaint in p for p in dc.check_dashboards(broken_repo))


def test_alert_rules_parse_and_use_exported_metrics():
    names = [r["alert"] for g in dc.load_yaml_docs(ROOT / "deploy/prometheus/alerts.yml")[0]["groups"]
             for r in g["rules"]]
    for wanted in ("ConsumerLag", "NoProgress", "DeadLetters", "OperatorAlerts", "DecisionLatency", "NotReady"):
        assert any(wanted in n for n in names), wanted
    assert dc.check_alert_rules(ROOT) == []


def test_alert_check_rejects_a_missing_runbook_and_an_unknown_metric(broken_repo):
    path = broken_repo / "deploy/prometheus/alerts.yml"

    def change(doc):
        rules = doc["groups"][0]["rules"]
        del rules[0]["annotations"]["runbook"]
        rules[1]["expr"] = "meal_not_a_metric > 0"
    edit_yaml(path, change)
    problems = dc.check_alert_rules(broken_repo)
    assert any("runbook" in p for p in problems)
    assert any("meal_not_a_metric" in p for p in problems)


@pytest.mark.skipif(not dc.have("promtool"), reason="promtool is not installed")
def test_promtool_accepts_the_alert_rules():
    assert dc.promtool_check(ROOT / "deploy/prometheus/alerts.yml") == []


# ---------------------------------------------------------------------------------------------
# Dockerfile
# ---------------------------------------------------------------------------------------------
def test_dockerfile_is_multi_stage_non_root_and_matches_setup():
    assert dc.check_dockerfile(ROOT) == []


@pytest.mark.parametrize("old, new, complaint", [
    ("USER 10001:10001", "USER root", "non-root USER"),
    ("FROM debian:bookworm-slim AS runtime", "FROM debian:bookworm AS runtime", "bookworm-slim"),
    ("EXPOSE 8080", "EXPOSE 8080\nHEALTHCHECK CMD true", "HEALTHCHECK"),
    ("-DMEAL_BUILD_BENCH=OFF", "-DMEAL_BUILD_BENCH=ON", "MEAL_BUILD_BENCH=OFF"),
    ("libcli11-dev ", "", "libcli11-dev"),
])
def test_dockerfile_check_rejects_broken_copies(broken_repo, old, new, complaint):
    edit(broken_repo / "deploy/Dockerfile", old, new)
    assert any(complaint in p for p in dc.check_dockerfile(broken_repo))


def test_dockerignore_keeps_local_output_out_and_sources_in():
    patterns = dc.dockerignore_patterns(ROOT)
    for path in ("build/CMakeCache.txt", "build-test/x", ".kafka-test/logs", ".kafka/data", ".venv/bin/python",
                 "node_modules/a", "web/node_modules/a", "data/state/LOCK", ".git/HEAD"):
        assert dc.dockerignored(path, patterns), path
    for path in ("src/main/meal_dispatchd.cc", "proto/mealdispatch/v1/events.proto", "CMakeLists.txt",
                 "deploy/config/meal-dispatchd.toml"):
        assert not dc.dockerignored(path, patterns), path


def test_dockerfile_check_notices_an_ignored_source(broken_repo):
    with open(broken_repo / ".dockerignore", "a") as f:
        f.write("proto\n")
    assert any(".dockerignore hides" in p for p in dc.check_dockerfile(broken_repo))


@needs_built_binary
def test_runtime_stage_installs_every_library_the_binary_needs():
    assert dc.check_runtime_libraries(ROOT, dc.find_built_binary(ROOT)) == []


@needs_built_binary
def test_runtime_library_check_notices_a_missing_package(broken_repo):
    edit(broken_repo / "deploy/Dockerfile", " libtomlplusplus3", "")
    problems = dc.check_runtime_libraries(broken_repo, dc.find_built_binary(ROOT))
    assert any("libtomlplusplus" in p for p in problems)


# ---------------------------------------------------------------------------------------------
# systemd
# ---------------------------------------------------------------------------------------------
def test_systemd_unit_has_the_hardening_keys():
    assert dc.check_systemd(ROOT) == []


@pytest.mark.parametrize("old, new, complaint", [
    ("ProtectSystem=strict", "ProtectSystem=full", "ProtectSystem"),
    ("RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK",
     "RestrictAddressFamilies"),
    ("--set state.path=/var/lib/meal-dispatch", "--set state.path=/tmp/state", "state.path"),
    ("User=meal-dispatch", "User=root", "root"),
])
def test_systemd_check_rejects_broken_copies(broken_repo, old, new, complaint):
    edit(broken_repo / "deploy/systemd/meal-dispatchd.service", old, new)
    assert any(complaint in p for p in dc.check_systemd(broken_repo))


@needs_systemd_analyze
def test_systemd_analyze_accepts_the_unit(tmp_path):
    assert dc.systemd_analyze(ROOT, tmp_path) == []


@needs_systemd_analyze
def test_systemd_analyze_rejects_an_unknown_key_and_a_weak_sandbox(broken_repo, tmp_path):
    unit = broken_repo / "deploy/systemd/meal-dispatchd.service"
    edit(unit, "PrivateTmp=yes", "PrivateTmpp=yes")
    assert any("verify" in p for p in dc.systemd_analyze(broken_repo, tmp_path))
    unit.write_text("\n".join(line for line in unit.read_text().splitlines()
                              if not re.match(r"(Protect|Private|Restrict|SystemCall|Capability)", line)))
    assert any("exposure" in p for p in dc.systemd_analyze(broken_repo, tmp_path))


# ---------------------------------------------------------------------------------------------
# topics.sh
# ---------------------------------------------------------------------------------------------
def test_topics_script_creates_every_documented_topic(tmp_path):
    assert dc.check_topics_script(ROOT, tmp_path) == []


def test_topics_script_is_idempotent_and_takes_env(tmp_path):
    kafka_home = tmp_path / "kafka"
    dc.run_topics_script(ROOT, tmp_path)  # makes the stand-in tool
    env = {**os.environ, "KAFKA_HOME": str(kafka_home), "STUB_LOG": str(tmp_path / "env.log"),
           "MEAL_KAFKA_BOOTSTRAP": "b:1", "MEAL_TOPIC_PARTITIONS": "3", "MEAL_TOPIC_REPLICATION_FACTOR": "2"}
    for _ in range(2):
        result = subprocess.run(["bash", str(ROOT / "deploy/topics.sh")], env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    lines = (tmp_path / "env.log").read_text().splitlines()
    assert len(lines) == 2 * len(dc.documented_topics(ROOT))
    assert all("--if-not-exists" in line and "--bootstrap-server b:1" in line
               and "--replication-factor 2" in line for line in lines)
    area_topics = sum(not t.registry for t in dc.documented_topics(ROOT))
    assert sum("--partitions 3" in line for line in lines) == 2 * area_topics


def test_topics_script_refuses_bad_arguments(tmp_path):
    dc.run_topics_script(ROOT, tmp_path)
    env = {**os.environ, "KAFKA_HOME": str(tmp_path / "kafka"), "STUB_LOG": str(tmp_path / "bad.log")}
    for args in (["--partitions", "0"], ["--replication-factor", "x"], ["--what"]):
        result = subprocess.run(["bash", str(ROOT / "deploy/topics.sh"), *args], env=env,
                                capture_output=True, text=True)
        assert result.returncode == 2, args
    assert not (tmp_path / "bad.log").exists()


@pytest.mark.parametrize("old, new, complaint", [
    ("create meal.elders 1 --config cleanup.policy=compact\n", "", "meal.elders"),
    ("create meal.sites 1 --config cleanup.policy=compact", "create meal.sites 1", "compacted"),
    ('--config "retention.ms=$DLQ_RETENTION_MS"', '--config "retention.ms=$RETENTION_MS"', "dead-letter"),
    ("--create --if-not-exists", "--create", "--if-not-exists"),
    ('"delete.retention.ms=$CHANGELOG_TOMBSTONE_MS"', "delete.retention.ms=1", "delete.retention.ms"),
])
def test_topics_check_rejects_broken_copies(broken_repo, tmp_path, old, new, complaint):
    edit(broken_repo / "deploy/topics.sh", old, new)
    assert any(complaint in p for p in dc.check_topics_script(broken_repo, tmp_path))


def test_topics_check_rejects_a_syntax_error(broken_repo, tmp_path):
    edit(broken_repo / "deploy/topics.sh", "esac", "")
    assert any("bash -n" in p for p in dc.check_topics_script(broken_repo, tmp_path))
