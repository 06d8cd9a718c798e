"""Static checks of deploy/: each returns a list of problems (empty when all is well).

Every check takes the repository root, so a test can run it on a copy with one file broken and
see it fail. Facts are read from where they are defined (the TOML file, docs/configuration.md,
scripts/setup, the C++ sources), never repeated here.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import dockerfile
import kubernetes_validate
import promql_parser
import yaml

# The oldest Kubernetes the manifests are meant for, and the newest whose schemas are bundled.
K8S_VERSIONS = ("1.30", kubernetes_validate.latest_version())
# Metrics that Prometheus makes itself rather than the service.
PROMETHEUS_METRICS = {"up"}
STATE_MOUNT = "/var/lib/meal-dispatch"
CONFIG_FILE = "/etc/meal-dispatch/meal-dispatchd.toml"
# Packages of scripts/setup the image's build stage may leave out: it builds no tests or benchmarks.
TEST_ONLY_PACKAGES = {"libgtest-dev", "libgmock-dev", "libbenchmark-dev", "libclang-rt-14-dev"}
# Libraries every Debian image has, so the runtime stage need not name them.
BASE_PACKAGES = {"libc6", "libstdc++6", "libgcc-s1"}


# ---------------------------------------------------------------------------------------------
# Facts from the repository
# ---------------------------------------------------------------------------------------------
def service_config(root: Path) -> dict:
    with open(root / "deploy/config/meal-dispatchd.toml", "rb") as f:
        return tomllib.load(f)


@dataclass(frozen=True)
class Topic:
    key: str  # topics.orders
    name: str  # meal.orders
    compacted: bool
    registry: bool  # one partition, read whole by every instance


def documented_topics(root: Path) -> list[Topic]:
    """The topics of docs/configuration.md's table, with what the page says about each."""
    rows = re.findall(r'^\|\s*`(topics\.\w+)`\s*\|\s*`"([^"]+)"`\s*\|[^|]*\|\s*([^|]*)\|',
                      (root / "docs/configuration.md").read_text(), re.M)
    return [Topic(key, name, "compacted" in meaning, "registry" in meaning) for key, name, meaning in rows]


def setup_packages(root: Path) -> set[str]:
    text = (root / "scripts/setup").read_text()
    block = re.search(r"PACKAGES=\((.*?)\)", text, re.S)
    return set(block.group(1).split()) if block else set()


def exported_metrics(root: Path) -> dict[str, str]:
    """Metric name -> kind, for every metric the C++ code registers (tests excluded)."""
    found: dict[str, str] = {}
    pattern = re.compile(r'Get(Counter|Gauge|Histogram)\(\s*"([a-zA-Z_:][a-zA-Z0-9_:]*)"')
    for path in sorted((root / "src").rglob("*")):
        if path.suffix not in (".cc", ".h") or path.name.endswith("_test.cc"):
            continue
        for kind, name in pattern.findall(path.read_text(errors="replace")):
            found[name] = kind.lower()
    return found


def series_names(metrics: dict[str, str]) -> set[str]:
    """Names a query may use: histograms also as _bucket, _sum and _count."""
    names = set(PROMETHEUS_METRICS)
    for name, kind in metrics.items():
        names.add(name)
        if kind == "histogram":
            names.update(name + suffix for suffix in ("_bucket", "_sum", "_count"))
    return names


def load_yaml_docs(path: Path) -> list:
    with open(path) as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


# ---------------------------------------------------------------------------------------------
# YAML
# ---------------------------------------------------------------------------------------------
def yaml_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "deploy").rglob("*") if p.suffix in (".yml", ".yaml"))


def check_yaml(root: Path) -> list[str]:
    problems = []
    files = yaml_files(root)
    if not files:
        problems.append("no YAML files under deploy/")
    for path in files:
        try:
            if not load_yaml_docs(path):
                problems.append(f"{path.relative_to(root)}: empty")
        except yaml.YAMLError as e:
            problems.append(f"{path.relative_to(root)}: {e}")
    return problems


# ---------------------------------------------------------------------------------------------
# PromQL (dashboard and alert rules)
# ---------------------------------------------------------------------------------------------
def promql_metric_names(expr: str) -> set[str]:
    """Metric names an expression selects; raises ValueError when it does not parse."""
    names: set[str] = set()

    def visit(node):
        if isinstance(node, promql_parser.VectorSelector):
            names.add(node.name)
        return True

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def check_promql(where: str, expr: str, allowed: set[str]) -> list[str]:
    try:
        names = promql_metric_names(expr)
    except ValueError as e:
        return [f"{where}: does not parse ({e}): {expr}"]
    problems = [f"{where}: metric {n} is not exported by the service" for n in sorted(names - allowed)]
    if not names:
        problems.append(f"{where}: selects no metric: {expr}")
    return problems


def grafana_to_promql(expr: str) -> str:
    """Replaces Grafana's variables with values Prometheus would see."""
    expr = re.sub(r"\$__(rate_)?interval|\$\{__(rate_)?interval\}", "5m", expr)
    return re.sub(r"\$\{?\w+\}?", ".*", expr)


