#!/bin/sh
# A scripted agent: records how it was called and makes a change in the worktree.
# Arguments are the agent's argv (the prompt last in "arg" mode); stdin is read
# in "stdin" mode when PARA_AGENT_STDIN=1.
{
	echo "pwd=$(pwd -P)"
	echo "session=${PARA_SESSION:-}"
	echo "workspace=${PARA_WORKSPACE:-}"
	echo "argc=$#"
	for a in "$@"; do echo "arg=$a"; done
	if [ ! -t 0 ]; then
		printf 'stdin=%s\n' "$(cat)"
	fi
} >agent-ran.txt
echo "agent was here" >>agent-output.txt
exit "${AGENT_EXIT:-0}"
