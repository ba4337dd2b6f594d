#!/bin/sh
# The demo worker `make run` starts for every topic: it pretends to work on a task for up to a second, fails one
# task in five (so retries show), and reports a meta value that children can use ({meta:rows}).
# Arguments: TYPE JOB INFO. The task JSON is on standard input.
type="$1"; job="$2"; info="$3"
n=$(od -An -N1 -tu1 /dev/urandom | tr -d ' ')
sleep "0.$((n % 9 + 1))"
if [ $((n % 5)) -eq 0 ]; then
  echo "demo failure for $type${job:+:$job} ($info)" >&2
  exit 1
fi
echo "::meta rows=$((n * 7))"