# ---------------------------------------------------------------------------------------------
# Kubernetes
# ---------------------------------------------------------------------------------------------
def k8s_objects(root: Path) -> list[tuple[str, dict]]:
    objects = []
    for path in sorted((root / "deploy/k8s").glob("*.yaml")):
        for doc in load_yaml_docs(path):
            objects.append((path.name, doc))
    return objects


def check_k8s_schemas(root: Path) -> list[str]:
    """Every object against the bundled Kubernetes OpenAPI schemas, unknown fields refused."""
    problems = []
    objects = [(f, o) for f, o in k8s_objects(root) if o.get("kind") != "Kustomization"]
    if not objects:
        problems.append("no Kubernetes objects in deploy/k8s")
    for name, obj in objects:
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as e:
                where = "/".join(str(p) for p in e.path)
                problems.append(f"{name} {obj.get('kind')} (Kubernetes {version}) {where}: {e.message}")
            except (kubernetes_validate.SchemaNotFoundError, KeyError, TypeError) as e:
                problems.append(f"{name}: not a known Kubernetes object ({e})")
    return problems


def _one(objects, kind, problems, name=None):
    found = [o for _, o in objects if o.get("kind") == kind
             and (name is None or o.get("metadata", {}).get("name") == name)]
    if len(found) != 1:
        problems.append(f"expected one {kind}{' ' + name if name else ''} in deploy/k8s, found {len(found)}")
        return None
    return found[0]


def _set_args(args: list[str]) -> dict[str, str]:
    """--set key=value pairs of a command line."""
    out = {}
    for flag, value in zip(args, args[1:]):
        if flag == "--set" and "=" in value:
            key, val = value.split("=", 1)
            out[key] = val
    return out


def _matches(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_k8s_consistency(root: Path) -> list[str]:
    problems: list[str] = []
    objects = k8s_objects(root)
    config = service_config(root)
    http_port = config["http"]["port"]
    image_uid = dockerfile_uid(root)

    kustomization = _one(objects, "Kustomization", problems)
    if kustomization is not None:
        listed = set(kustomization.get("resources", []))
        files = {f for f, o in objects if o.get("kind") != "Kustomization"}
        if listed != files:
            problems.append(f"kustomization.yaml lists {sorted(listed)}, deploy/k8s has {sorted(files)}")

    cm = _one(objects, "ConfigMap", problems)
    sts = _one(objects, "StatefulSet", problems)
    pdb = _one(objects, "PodDisruptionBudget", problems)
    services = [o for _, o in objects if o.get("kind") == "Service"]
    if None in (cm, sts, pdb):
        return problems

    file_text = (root / "deploy/config/meal-dispatchd.toml").read_text()
    config_key = Path(CONFIG_FILE).name
    if cm.get("data", {}).get(config_key) != file_text:
        problems.append(f"ConfigMap key {config_key} differs from deploy/config/meal-dispatchd.toml")

    spec = sts["spec"]
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"].get("labels", {})
    if spec.get("replicas") != 2:
        problems.append(f"StatefulSet replicas {spec.get('replicas')}, expected 2")
    if not _matches(spec["selector"].get("matchLabels", {}), labels):
        problems.append("StatefulSet selector does not match its pod labels")
    containers = pod.get("containers", [])
    if len(containers) != 1:
        return problems + [f"StatefulSet has {len(containers)} containers, expected 1"]
    c = containers[0]

    ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
    if ports.get("http") != http_port:
        problems.append(f"container port http is {ports.get('http')}, http.port is {http_port}")

    def probe_port(probe):
        port = probe.get("httpGet", {}).get("port")
        return ports.get(port) if isinstance(port, str) else port

    for probe_name, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        probe = c.get(probe_name)
        if not probe or probe.get("httpGet", {}).get("path") != path:
            problems.append(f"{probe_name} must be httpGet {path}")
        elif probe_port(probe) != http_port:
            problems.append(f"{probe_name} does not probe http.port {http_port}")

    sets = _set_args(c.get("args", []))
    if sets.get("http.address") != "0.0.0.0":
        problems.append("args must set http.address=0.0.0.0 (the file listens on loopback)")
    mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
    claims = {t["metadata"]["name"] for t in spec.get("volumeClaimTemplates", [])}
    state_claims = [n for n in claims if mounts.get(n) == STATE_MOUNT]
    if not state_claims:
        problems.append(f"no volumeClaimTemplate mounted at {STATE_MOUNT}")
    state_path = sets.get("state.path", "")
    if not (state_path == STATE_MOUNT or state_path.startswith(STATE_MOUNT + "/")):
        problems.append(f"args must set state.path inside {STATE_MOUNT}, not '{state_path}'")
    config_volumes = {v["name"] for v in pod.get("volumes", [])
                      if v.get("configMap", {}).get("name") == cm["metadata"]["name"]}
    if not any(mounts.get(v) == str(Path(CONFIG_FILE).parent) for v in config_volumes):
        problems.append(f"the ConfigMap is not mounted at {Path(CONFIG_FILE).parent}")

    pod_sc = pod.get("securityContext", {})
    c_sc = c.get("securityContext", {})
    if not (pod_sc.get("runAsNonRoot") or c_sc.get("runAsNonRoot")):
        problems.append("runAsNonRoot is not set")
    uid = c_sc.get("runAsUser", pod_sc.get("runAsUser"))
    if uid != image_uid:
        problems.append(f"runAsUser {uid} differs from the image's USER {image_uid}")
    if not c_sc.get("readOnlyRootFilesystem"):
        problems.append("readOnlyRootFilesystem is not set")
    if c_sc.get("allowPrivilegeEscalation") is not False:
        problems.append("allowPrivilegeEscalation is not false")

    res = c.get("resources", {})
    want = {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "2Gi"}}
    for part, values in want.items():
        for key, value in values.items():
            if str(res.get(part, {}).get(key)) != value:
                problems.append(f"resources.{part}.{key} is {res.get(part, {}).get(key)}, expected {value}")

    headless = [s for s in services if s["spec"].get("clusterIP") == "None"]
    normal = [s for s in services if s["spec"].get("clusterIP") != "None"]
    if len(headless) != 1 or len(normal) != 1:
        problems.append("expected one headless Service and one normal Service")
    elif spec.get("serviceName") != headless[0]["metadata"]["name"]:
        problems.append("StatefulSet serviceName is not the headless Service")
    for s in services:
        name = s["metadata"]["name"]
        if not _matches(s["spec"].get("selector", {}), labels):
            problems.append(f"Service {name} selects no pod of the StatefulSet")
        for p in s["spec"].get("ports", []):
            target = p.get("targetPort", p.get("port"))
            if (ports.get(target) if isinstance(target, str) else target) != http_port:
                problems.append(f"Service {name} port {p.get('port')} does not reach http.port")

    if pdb["spec"].get("maxUnavailable") != 1:
        problems.append("PodDisruptionBudget maxUnavailable is not 1")
    if not _matches(pdb["spec"].get("selector", {}).get("matchLabels", {}), labels):
        problems.append("PodDisruptionBudget selects no pod of the StatefulSet")
    return problems


