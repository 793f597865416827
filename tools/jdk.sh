# Chooses the JDK that builds and runs Adjoint: the one place that decides, sourced by ./adjoint,
# ./build (and so .ci/run) and the benchmark scripts. The project needs Java 25 or newer; in order,
# it takes JAVA_HOME, the `java` on the PATH, then the newest JDK 25+ under ADJOINT_JDK_DIRS
# (default /usr/lib/jvm: Debian's packages and Temurin's install there, but neither selects itself).
# After `adjoint_select_jdk`, JAVA_HOME names that JDK and its bin/ leads the PATH, so Maven and
# java both run on it. Without one it prints what it looked at and returns 1.

# The major version of a java executable (25), or nothing when it does not run.
adjoint_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -1
}

adjoint_select_jdk() {
  local wanted=25 candidate major best='' best_major=0 tried=()
  local from_env=${JAVA_HOME:+$JAVA_HOME/bin/java}
  local from_path
  from_path=$(command -v java 2>/dev/null || true)
  for candidate in "$from_env" "$from_path"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    major=$(adjoint_java_major "$candidate")
    tried+=("$candidate (${major:-does not run})")
    if [ -n "$major" ] && [ "$major" -ge "$wanted" ]; then
      best=$(dirname "$(dirname "$(readlink -f "$candidate")")")
      break
    fi
  done
  if [ -z "$best" ]; then
    local dir
    for dir in ${ADJOINT_JDK_DIRS:-/usr/lib/jvm}; do
      for candidate in "$dir"/*/bin/java; do
        [ -x "$candidate" ] || continue
        major=$(adjoint_java_major "$candidate")
        tried+=("$candidate (${major:-does not run})")
        if [ -n "$major" ] && [ "$major" -ge "$wanted" ] && [ "$major" -gt "$best_major" ]; then
          best=$(dirname "$(dirname "$(readlink -f "$candidate")")")
          best_major=$major
        fi
      done
    done
  fi
  if [ -z "$best" ]; then
    echo "adjoint: no JDK $wanted or newer found; install one (e.g. Temurin 25) and set JAVA_HOME to it" >&2
    local t
    for t in "${tried[@]}"; do echo "  looked at: $t" >&2; done
    [ ${#tried[@]} -eq 0 ] && echo "  looked at: JAVA_HOME, PATH, ${ADJOINT_JDK_DIRS:-/usr/lib/jvm} (no java found)" >&2
    return 1
  fi
  export JAVA_HOME=$best
  export PATH=$JAVA_HOME/bin:$PATH
}
