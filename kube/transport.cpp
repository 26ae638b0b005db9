#include "kube/transport.h"

namespace kv::kube {

std::vector<Response> Transport::send_all(const std::vector<Request>& reqs, int jobs, const OnResponse& on_done) {
  std::vector<Response> out(reqs.size());
  std::vector<char> answered(reqs.size(), 0);
  send_each(
      reqs.size(), [&](size_t i) { return reqs[i]; }, jobs,
      [&](size_t i, Response&& r) {
        answered[i] = 1;
        out[i] = std::move(r);
        if (!on_done) return;
        on_done(i, out[i]);
        std::string().swap(out[i].body);
        std::vector<std::string>().swap(out[i].warnings);
      });
  for (size_t i = 0; i < out.size(); ++i)
    if (!answered[i]) out[i] = Response{0, "", {}, "cancelled"};
  return out;
}

}  // namespace kv::kube