# ---------------------------------------------------------------------------------------------
# Dockerfile and .dockerignore
# ---------------------------------------------------------------------------------------------
def dockerfile_commands(root: Path):
    return dockerfile.parse_file(str(root / "deploy/Dockerfile"))


def _stages(commands):
    stages = []
    for cmd in commands:
        if cmd.cmd.upper() == "FROM":
            stages.append([cmd])
        elif stages:
            stages[-1].append(cmd)
    return stages


def dockerfile_uid(root: Path):
    users = [c for c in dockerfile_commands(root) if c.cmd.upper() == "USER"]
    if not users:
        return None
    user = users[-1].value[0].split(":")[0]
    return int(user) if user.isdigit() else user


def _apt_packages(run_commands) -> set[str]:
    packages = set()
    for cmd in run_commands:
        for segment in re.split(r"&&|;", " ".join(cmd.value)):
            words = shlex.split(segment.replace("\\\n", " "))
            if "apt-get" in words and "install" in words:
                packages.update(w for w in words[words.index("install") + 1:] if not w.startswith("-"))
    return packages


def check_dockerfile(root: Path) -> list[str]:
    problems = []
    try:
        commands = dockerfile_commands(root)
    except dockerfile.GoParseError as e:
        return [f"deploy/Dockerfile does not parse: {e}"]
    unknown = [c.cmd for c in commands if c.cmd.lower() not in dockerfile.all_cmds()]
    if unknown:
        problems.append(f"unknown instructions: {unknown}")
    stages = _stages(commands)
    if len(stages) < 2:
        return problems + ["the Dockerfile must be multi-stage"]
    build, runtime = stages[0], stages[-1]
    if build[0].value[:1] != ("debian:bookworm",):
        problems.append(f"build stage is FROM {build[0].value}, expected debian:bookworm")
    if runtime[0].value[:1] != ("debian:bookworm-slim",):
        problems.append(f"runtime stage is FROM {runtime[0].value}, expected debian:bookworm-slim")

    uid = dockerfile_uid(root)
    runtime_users = [c for c in runtime if c.cmd.upper() == "USER"]
    if not runtime_users or not isinstance(uid, int) or uid == 0:
        problems.append(f"the runtime stage must end as a numeric non-root USER, not {uid}")
    if any(c.cmd.upper() == "HEALTHCHECK" for c in commands):
        problems.append("no HEALTHCHECK: the orchestrator probes /healthz and /readyz")
    http_port = service_config(root)["http"]["port"]
    exposed = {v.split("/")[0] for c in runtime if c.cmd.upper() == "EXPOSE" for v in c.value}
    if exposed != {str(http_port)}:
        problems.append(f"EXPOSE {sorted(exposed)}, http.port is {http_port}")
    volumes = {v for c in runtime if c.cmd.upper() == "VOLUME" for v in c.value}
    if STATE_MOUNT not in volumes:
        problems.append(f"no VOLUME {STATE_MOUNT}")
    entry = [c for c in runtime if c.cmd.upper() == "ENTRYPOINT"]
    if not entry or not entry[-1].json or list(entry[-1].value[-2:]) != ["--config", CONFIG_FILE] \
            or not entry[-1].value[0].endswith("/meal-dispatchd"):
        problems.append(f"ENTRYPOINT must be [.../meal-dispatchd, --config, {CONFIG_FILE}] in JSON form")

    build_runs = [c for c in build if c.cmd.upper() == "RUN"]
    cmake = " ".join(" ".join(c.value) for c in build_runs)
    for flag in ("-G Ninja", "-DCMAKE_BUILD_TYPE=Release", "-DMEAL_BUILD_TESTS=OFF", "-DMEAL_BUILD_BENCH=OFF"):
        if flag not in cmake:
            problems.append(f"the build stage's cmake lacks {flag}")
    wanted = setup_packages(root)
    installed = _apt_packages(build_runs)
    if not installed:
        problems.append("the build stage installs no packages")
    if installed - wanted:
        problems.append(f"build stage installs packages scripts/setup does not: {sorted(installed - wanted)}")
    missing_dev = {p for p in wanted if p.endswith("-dev")} - installed - TEST_ONLY_PACKAGES
    if missing_dev:
        problems.append(f"build stage lacks library packages of scripts/setup: {sorted(missing_dev)}")
    runtime_packages = _apt_packages([c for c in runtime if c.cmd.upper() == "RUN"])
    dev_in_runtime = sorted(p for p in runtime_packages if p.endswith("-dev"))
    if dev_in_runtime:
        problems.append(f"runtime stage installs -dev packages: {dev_in_runtime}")

    ignored = dockerignore_patterns(root)
    tracked = git_files(root)
    for c in commands:
        if c.cmd.upper() != "COPY" or any(f.startswith("--from") for f in c.flags):
            continue
        for src in c.value[:-1]:
            if not (root / src).exists():
                problems.append(f"COPY source {src} does not exist")
                continue
            inside = [f for f in tracked if f == src or f.startswith(src.rstrip("/") + "/")] or [src]
            hidden = [f for f in inside if dockerignored(f, ignored)]
            if hidden:
                problems.append(f".dockerignore hides files the image needs: {hidden[:5]}")
    return problems


