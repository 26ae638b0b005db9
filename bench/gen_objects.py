#!/usr/bin/env python3
"""Generates N Kubernetes objects of mixed kinds spread over NS namespaces into DIR (PER objects per file,
default 100; files in subfolders of 1,000 files each when there are more than 1,000)."""
import os
import sys

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
NS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
OUT = sys.argv[3] if len(sys.argv) > 3 else "bench/out/objects"
PER = int(sys.argv[4]) if len(sys.argv) > 4 else 100

KINDS = [
    ("ConfigMap", """apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-{i}
  namespace: {ns}
data:
  key: value-{i}
"""),
    ("Service", """apiVersion: v1
kind: Service
metadata:
  name: svc-{i}
  namespace: {ns}
spec:
  selector:
    app: app-{i}
  ports:
    - port: 80
      targetPort: 8080
"""),
    ("Deployment", """apiVersion: apps/v1
kind: Deployment
metadata:
  name: deploy-{i}
  namespace: {ns}
  labels:
    app: app-{i}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-{i}
  template:
    metadata:
      labels:
        app: app-{i}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          ports:
            - containerPort: 8080
          resources:
            requests:
              cpu: 50m
"""),
    ("ServiceAccount", """apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa-{i}
  namespace: {ns}
"""),
    ("Role", """apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: role-{i}
  namespace: {ns}
rules:
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list"]
"""),
]

import shutil
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT, exist_ok=True)
namespaces = [f"bench-{k:02d}" for k in range(NS)]
docs = []
with open(os.path.join(OUT, "00-namespaces.yaml"), "w") as f:
    f.write("---\n".join(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n" for ns in namespaces))
for i in range(N - NS):
    kind, tmpl = KINDS[i % len(KINDS)]
    docs.append(tmpl.format(i=i, ns=namespaces[i % NS]))
files = (len(docs) + PER - 1) // PER
for k, chunk in enumerate(range(0, len(docs), PER)):
    folder = OUT if files <= 1000 else os.path.join(OUT, f"part-{k // 1000:03d}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"{k + 1:05d}-objects.yaml"), "w") as f:
        f.write("---\n".join(docs[chunk:chunk + PER]))
print(f"{N} objects in {NS} namespaces -> {OUT}")
