// How to reach one Kubernetes API server: endpoint, trust and credentials, as a kubeconfig context
// resolves them. Certificates and keys are held as PEM text (files are read when the kubeconfig is).
#pragma once

#include <string>

namespace kv::kube {

struct Cluster {
  std::string server;                  // "https://127.0.0.1:6443"
  std::string ca_pem;                  // empty: the system's trust store
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string client_cert_pem, client_key_pem;
  std::string token;
  std::string username, password;
  std::string context;                 // the kubeconfig context it came from
  std::string default_namespace;       // the context's namespace, "" if unset
  std::string kubeconfig_path;         // where it came from (for messages)
};

}  // namespace kv::kube
