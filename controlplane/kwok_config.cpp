#include "controlplane/kwok_config.h"

#include <fmt/core.h>

#include "core/json.h"

namespace kv::controlplane {

namespace {

// Each stage selects objects by jq-like expressions and writes the status a kubelet would. A node is
// set Running once; KWOK's lease controller then keeps it alive (the node lifecycle controller reads
// leases), and a heartbeat stage refreshes the conditions now and then as a kubelet does.
constexpr const char* kNodeStages = R"(apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: kvalidate-node-ready
spec:
  resourceRef: {apiGroup: v1, kind: Node}
  selector:
    matchExpressions:
    - {key: '.status.phase', operator: 'NotIn', values: ['Running']}
  next:
    statusTemplate: |
      {{ $now := Now }}
      phase: Running
      conditions:
      {{ range NodeConditions }}
      - type: {{ .type | Quote }}
        status: {{ .status | Quote }}
        reason: {{ .reason | Quote }}
        message: {{ .message | Quote }}
        lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $now | Quote }}
      {{ end }}
      addresses:
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
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: kvalidate-node-heartbeat
spec:
  resourceRef: {apiGroup: v1, kind: Node}
  selector:
    matchExpressions:
    - {key: '.status.phase', operator: 'In', values: ['Running']}
  delay:
    durationMilliseconds: 240000
    jitterDurationMilliseconds: 60000
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      {{ range NodeConditions }}
      - type: {{ .type | Quote }}
        status: {{ .status | Quote }}
        reason: {{ .reason | Quote }}
        message: {{ .message | Quote }}
        lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ or .metadata.creationTimestamp $now | Quote }}
      {{ end }}
)";

// Pods: scheduled and pending → Running with every container ready (init containers completed,
// sidecar init containers running); Running pods of Jobs, and bare pods that run once
// (restartPolicy Never or OnFailure, e.g. helm test hooks) → Succeeded; a pod being deleted → gone,
// as a kubelet confirms the deletion.
constexpr const char* kPodStages = R"(apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: kvalidate-pod-running
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: 'DoesNotExist'}
    - {key: '.status.phase', operator: 'In', values: ['Pending']}
  next:
    statusTemplate: |
      {{ $now := Now }}
      phase: Running
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
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        imageID: {{ printf "simulated://%s" .image | Quote }}
        ready: true
        started: true
        restartCount: 0
        state: {running: {startedAt: {{ $now | Quote }}}}
      {{ end }}
      {{ with .spec.initContainers }}
      initContainerStatuses:
      {{ range . }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        imageID: {{ printf "simulated://%s" .image | Quote }}
        restartCount: 0
        {{ if eq (or .restartPolicy "") "Always" }}
        ready: true
        started: true
        state: {running: {startedAt: {{ $now | Quote }}}}
        {{ else }}
        ready: true
        state: {terminated: {exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }}}}
        {{ end }}
      {{ end }}
      {{ end }}
      {{ $ip := PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
      podIP: {{ $ip | Quote }}
      podIPs: [{ip: {{ $ip | Quote }}}]
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      hostIPs: [{ip: {{ NodeIPWith .spec.nodeName | Quote }}}]
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: kvalidate-pod-succeeded
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: 'DoesNotExist'}
    - {key: '.status.phase', operator: 'In', values: ['Running']}
    - {key: '.spec.restartPolicy', operator: 'In', values: ['Never', 'OnFailure']}
  delay:
    durationMilliseconds: 1000
  next:
    statusTemplate: |
      {{ $now := Now }}
      phase: Succeeded
      conditions:
      {{ range list "ContainersReady" "Ready" }}
      - {type: {{ . }}, status: "False", reason: PodCompleted, lastTransitionTime: {{ $now | Quote }}}
      {{ end }}
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        imageID: {{ printf "simulated://%s" .image | Quote }}
        ready: false
        started: false
        restartCount: 0
        state: {terminated: {exitCode: 0, reason: Completed, startedAt: {{ $now | Quote }}, finishedAt: {{ $now | Quote }}}}
      {{ end }}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: kvalidate-pod-deleted
spec:
  resourceRef: {apiGroup: v1, kind: Pod}
  selector:
    matchExpressions:
    - {key: '.metadata.deletionTimestamp', operator: 'Exists'}
  next:
    delete: true
)";

}  // namespace

std::string kwok_stages_yaml() { return std::string(kNodeStages) + "---\n" + kPodStages; }

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