def check_runtime_libraries(root: Path, binary: Path) -> list[str]:
    """Each shared library the built binary needs comes from a package the runtime stage installs."""
    out = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    runtime = _stages(dockerfile_commands(root))[-1]
    installed = _apt_packages([c for c in runtime if c.cmd.upper() == "RUN"]) | BASE_PACKAGES
    problems = []
    for lib in needed:
        owner = subprocess.run(["dpkg", "-S", f"*/{lib}"], capture_output=True, text=True)
        packages = {line.split(":")[0] for line in owner.stdout.splitlines() if ":" in line}
        if not packages:
            problems.append(f"{lib}: no Debian package provides it here")
        elif not packages & installed:
            problems.append(f"{lib} (from {sorted(packages)}) is not installed by the runtime stage")
    return problems


def dockerignore_patterns(root: Path) -> list[str]:
    path = root / ".dockerignore"
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def _pattern_regex(pattern: str) -> re.Pattern:
    out = ""
    i = 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + "$")


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore keeps path (relative to the context) out of the build context."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = _pattern_regex(pattern.lstrip("!"))
        if any(regex.match(p) for p in prefixes):
            result = not negate
    return result


def git_files(root: Path) -> list[str]:
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files"], capture_output=True, text=True, check=True)
        return out.stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return []


# ---------------------------------------------------------------------------------------------
# docker compose, Prometheus, Grafana
# ---------------------------------------------------------------------------------------------
def _port_pair(spec) -> tuple[str, int]:
    text = str(spec)
    host, _, container = text.rpartition(":")
    return host, int(container.split("/")[0])


