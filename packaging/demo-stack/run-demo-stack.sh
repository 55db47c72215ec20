#!/usr/bin/env bash
# run-demo-stack.sh: a real monitoring stack on loopback for noc-app's
# config/ecommerce.yaml wall: Prometheus, Alertmanager, node_exporter and an
# instrumented sample service (the seed's "ecommerce-api"), loaded with the
# seed's alert rules and an always-firing Watchdog.
#
#   run-demo-stack.sh [--shorten] [--keep]   start everything; Ctrl-C stops it all
#   run-demo-stack.sh errors RATIO           set the sample service's 5xx ratio (0..1)
#   run-demo-stack.sh latency SECONDS        add latency to every simulated request
#   run-demo-stack.sh pause NAME             freeze one server (SIGSTOP): it stops answering,
#                                            noc-app turns its panels STALE after a timeout
#   run-demo-stack.sh resume NAME            unfreeze it: the panels come back to OK
#     NAME: prometheus, alertmanager, node_exporter, sample_service
#
#   --shorten  load the fast copy of the seed rules ([30s] windows, `for: 5s`), so
#              `errors 0.3` makes HighErrorRate fire within a minute (the seed's own
#              rules need 2-10 minutes)
#   --keep     keep the temp directory (configs, logs, data) after exit
#
# Ports (loopback only), overridable by environment:
#   NOC_DEMO_PROMETHEUS_PORT=19090  NOC_DEMO_ALERTMANAGER_PORT=19093
#   NOC_DEMO_NODE_EXPORTER_PORT=19100  NOC_DEMO_SAMPLE_PORT=18080
# Binaries (Debian packages prometheus, prometheus-alertmanager,
# prometheus-node-exporter): PROMETHEUS_BIN, ALERTMANAGER_BIN, NODE_EXPORTER_BIN.
# PYTHON: an interpreter with prometheus_client (default: python3).
#
# Every server runs in its own process group; on exit, Ctrl-C or TERM the
# script terminates each group it started (then kills what is left after 5 s).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PROM_PORT="${NOC_DEMO_PROMETHEUS_PORT:-19090}"
AM_PORT="${NOC_DEMO_ALERTMANAGER_PORT:-19093}"
NODE_PORT="${NOC_DEMO_NODE_EXPORTER_PORT:-19100}"
SAMPLE_PORT="${NOC_DEMO_SAMPLE_PORT:-18080}"
PROMETHEUS_BIN="${PROMETHEUS_BIN:-/usr/bin/prometheus}"
ALERTMANAGER_BIN="${ALERTMANAGER_BIN:-/usr/bin/prometheus-alertmanager}"
NODE_EXPORTER_BIN="${NODE_EXPORTER_BIN:-/usr/bin/prometheus-node-exporter}"
PYTHON="${PYTHON:-python3}"
HOST=127.0.0.1

die() { echo "run-demo-stack: $*" >&2; exit 1; }

# GET or POST a URL; prints the body; non-zero on connection failure or HTTP >= 400.
http() {
  local method="$1" url="$2"
  "$PYTHON" - "$method" "$url" <<'EOF'
import sys, urllib.error, urllib.request
method, url = sys.argv[1], sys.argv[2]
try:
    with urllib.request.urlopen(urllib.request.Request(url, method=method, data=b"" if method == "POST" else None), timeout=3) as r:
        sys.stdout.write(r.read().decode("utf-8", "replace"))
except urllib.error.HTTPError as e:
    sys.stdout.write(e.read().decode("utf-8", "replace"))
    sys.exit(2)
except OSError as e:
    sys.stderr.write(f"{url}: {e}\n")
    sys.exit(1)
EOF
}

control() {
  local name="$1" value="${2:-}"
  [[ -n "$value" ]] || die "usage: run-demo-stack.sh ${name/error_ratio/errors} VALUE"
  local url="http://$HOST:$SAMPLE_PORT/control?$name=$value"
  if ! answer="$(http POST "$url")"; then
    die "sample service at http://$HOST:$SAMPLE_PORT refused: ${answer:-not running? start the stack first}"
  fi
  echo "$answer"
}

# Which process group each server runs in, so `pause`/`resume` from another shell find them.
STATE_FILE="${TMPDIR:-/tmp}/noc-demo-stack-$PROM_PORT.pids"

signal_server() {
  local sig="$1" name="${2:-}" pid
  [[ -n "$name" ]] || die "usage: run-demo-stack.sh pause|resume NAME"
  [[ -f "$STATE_FILE" ]] || die "no demo stack running ($STATE_FILE not found)"
  pid="$(awk -v n="$name" '$1 == n {print $2}' "$STATE_FILE")"
  [[ -n "$pid" ]] || die "unknown server '$name'; running: $(cut -d' ' -f1 "$STATE_FILE" | xargs)"
  kill "-$sig" -- "-$pid"
}

case "${1:-}" in
  pause) signal_server STOP "${2:-}"; echo "${2} paused: it no longer answers (resume with: $0 resume ${2})"; exit 0 ;;
  resume) signal_server CONT "${2:-}"; echo "${2} resumed"; exit 0 ;;
  errors) control error_ratio "${2:-}"; exit 0 ;;
  latency) control latency "${2:-}"; exit 0 ;;
  -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

SHORTEN=0
KEEP=0
for arg in "$@"; do
  case "$arg" in
    --shorten) SHORTEN=1 ;;
    --keep) KEEP=1 ;;
    *) die "unknown argument '$arg' (try --help)" ;;
  esac
done

for bin in "$PROMETHEUS_BIN:prometheus" "$ALERTMANAGER_BIN:prometheus-alertmanager" \
           "$NODE_EXPORTER_BIN:prometheus-node-exporter"; do
  [[ -x "${bin%%:*}" ]] || die "${bin%%:*} not found: apt-get install ${bin##*:}"
