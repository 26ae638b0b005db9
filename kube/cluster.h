// How to reach one Kubernetes API server: endpoint, trust, proxy, credentials and impersonation, as a
// kubeconfig context resolves them. Certificates and keys are held as PEM text (files are read when the
// kubeconfig is); an exec credential plugin is kept as its configuration and run when a request needs it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kv::kube {

// A user's `exec:` credential plugin (client.authentication.k8s.io v1 or v1beta1), as client-go runs it.
struct ExecConfig {
  std::string command;                 // a relative path with a '/' is already resolved against the kubeconfig
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to kvalidate's environment, in order
  std::string api_version;             // "client.authentication.k8s.io/v1" or ".../v1beta1"
  std::string install_hint;
  bool provide_cluster_info = false;
  std::string interactive_mode;        // Never | IfAvailable | Always
  std::string cluster_config_json;     // the cluster's client.authentication.k8s.io/exec extension, "" if none
};

// Who the requests act as (Impersonate-* headers), from the kubeconfig's as/as-groups/as-uid/as-user-extra
// or --as/--as-group.
struct Impersonation {
  std::string user, uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;
  bool empty() const { return user.empty() && uid.empty() && groups.empty() && extra.empty(); }
};

struct Cluster {
  std::string server;                  // "https://127.0.0.1:6443"
  std::string ca_pem;                  // empty: the system's trust store
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;         // name the server's certificate is checked against (and SNI)
  std::string proxy_url;               // http://, https://, socks5://; "" = environment (never for loopback)
  std::string client_cert_pem, client_key_pem;
  std::string token;
  std::string username, password;
  std::optional<ExecConfig> exec;      // used only when no token, basic auth or client certificate is set
  Impersonation impersonate;
  std::string user;                    // the kubeconfig user name (for messages and cache keys)
  std::string context;                 // the kubeconfig context it came from
  std::string default_namespace;       // the context's namespace, "" if unset
  std::string kubeconfig_path;         // where it came from (for messages)
};

}  // namespace kv::kube
