# Sourced by the benches. plane_cpu: the CPU seconds (user + system) the plane's processes (kube-apiserver
# and etcd, as $KVALIDATE_HOME/state.json names them) have used so far.
plane_cpu() {
  local t=0 p
  for p in $(python3 -c 'import json,sys; print(" ".join(str(p["pid"]) for p in json.load(open(sys.argv[1]))["processes"]))' \
               "$KVALIDATE_HOME/state.json"); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "scale=3; $t / $(getconf CLK_TCK)" | bc
}