def check_compose(root: Path) -> list[str]:
    problems = []
    deploy = root / "deploy"
    compose = load_yaml_docs(deploy / "docker-compose.yml")[0]
    services = compose.get("services", {})
    config = service_config(root)
    http_port = config["http"]["port"]

    for name, svc in services.items():
        for dep in svc.get("depends_on", []) or []:
            if dep not in services:
                problems.append(f"{name} depends on unknown service {dep}")
        for value in (svc.get("environment") or {}).values() if isinstance(svc.get("environment"), dict) else []:
            if not isinstance(value, str):
                problems.append(f"{name}: environment value {value!r} should be a string")
        for volume in svc.get("volumes", []) or []:
            source = str(volume).split(":")[0]
            if source.startswith("."):
                if not (deploy / source).exists():
                    problems.append(f"{name} mounts {source}, which does not exist")
            elif source not in (compose.get("volumes") or {}):
                problems.append(f"{name} mounts undeclared volume {source}")

    kafka = services.get("kafka")
    if not kafka:
        return problems + ["no kafka service"]
    pom = (root / "deploy/kafka/pom.xml").read_text()
    kafka_version = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom)
    if kafka_version and kafka.get("image") != f"apache/kafka:{kafka_version.group(1)}":
        problems.append(f"kafka image {kafka.get('image')} is not the local broker's {kafka_version.group(1)}")
    env = kafka.get("environment", {})
    advertised = dict(re.findall(r"(\w+)://([^,]+)", env.get("KAFKA_ADVERTISED_LISTENERS", "")))
    bootstrap = advertised.get("PLAINTEXT", "")
    if bootstrap.split(":")[0] != "kafka":
        problems.append(f"Kafka advertises {bootstrap}, which other services cannot reach as 'kafka'")

    init = services.get("topic-init")
    if not init:
        problems.append("no topic-init service")
    else:
        args = list(init.get("command", []))
        flags = dict(zip(args[::2], args[1::2]))
        if not any("topics.sh" in str(v) for v in init.get("volumes", [])):
            problems.append("topic-init does not mount deploy/topics.sh")
        if flags.get("--bootstrap") != bootstrap:
            problems.append(f"topic-init uses {flags.get('--bootstrap')}, Kafka advertises {bootstrap}")
        if flags.get("--partitions") != str(config["kafka"]["partitions"]):
            problems.append(f"topic-init makes {flags.get('--partitions')} partitions, "
                            f"kafka.partitions is {config['kafka']['partitions']}")
        if flags.get("--replication-factor") != str(config["kafka"]["replication_factor"]):
            problems.append("topic-init's replication factor differs from kafka.replication_factor")

    instances = sorted(n for n in services if re.fullmatch(r"meal-dispatchd-\d+", n))
    if instances != ["meal-dispatchd-1", "meal-dispatchd-2"]:
        problems.append(f"expected meal-dispatchd-1 and -2, found {instances}")
    state_volumes = set()
    for name in instances:
        svc = services[name]
        sets = _set_args(list(svc.get("command", [])))
        if sets.get("kafka.bootstrap_servers") != bootstrap:
            problems.append(f"{name} bootstraps from {sets.get('kafka.bootstrap_servers')}, not {bootstrap}")
        if sets.get("http.address") != "0.0.0.0":
            problems.append(f"{name} must set http.address=0.0.0.0")
        if "kafka.group_id" in sets:
            problems.append(f"{name} overrides kafka.group_id; both instances share one group")
        container_ports = [_port_pair(p)[1] for p in svc.get("ports", [])]
        if container_ports != [http_port]:
            problems.append(f"{name} publishes container ports {container_ports}, http.port is {http_port}")
        mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in svc.get("volumes", [])}
        if mounts.get(CONFIG_FILE) != "./config/meal-dispatchd.toml":
            problems.append(f"{name} does not mount deploy/config/meal-dispatchd.toml at {CONFIG_FILE}")
        state = mounts.get(STATE_MOUNT)
        if not state or state.startswith("."):
            problems.append(f"{name} has no named state volume at {STATE_MOUNT}")
        state_volumes.add(state)
        state_path = sets.get("state.path", "")
        if not state_path.startswith(STATE_MOUNT):
            problems.append(f"{name} keeps state at '{state_path}', outside its volume")
        deps = svc.get("depends_on", {})
        if not isinstance(deps, dict) or deps.get("topic-init", {}).get("condition") != "service_completed_successfully":
            problems.append(f"{name} must wait for topic-init to complete")
    if len(state_volumes) != len(instances):
        problems.append("the instances share a state volume")

    problems += _check_prometheus(root, services, instances, http_port)
    problems += _check_grafana(root, services)
    return problems


def _container_mount(svc: dict, source: str):
    for volume in svc.get("volumes", []) or []:
        parts = str(volume).split(":")
        if parts[0].rstrip("/") == source.rstrip("/"):
            return parts[1]
    return None


def _check_prometheus(root, services, instances, http_port) -> list[str]:
    problems = []
    prom = services.get("prometheus")
    if not prom:
        return ["no prometheus service"]
    config_path = _container_mount(prom, "./prometheus/prometheus.yml")
    if config_path != "/etc/prometheus/prometheus.yml":
        problems.append("prometheus does not mount deploy/prometheus/prometheus.yml as its configuration")
    config = load_yaml_docs(root / "deploy/prometheus/prometheus.yml")[0]
    for rule_file in config.get("rule_files", []):
        if not (root / "deploy/prometheus" / rule_file).exists():
            problems.append(f"rule file {rule_file} does not exist")
        elif _container_mount(prom, f"./prometheus/{rule_file}") != f"/etc/prometheus/{rule_file}":
            problems.append(f"rule file {rule_file} is not mounted beside the configuration")
    if not config.get("rule_files"):
        problems.append("prometheus.yml loads no rule file")
    jobs = {j.get("job_name"): j for j in config.get("scrape_configs", [])}
    job = jobs.get("meal-dispatchd")
    if not job:
        return problems + ["no scrape job meal-dispatchd"]
    targets = {t for sc in job.get("static_configs", []) for t in sc.get("targets", [])}
    wanted = {f"{name}:{http_port}" for name in instances}
    if targets != wanted:
        problems.append(f"scrape targets {sorted(targets)}, expected {sorted(wanted)}")
    if job.get("metrics_path", "/metrics") != "/metrics":
        problems.append("the service serves metrics at /metrics")
    return problems


