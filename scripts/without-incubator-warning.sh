#!/usr/bin/env bash
# Copies stdin to stdout without the one line the JVM prints on stderr whenever jdk.incubator.vector is
# resolved at startup: "WARNING: Using incubator modules: jdk.incubator.vector". java.base prints it
# unconditionally (jdk.internal.module.ModuleBootstrap.checkIncubatingStatus); no JVM option turns it
# off, and an @argfile or JDK_JAVA_OPTIONS resolves the module just the same. The ./fsgen launcher
# passes the JVM's stderr through this filter.
#
# Only the JVM's startup lines are looked at: the launcher's own notes ("Picked up JAVA_TOOL_OPTIONS:
# ...") pass, the warning is dropped, and from the first other line on everything is copied byte for
# byte as it comes (cat), so a progress bar redrawn with \r still redraws and no later line, a warning
# of fsgen's own included, is ever touched.
set -u
warning="WARNING: Using incubator modules: jdk.incubator.vector"
# Ctrl-C reaches the whole process group: the JVM's last lines on its way out must still get through
trap '' INT
while true; do
  if ! IFS= read -r line; then
    printf '%s' "$line" # the end of the input, with a last line that had no newline
    exit 0
  fi
  case "$line" in
    "$warning") break ;;
    "Picked up "*) printf '%s\n' "$line" ;;
    *) printf '%s\n' "$line"; break ;;
  esac
done
exec cat