done
"$PYTHON" -c 'import prometheus_client' 2>/dev/null \
  || die "$PYTHON has no prometheus_client: pip install prometheus-client (or set PYTHON=...)"

if [[ $SHORTEN == 1 ]]; then
  RULES="$REPO/tests/integration/alerts_fast.yml"
  [[ -f "$RULES" ]] || die "--shorten needs $RULES (run from a noc-app checkout)"
else
  RULES="$HERE/alerts.yml"
fi

for port in "$PROM_PORT" "$AM_PORT" "$NODE_PORT" "$SAMPLE_PORT"; do
  if http GET "http://$HOST:$port/" >/dev/null 2>&1 || [[ $? == 2 ]]; then
    die "port $port on $HOST is already in use (another demo stack?); override with NOC_DEMO_*_PORT"
  fi
done

WORKDIR="$(mktemp -d "${TMPDIR:-/tmp}/noc-demo-stack.XXXXXX")"
: >"$STATE_FILE"
PIDS=()
NAMES=()
CLEANED=0

cleanup() {
  [[ $CLEANED == 1 ]] && return
  set +m  # no job-status chatter while stopping
  CLEANED=1
  trap - INT TERM EXIT
  echo
  echo "stopping demo stack..."
  local pid
  rm -f "$STATE_FILE"
  # A paused (SIGSTOPped) server would ignore TERM until continued.
  for pid in "${PIDS[@]}"; do kill -CONT -- "-$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ $KEEP == 1 ]]; then
    echo "configs and logs kept in $WORKDIR"
  else
    rm -rf "$WORKDIR"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Job control: every background server gets its own process group (pgid = pid).
set -m

start() {
  local name="$1"; shift
  "$@" >"$WORKDIR/$name.log" 2>&1 &
  PIDS+=("$!")
  NAMES+=("$name")
  echo "$name $!" >>"$STATE_FILE"
}

wait_ready() {
  local name="$1" url="$2" pid="$3"
  for _ in $(seq 150); do
    http GET "$url" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$WORKDIR/$name.log" >&2; die "$name exited during start-up"; }
    sleep 0.2
  done
  tail -n 20 "$WORKDIR/$name.log" >&2
  die "$name not ready at $url after 30 s"
}

cat >"$WORKDIR/prometheus.yml" <<EOF
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - $RULES
  - $HERE/watchdog.yml
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['$HOST:$AM_PORT']
scrape_configs:
  - job_name: prometheus
    static_configs: [{targets: ['$HOST:$PROM_PORT']}]
  - job_name: node
    static_configs: [{targets: ['$HOST:$NODE_PORT']}]
  - job_name: ecommerce-api
    static_configs: [{targets: ['$HOST:$SAMPLE_PORT']}]
EOF

# A receiver without integrations: notifications go nowhere; the API keeps
# every alert and silence, which is what noc-app reads.
cat >"$WORKDIR/alertmanager.yml" <<EOF
route:
  receiver: blackhole
  group_wait: 5s
  group_interval: 10s
  repeat_interval: 1h
receivers:
  - name: blackhole
EOF

start sample_service "$PYTHON" "$HERE/sample_service.py" --port "$SAMPLE_PORT" --host "$HOST"
start node_exporter "$NODE_EXPORTER_BIN" "--web.listen-address=$HOST:$NODE_PORT"
start alertmanager "$ALERTMANAGER_BIN" "--config.file=$WORKDIR/alertmanager.yml" \
  "--storage.path=$WORKDIR/alertmanager" "--web.listen-address=$HOST:$AM_PORT" "--cluster.listen-address="
# resend-delay: Watchdog fires at the first evaluation, before Alertmanager is
# discovered; the default 1m resend would leave the dead man's switch missing.
start prometheus "$PROMETHEUS_BIN" "--config.file=$WORKDIR/prometheus.yml" \
  "--storage.tsdb.path=$WORKDIR/prometheus" "--web.listen-address=$HOST:$PROM_PORT" \
  "--rules.alert.resend-delay=5s"

wait_ready sample_service "http://$HOST:$SAMPLE_PORT/healthz" "${PIDS[0]}"
wait_ready node_exporter "http://$HOST:$NODE_PORT/metrics" "${PIDS[1]}"
wait_ready alertmanager "http://$HOST:$AM_PORT/-/ready" "${PIDS[2]}"
wait_ready prometheus "http://$HOST:$PROM_PORT/-/ready" "${PIDS[3]}"

cat <<EOF

demo stack running (rules: $( [[ $SHORTEN == 1 ]] && echo "fast copy, alerts within a minute" || echo "the seed's, full windows" ))
  Prometheus      http://$HOST:$PROM_PORT
  Alertmanager    http://$HOST:$AM_PORT
  node_exporter   http://$HOST:$NODE_PORT/metrics
  sample service  http://$HOST:$SAMPLE_PORT/metrics
  temp dir        $WORKDIR

  wall:           noc-app --config $REPO/config/ecommerce.yaml
  make errors:    $0 errors 0.3      (back to normal: $0 errors 0)
  make it slow:   $0 latency 2.5
Ctrl-C stops everything.
EOF

# Return when any server dies (or a signal arrives); cleanup runs on exit.
set +e
wait -n "${PIDS[@]}"
status=$?
for i in "${!PIDS[@]}"; do
  if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
    echo "run-demo-stack: ${NAMES[$i]} exited (status $status); last log lines:" >&2
    tail -n 10 "$WORKDIR/${NAMES[$i]}.log" >&2
  fi
done
exit 1