def _check_grafana(root, services) -> list[str]:
    problems = []
    grafana = services.get("grafana")
    prom = services.get("prometheus", {})
    if not grafana:
        return ["no grafana service"]
    provisioning = _container_mount(grafana, "./grafana/provisioning")
    if provisioning != "/etc/grafana/provisioning":
        problems.append("grafana does not mount deploy/grafana/provisioning at /etc/grafana/provisioning")
    dashboards_mount = _container_mount(grafana, "./grafana/dashboards")
    prom_ports = [_port_pair(p)[1] for p in prom.get("ports", [])] or [9090]
    uids = set()
    for path in sorted((root / "deploy/grafana/provisioning/datasources").glob("*.y*ml")):
        for ds in load_yaml_docs(path)[0].get("datasources", []):
            uids.add(ds.get("uid"))
            if ds.get("type") == "prometheus" and ds.get("url") != f"http://prometheus:{prom_ports[0]}":
                problems.append(f"datasource {ds.get('name')} points at {ds.get('url')}, "
                                f"not the prometheus service")
    paths = [p.get("options", {}).get("path")
             for path in sorted((root / "deploy/grafana/provisioning/dashboards").glob("*.y*ml"))
             for p in load_yaml_docs(path)[0].get("providers", [])]
    if not paths or any(p != dashboards_mount for p in paths):
        problems.append(f"dashboard providers read {paths}, the dashboards are mounted at {dashboards_mount}")
    home = grafana.get("environment", {}).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
    if home and dashboards_mount and not (root / "deploy/grafana/dashboards" /
                                          Path(home).relative_to(dashboards_mount)).exists():
        problems.append(f"home dashboard {home} is not a file in deploy/grafana/dashboards")
    problems += check_dashboards(root, uids)
    return problems


def check_dashboards(root: Path, datasource_uids: set | None = None) -> list[str]:
    problems = []
    allowed = series_names(exported_metrics(root))
    files = sorted((root / "deploy/grafana/dashboards").glob("*.json"))
    if not files:
        problems.append("no dashboard in deploy/grafana/dashboards")
    for path in files:
        try:
            dash = json.loads(path.read_text())
        except json.JSONDecodeError as e:
            problems.append(f"{path.name}: {e}")
            continue
        panels = dash.get("panels", [])
        for row in [p for p in panels if p.get("type") == "row"]:
            panels += row.get("panels", [])
        ids = [p.get("id") for p in panels]
        if len(ids) != len(set(ids)):
            problems.append(f"{path.name}: panel ids repeat")
        exprs = 0
        for panel in panels:
            for target in panel.get("targets", []):
                ds = target.get("datasource") or panel.get("datasource") or {}
                if datasource_uids is not None and ds.get("uid") not in datasource_uids:
                    problems.append(f"{path.name} '{panel.get('title')}': datasource {ds.get('uid')} is not provisioned")
                if "expr" in target:
                    exprs += 1
                    problems += check_promql(f"{path.name} '{panel.get('title')}'",
                                             grafana_to_promql(target["expr"]), allowed)
        for var in dash.get("templating", {}).get("list", []):
            query = var.get("query")
            query = query.get("query") if isinstance(query, dict) else query
            m = re.fullmatch(r"label_values\((.+),\s*\w+\)", query or "")
            if m:
                problems += check_promql(f"{path.name} variable {var.get('name')}", m.group(1), allowed)
        if exprs == 0:
            problems.append(f"{path.name}: no panel queries Prometheus")
    return problems


def check_alert_rules(root: Path) -> list[str]:
    problems = []
    allowed = series_names(exported_metrics(root))
    rules = load_yaml_docs(root / "deploy/prometheus/alerts.yml")[0]
    jobs = {j.get("job_name") for j in
            load_yaml_docs(root / "deploy/prometheus/prometheus.yml")[0].get("scrape_configs", [])}
    count = 0
    for group in rules.get("groups", []):
        for rule in group.get("rules", []):
            count += 1
            name = rule.get("alert") or rule.get("record") or f"rule {count}"
            if "alert" not in rule:
                continue
            annotations = rule.get("annotations", {})
            for key in ("summary", "runbook"):
                if not str(annotations.get(key, "")).strip():
                    problems.append(f"alert {name} has no {key}")
            if rule.get("labels", {}).get("severity") not in ("critical", "warning", "info"):
                problems.append(f"alert {name} has no severity label")
            expr = str(rule.get("expr", ""))
            problems += check_promql(f"alert {name}", expr, allowed)
            for job in re.findall(r'job\s*=\s*"([^"]+)"', expr):
                if job not in jobs:
                    problems.append(f"alert {name} selects job {job}, which Prometheus does not scrape")
    if count == 0:
        problems.append("alerts.yml has no rules")
    return problems


def promtool_check(path: Path) -> list[str]:
    result = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True)
    return [] if result.returncode == 0 else [f"promtool: {result.stdout}{result.stderr}"]


