#include "controlplane/status_report.h"

#include <filesystem>

#include <doctest/doctest.h>

#include "core/json.h"

using namespace kv;
using namespace kv::controlplane;

TEST_CASE("human_duration picks two units") {
  CHECK(human_duration(42) == "42s");
  CHECK(human_duration(185) == "3m05s");
  CHECK(human_duration(2 * 3600 + 7 * 60 + 9) == "2h07m");
  CHECK(human_duration(86400 + 3 * 3600) == "1d03h");
}

TEST_CASE("plane_text: a plane never started, and a running full plane") {
  PlaneStatus none;
  none.dir = "/state";
  none.detail = "not running";
  CHECK(plane_text(none, "control plane", 0) == "control plane: not running (state dir /state)\n");
  none.detail = "state.json does not parse";
  CHECK(plane_text(none, "control plane", 0) ==
        "control plane: not running (state dir /state)\n  (state.json does not parse)\n");

  PlaneStatus st;
  st.dir = "/state/v1.35.4";
  st.recorded = st.running = st.healthy = true;
  st.state.backend = "apiserver";
  st.state.full = true;
  st.state.server = "https://127.0.0.1:6443";
  st.state.kubeconfig = "/state/kubeconfig";
  st.state.started_at = 1000;
  st.state.versions = {{"etcd", "v3.6.0"}, {"kube-apiserver", "v1.35.4"}};
  st.state.processes = {{"etcd", 11, 0, "etcd"}, {"apiserver", 12, 0, "kube-apiserver"}, {"scheduler", 13, 0, "kube-scheduler"}};
  CHECK(plane_text(st, "Kubernetes v1.35.4 plane", 1065) ==
        "Kubernetes v1.35.4 plane: running, healthy\n"
        "backend:     apiserver\n"
        "full plane:  scheduler, no simulated nodes (kwok unavailable: pods stay Pending)\n"
        "endpoint:    https://127.0.0.1:6443\n"
        "kubeconfig:  /state/kubeconfig\n"
        "versions:    etcd v3.6.0, kube-apiserver v1.35.4\n"
        "pids:        etcd 11, apiserver 12, scheduler 13\n"
        "uptime:      1m05s\n"
        "state dir:   /state/v1.35.4\n");
  st.running = st.healthy = false;
  st.detail = "etcd (pid 11) is gone";
  CHECK(plane_text(st, "control plane", 1065).rfind(
            "control plane: not running: etcd (pid 11) is gone (the next `kvalidate up` recovers)\n", 0) == 0);
}

TEST_CASE("status_report of an empty state dir: not running, exit 3, as text and JSON") {
  auto dir = std::filesystem::temp_directory_path() / "kv-status-report-test";
  std::filesystem::create_directories(dir);
  auto text = status_report(dir.string(), false);
  CHECK(text.exit_code == 3);
  CHECK(text.output.rfind("control plane: not running (state dir " + dir.string() + ")\n", 0) == 0);
  auto json = status_report(dir.string(), true);
  CHECK(json.exit_code == 3);
  auto doc = parse_json(json.output, "status");
  REQUIRE(doc.ok());
  CHECK_FALSE((*doc)["running"].as<bool>());
  CHECK((*doc)["versionPlanes"].size() == 0);
  std::filesystem::remove_all(dir);
}
