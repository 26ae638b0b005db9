#include "controlplane/kwok_config.h"

#include <fmt/core.h>

#include "core/json.h"

namespace kv::controlplane {

namespace {

// One KWOK Stage: objects of `kind` whose fields match `match` (matchExpressions items) get what `next`
// says, after `delay` (a "delay:" block, or "").
std::string stage(const char* name, const char* kind, const std::string& match, const std::string& delay,
                  const std::string& next) {
  return std::string("apiVersion: kwok.x-k8s.io/v1alpha1\nkind: Stage\nmetadata:\n  name: ") + name +
         "\nspec:\n  resourceRef: {apiGroup: v1, kind: " + kind + "}\n  selector:\n    matchExpressions:\n" + match +
         delay + "  next:\n" + next;
}

// A node's conditions as KWOK's NodeConditions lists them, beaten now; `transition` is the Go template of
// their lastTransitionTime.
std::string node_conditions(const std::string& transition) {
  return R"(      conditions:
      {{ range NodeConditions }}
      - type: {{ .type | Quote }}
        status: {{ .status | Quote }}
        reason: {{ .reason | Quote }}
        message: {{ .message | Quote }}
        lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: )" + transition + R"(
      {{ end }}
)";
}

// The fields that name a container in its status (inside a range over containers).
constexpr const char* kContainerId = R"(      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        imageID: {{ printf "simulated://%s" .image | Quote }}
)";

constexpr const char* kTemplateStart = "    statusTemplate: |\n      {{ $now := Now }}\n";
constexpr const char* kTerminated =
    "state: {terminated: {exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }}}}\n";

// Each stage selects objects by jq-like expressions and writes the status a kubelet would. A node is
// set Running once; KWOK's lease controller then keeps it alive (the node lifecycle controller reads
// leases), and a heartbeat stage refreshes the conditions now and then as a kubelet does.
std::string node_stages() {
  return stage("kvalidate-node-ready", "Node", "    - {key: '.status.phase', operator: 'NotIn', values: ['Running']}\n", "",
               kTemplateStart + std::string("      phase: Running\n") + node_conditions("{{ $now | Quote }}") +
                   R"(      addresses:
      - {type: InternalIP, address: {{ NodeIP | Quote }}}
      - {type: Hostname, address: {{ .metadata.name | Quote }}}
      allocatable: {{ .status.allocatable | toJson }}
      capacity: {{ .status.capacity | toJson }}
      nodeInfo:
        architecture: amd64
        operatingSystem: linux
        containerRuntimeVersion: {{ printf "kwok://%s" Version | Quote }}
        kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
        kernelVersion: simulated
        osImage: simulated by KWOK for kvalidate
)") +
         "---\n" +
         stage("kvalidate-node-heartbeat", "Node", "    - {key: '.status.phase', operator: 'In', values: ['Running']}\n",
               "  delay:\n    durationMilliseconds: 240000\n    jitterDurationMilliseconds: 60000\n",
               kTemplateStart + node_conditions("{{ or .metadata.creationTimestamp $now | Quote }}"));
}

// Pods: scheduled and pending → Running with every container ready (init containers completed,
// sidecar init containers running); Running pods of Jobs, and bare pods that run once
// (restartPolicy Never or OnFailure, e.g. helm test hooks) → Succeeded; a pod being deleted → gone,
// as a kubelet confirms the deletion.
std::string pod_stages() {
  const std::string alive = "    - {key: '.metadata.deletionTimestamp', operator: 'DoesNotExist'}\n";
  const std::string running = kTemplateStart + std::string(R"(      phase: Running
      startTime: {{ $now | Quote }}
      conditions:
      {{ range list "PodScheduled" "Initialized" "PodReadyToStartContainers" "ContainersReady" "Ready" }}
      - {type: {{ . }}, status: "True", lastTransitionTime: {{ $now | Quote }}}
      {{ end }}
      {{ range .spec.readinessGates }}
      - {type: {{ .conditionType | Quote }}, status: "True", lastTransitionTime: {{ $now | Quote }}}
      {{ end }}
      containerStatuses:
      {{ range .spec.containers }}
)") + kContainerId + R"(        ready: true
        started: true
        restartCount: 0
        state: {running: {startedAt: {{ $now | Quote }}}}
      {{ end }}
      {{ with .spec.initContainers }}
      initContainerStatuses:
      {{ range . }}
)" + kContainerId + R"(        restartCount: 0
        {{ if eq (or .restartPolicy "") "Always" }}
        ready: true
        started: true
        state: {running: {startedAt: {{ $now | Quote }}}}
        {{ else }}
        ready: true
        )" + kTerminated + R"(        {{ end }}
      {{ end }}
      {{ end }}
      {{ $ip := PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
      podIP: {{ $ip | Quote }}
      podIPs: [{ip: {{ $ip | Quote }}}]
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      hostIPs: [{ip: {{ NodeIPWith .spec.nodeName | Quote }}}]
)";
  const std::string succeeded = kTemplateStart + std::string(R"(      phase: Succeeded
      conditions:
      {{ range list "ContainersReady" "Ready" }}
      - {type: {{ . }}, status: "False", reason: PodCompleted, lastTransitionTime: {{ $now | Quote }}}
      {{ end }}
      containerStatuses:
      {{ range .spec.containers }}
)") + kContainerId + R"(        ready: false
        started: false
        restartCount: 0
        )" + kTerminated + "      {{ end }}\n";
  return stage("kvalidate-pod-running", "Pod", alive + "    - {key: '.status.phase', operator: 'In', values: ['Pending']}\n",
               "", running) +
         "---\n" +
         stage("kvalidate-pod-succeeded", "Pod",
               alive + "    - {key: '.status.phase', operator: 'In', values: ['Running']}\n" +
                   "    - {key: '.spec.restartPolicy', operator: 'In', values: ['Never', 'OnFailure']}\n",
               "  delay:\n    durationMilliseconds: 1000\n", succeeded) +
         "---\n" +
         stage("kvalidate-pod-deleted", "Pod", "    - {key: '.metadata.deletionTimestamp', operator: 'Exists'}\n", "",
               "    delete: true\n");
}

}  // namespace

std::string kwok_stages_yaml() { return node_stages() + "---\n" + pod_stages(); }

std::string simulated_node_name(int i) { return fmt::format("kvalidate-node-{}", i); }

std::string simulated_node_json(int i) {
  const std::string name = simulated_node_name(i);
  JsonWriter w;
  w.begin_object();
  w.key("apiVersion").value("v1");
  w.key("kind").value("Node");
  w.key("metadata").begin_object();
  w.key("name").value(name);
  w.key("annotations").begin_object();
  w.key(kKwokNodeAnnotation).value("fake");
  w.key("node.alpha.kubernetes.io/ttl").value("0");
  w.end_object();
  w.key("labels").begin_object();
  w.key("kubernetes.io/hostname").value(name);
  w.key("kubernetes.io/os").value("linux");
  w.key("kubernetes.io/arch").value("amd64");
  w.key("topology.kubernetes.io/zone").value(fmt::format("zone-{}", static_cast<char>('a' + i)));
  w.key("type").value("kwok");
  w.end_object();
  w.end_object();
  w.key("status").begin_object();
  for (const char* field : {"allocatable", "capacity"}) {
    w.key(field).begin_object();
    w.key("cpu").value("32");
    w.key("memory").value("128Gi");
    w.key("ephemeral-storage").value("1Ti");
    w.key("pods").value("250");
    w.end_object();
  }
  w.end_object();
  w.end_object();
  return w.str();
}

}  // namespace kv::controlplane