# ---------------------------------------------------------------------------------------------
# systemd
# ---------------------------------------------------------------------------------------------
def parse_unit(path: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) in order; systemd allows a key more than once, so no dict."""
    entries, section, pending = [], "", ""
    for raw in path.read_text().splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif "=" in line:
            key, value = line.split("=", 1)
            entries.append((section, key.strip(), value.strip()))
        else:
            entries.append((section, line, None))
    return entries


def check_systemd(root: Path) -> list[str]:
    problems = []
    unit = root / "deploy/systemd/meal-dispatchd.service"
    entries = parse_unit(unit)
    service = {}
    for section, key, value in entries:
        if value is None:
            problems.append(f"[{section}] {key}: not key=value")
        elif section == "Service":
            service.setdefault(key, []).append(value)
    last = {k: v[-1] for k, v in service.items()}
    exact = {"ProtectSystem": "strict", "PrivateTmp": "yes", "NoNewPrivileges": "yes",
             "StateDirectory": "meal-dispatch", "CapabilityBoundingSet": "", "Restart": "on-failure"}
    for key, value in exact.items():
        if last.get(key) != value:
            problems.append(f"{key}={last.get(key)}, expected {key}={value}")
    if last.get("ProtectHome") not in ("yes", "read-only", "tmpfs"):
        problems.append("ProtectHome is missing")
    if STATE_MOUNT not in " ".join(service.get("ReadWritePaths", [])).split():
        problems.append(f"ReadWritePaths lacks {STATE_MOUNT}")
    families = set(" ".join(service.get("RestrictAddressFamilies", [])).split())
    if families != {"AF_INET", "AF_INET6", "AF_UNIX"}:
        problems.append(f"RestrictAddressFamilies={sorted(families)}")
    if "@system-service" not in " ".join(service.get("SystemCallFilter", [])).split():
        problems.append("SystemCallFilter lacks @system-service")
    if not last.get("MemoryMax"):
        problems.append("MemoryMax is missing")
    if last.get("DynamicUser") != "yes" and not last.get("User"):
        problems.append("neither DynamicUser=yes nor a User")
    if last.get("User") and last.get("User") != "root":
        sysusers = root / "deploy/systemd/meal-dispatchd.sysusers"
        if not sysusers.exists() or not re.search(rf"^u\s+{re.escape(last['User'])}\s", sysusers.read_text(), re.M):
            problems.append(f"User {last['User']} is not created by deploy/systemd/meal-dispatchd.sysusers")
    elif last.get("User") == "root":
        problems.append("the service must not run as root")
    exec_start = shlex.split(last.get("ExecStart", ""))
    sets = _set_args(exec_start)
    if not exec_start or not exec_start[0].endswith("/meal-dispatchd"):
        problems.append("ExecStart does not run meal-dispatchd")
    if " ".join(exec_start[1:3]) != f"--config {CONFIG_FILE}":
        problems.append(f"ExecStart must pass --config {CONFIG_FILE}")
    if sets.get("state.path") != STATE_MOUNT:
        problems.append(f"ExecStart must --set state.path={STATE_MOUNT}")
    return problems


def systemd_analyze(root: Path, work: Path) -> list[str]:
    """systemd's own reading of the unit. ExecStart points at /bin/true in a copy, since the
    service binary is not installed where the check runs."""
    unit = root / "deploy/systemd/meal-dispatchd.service"
    copy = work / unit.name
    copy.write_text(re.sub(r"^ExecStart=\S+", "ExecStart=/bin/true", unit.read_text(), flags=re.M))
    problems = []
    verify = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True)
    complaints = [line for line in (verify.stdout + verify.stderr).splitlines()
                  if str(copy) in line or "Unknown" in line or "Failed" in line or "Invalid" in line]
    if verify.returncode != 0 or complaints:
        problems.append(f"systemd-analyze verify: {verify.stdout}{verify.stderr}".strip())
    # Exposure is reported from 0 (locked down) to 10; --threshold counts tenths.
    security = subprocess.run(["systemd-analyze", "security", "--offline=true", "--threshold=20",
                               "--no-pager", str(copy)], capture_output=True, text=True)
    if security.returncode != 0:
        problems.append("systemd-analyze security: exposure above 2.0: "
                        + (security.stdout.strip().splitlines() or [security.stderr.strip()])[-1])
    return problems


# ---------------------------------------------------------------------------------------------
# topics.sh
# ---------------------------------------------------------------------------------------------
STUB = """#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$STUB_LOG"
"""


def run_topics_script(root: Path, work: Path, partitions: int = 6, replication: int = 3):
    """Runs deploy/topics.sh against a stand-in kafka-topics.sh that records its arguments."""
    kafka_home = work / "kafka"
    (kafka_home / "bin").mkdir(parents=True, exist_ok=True)
    tool = kafka_home / "bin/kafka-topics.sh"
    tool.write_text(STUB)
    tool.chmod(0o755)
    log = work / "calls.log"
    log.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEAL_")}
    env.update(KAFKA_HOME=str(kafka_home), STUB_LOG=str(log))
    result = subprocess.run(
        ["bash", str(root / "deploy/topics.sh"), "--bootstrap", "broker:9092",
         "--partitions", str(partitions), "--replication-factor", str(replication)],
        capture_output=True, text=True, env=env, timeout=60)
    return result, [shlex.split(line) for line in log.read_text().splitlines()]


# The changelog topic settings that bound how long it keeps an erased elder, and the service's
# keys that set them when the service creates the topic.
CHANGELOG_COMPACTION = {"segment.ms": "changelog_segment_ms",
                        "max.compaction.lag.ms": "changelog_compaction_lag_ms",
                        "delete.retention.ms": "changelog_tombstone_ms"}


def changelog_compaction_problems(root: Path, configs: dict[str, str]) -> list[str]:
    retention = service_config(root).get("retention", {})
    return [f"the changelog's {setting} is {configs.get(setting)}, retention.{key} is {retention.get(key)}"
            for setting, key in CHANGELOG_COMPACTION.items() if configs.get(setting) != str(retention.get(key))]


def check_topics_script(root: Path, work: Path) -> list[str]:
    problems = []
    script = root / "deploy/topics.sh"
    syntax = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    if syntax.returncode != 0:
        return [f"bash -n deploy/topics.sh: {syntax.stderr.strip()}"]
    text = script.read_text()
    topics = documented_topics(root)
    if not topics:
        return ["docs/configuration.md names no topics"]
    for t in topics:
        if not re.search(rf"(^|\s){re.escape(t.name)}(\s|$)", text, re.M):
            problems.append(f"deploy/topics.sh never names {t.name}")
    config_topics = service_config(root).get("topics", {})
    for t in topics:
        if config_topics.get(t.key.split(".", 1)[1]) != t.name:
            problems.append(f"{t.key} is {config_topics.get(t.key.split('.', 1)[1])} in the TOML file, "
                            f"{t.name} in docs/configuration.md")

    partitions, replication = 6, 3
    result, calls = run_topics_script(root, work, partitions, replication)
    if result.returncode != 0:
        return problems + [f"deploy/topics.sh failed: {result.stderr.strip()}"]
    created = {}
    for args in calls:
        opts: dict[str, list[str]] = {}
        for flag, value in zip(args, args[1:] + [""]):
            if flag.startswith("--"):
                opts.setdefault(flag, []).append(value)
        configs = dict(c.split("=", 1) for c in opts.get("--config", []))
        name = opts.get("--topic", [""])[0]
        if "--create" not in args or "--if-not-exists" not in args:
            problems.append(f"{name}: not created with --create --if-not-exists")
        if opts.get("--bootstrap-server") != ["broker:9092"]:
            problems.append(f"{name}: --bootstrap-server not passed on")
        if opts.get("--replication-factor") != [str(replication)]:
            problems.append(f"{name}: replication factor not passed on")
        if name in created:
            problems.append(f"{name} created twice")
        created[name] = (int(opts.get("--partitions", ["0"])[0]), configs)
    retention = {}
    for t in topics:
        if t.name not in created:
            problems.append(f"deploy/topics.sh does not create {t.name}")
            continue
        count, configs = created[t.name]
        if configs.get("message.timestamp.after.max.ms") != "9223372036854775807":
            problems.append(f"{t.name}: lacks the event-time timestamp setting the service uses")
        if t.compacted:
            if configs.get("cleanup.policy") != "compact":
                problems.append(f"{t.name}: compacted topic is not compacted")
        elif configs.get("cleanup.policy") != "delete" or "retention.ms" not in configs:
            problems.append(f"{t.name}: needs cleanup.policy=delete with a retention.ms")
        else:
            retention[t.key] = int(configs["retention.ms"])
        if t.key == "topics.changelog":
            problems += changelog_compaction_problems(root, configs)
        if t.registry and count != 1:
            problems.append(f"{t.name}: {count} partitions; the service creates and expects 1")
        if not t.registry and count != partitions:
            problems.append(f"{t.name}: {count} partitions, asked for {partitions}")
    extra = set(created) - {t.name for t in topics}
    if extra:
        problems.append(f"deploy/topics.sh creates undocumented topics {sorted(extra)}")
    dlq = retention.pop("topics.dlq", None)
    commands = retention.pop("topics.commands", None)
    if dlq is None or not retention or dlq <= max(retention.values()):
        problems.append("the dead-letter topic must be kept longer than the other topics")
    # Operators' commands are the audit trail of their decisions.
    if commands is None or not retention or commands <= max(retention.values()):
        problems.append("the commands topic must be kept longer than the other topics")
    return problems


def find_built_binary(root: Path) -> Path | None:
    """The meal-dispatchd that ctest's build made, if any."""
    candidates = []
    if os.environ.get("MEAL_TEST_BIN_DIR"):
        candidates.append(Path(os.environ["MEAL_TEST_BIN_DIR"]) / "meal-dispatchd")
    candidates += sorted(root.glob("build*/src/main/meal-dispatchd"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
