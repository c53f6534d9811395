"""``<delay>`` (SPEC §3.28): passes its input on, takes templated durations, rejects bad
ones, and its wait is cancelled by the run timeout."""

from __future__ import annotations

import pytest

import flowscript

HEAD = "---\nname: delays\nversion: 1.0.0\nconfig:\n  wait: 10ms\n---\n"


def run(body: str, **options: object) -> flowscript.RunState:
    workflow = flowscript.parse(HEAD + "<workflow>\n" + body + "\n</workflow>\n")
    return flowscript.run(workflow, options=flowscript.ExecutionOptions(**options))


def test_delay_passes_its_input_on() -> None:
    state = run('<transform id="a" type="template"><template>{{ [1, 2] }}</template>'
                '</transform>\n<delay id="d" input="a" duration="{{$config.wait}}"/>')
    assert state.status == "completed"
    assert state.nodes["d"].output == [1, 2]
    assert state.nodes["d"].kind == "temporal:delay"


def test_a_templated_duration_that_is_not_a_duration_fails_the_node() -> None:
    with pytest.raises(flowscript.NodeError) as failure:
        run('<delay id="d" duration="{{ \'soon\' }}"/>')
    assert failure.value.node_id == "d"
    assert failure.value.state.nodes["d"].error["type"] == "ConfigError"


def test_the_run_timeout_cancels_a_delay() -> None:
    with pytest.raises(flowscript.WorkflowTimeoutError) as failure:
        run('<delay id="d" duration="30s"/>', timeout=0.2)
    assert failure.value.state.nodes["d"].status == "cancelled"
