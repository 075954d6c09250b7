#!/bin/sh
# An agent that dumps its environment into the worktree, then waits a moment
# (so a test can look at the host's processes while it runs).
env | sort >agent-env.txt
sleep "${AGENT_SLEEP:-0}"
