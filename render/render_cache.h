// helm's answers kept between runs. Rendering a chart is the slowest local step of a run (a large chart's
// `helm template` takes the better part of a second per values file) and its output is a function of
// what helm reads: the helm binary, its arguments and environment, the chart's files and the values files.
// So each answer is kept under ${XDG_CACHE_HOME:-~/.cache}/kvalidate/renders/<key> (0600 in a 0700
// folder), the key a SHA-256 over all of that (file contents, not names or times), and a later run with
// the same key reads it instead of running helm. Never with --lookup (the output depends on a cluster).
// A template that draws random values (randAlphaNum, genCA) renders the same text again from the cache:
// one input, one verdict. KVALIDATE_CACHE=off turns it off. The folder keeps its newest 400 answers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/process.h"
#include "core/status.h"
#include "render/helm.h"

namespace kv::render {

// The cache key of helm run `helm` `args` with `env`, reading `inputs` (files or folders, hashed by content
// with their relative paths; symbolic links by their target's text).
std::string render_key(const Helm& helm, const std::vector<std::string>& args,
                       const std::map<std::string, std::string>& env, const std::vector<std::string>& inputs);

// The answer kept under `key` in folder `dir`, if any (and whole).
std::optional<RunResult> cached_answer(const std::string& dir, const std::string& key);
// Keeps `run` under `key` in `dir` (made 0700 when missing); a failure only loses the entry.
void keep_answer(const std::string& dir, const std::string& key, const RunResult& run, size_t max_entries = 400);

// run_helm() through the cache (its folder: kvalidate's cache dir + "/renders"), unless KVALIDATE_CACHE
// is "off". Only answers helm finished (not timed out) are kept. The key is made of `key_args` when given
// (helm run on a copy of the chart: the arguments naming the original, and what the copy changed), else of
// `args`.
Result<RunResult> run_helm_cached(const Helm& helm, const std::vector<std::string>& args,
                                  const std::map<std::string, std::string>& env, const std::vector<std::string>& inputs,
                                  const std::vector<std::string>* key_args = nullptr);

}  // namespace kv::render
