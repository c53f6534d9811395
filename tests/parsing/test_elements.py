"""The element catalogue: elements, attributes, value kinds, configuration keys (SPEC §3)."""

from __future__ import annotations

import pytest

from flowscript import elements as E
from flowscript.elements import Setting


class TestElements:
    @pytest.mark.parametrize(("name", "kind"), [
        ("context", "state:context"), ("set", "state:set"), ("if", "control:if"),
        ("branch", "control:branch"), ("loop", "control:loop"), ("while", "control:while"),
        ("foreach", "control:foreach"), ("parallel", "control:parallel"),
        ("break", "control:break"), ("goto", "control:goto"), ("checkpoint", "checkpoint"),
        ("delay", "temporal:delay"), ("timeout", "temporal:timeout"),
        ("throttle", "temporal:throttle"), ("batch", "temporal:batch"),
        ("debounce", "temporal:debounce"), ("include", "compose:include"),
        ("call", "compose:call"),
    ])
    def test_every_node_element_of_3_1_has_its_registry_key(self, name, kind):
        assert E.ELEMENTS[name].kind == kind
        assert E.ELEMENTS[name].is_node
        assert E.registry_key(name) == kind

    def test_data_elements_take_their_key_from_the_type(self):
        assert E.registry_key("source", "http") == "source:http"
        assert E.registry_key("ai") == "transform:ai"
        assert E.data_type("transform", "ai").kind == "transform:ai"
        assert all(E.ELEMENTS[name].category == "data" for name in E.DATA_ELEMENTS)

    def test_structural_elements_are_not_nodes(self):
        for name in ("workflow", "phase", "schema", "output", "on-workflow-error"):
            assert not E.ELEMENTS[name].is_node

    def test_common_attributes_and_resilience(self):
        assert {"break", "goto", "set", "context"} == E.NO_RESILIENCE
        for name, spec in E.NODES.items():
            assert {"id", "input", "description"} <= set(spec.attribute_names()), name
            has_retry = spec.attribute("retry") is not None
            assert has_retry == (name not in E.NO_RESILIENCE), name
            assert ("on-error" in spec.children) == (name not in E.NO_RESILIENCE), name

    @pytest.mark.parametrize(("element", "parent", "attributes"), [
        ("timeout", None, {"duration", "on-timeout"}),
        ("timeout", "checkpoint", {"duration", "action"}),
        ("output", None, {"value"}),
        ("output", "ai", {"type"}),
        ("branch", "parallel", {"name"}),
        ("branch", None, {"id", "input"}),
        ("set", "context", {"var", "value"}),
        ("goto", "fallback", {"node", "with", "max"}),
    ])
    def test_context_decides_the_spec(self, element, parent, attributes):
        spec = E.element_spec(element, parent)
        assert attributes <= set(spec.attribute_names())

    def test_element_spec_of_nested_children(self):
        action = E.element_spec("action", "checkpoint")
        assert E.element_spec("input", action).attribute("options").kind == "list"
        assert E.element_spec("retry", E.element_spec("on-error", "source")).attribute(
            "max-retries").name == "max"
        assert E.element_spec("delay", "then").kind == "temporal:delay"
        assert E.element_spec("delay", E.element_spec("then", "if")).kind == "temporal:delay"
        assert E.element_spec("delay", "field") is None
        assert E.element_spec("goto", "on-open").attribute("target").name == "node"

    def test_all_element_names_cover_structure_and_config_keys(self):
        for name in ("then", "case", "otherwise", "do", "on-open", "actions", "field", "bind",
                     "arg", "request", "headers", "url", "template", "reducer", "user"):
            assert name in E.ALL_ELEMENT_NAMES

    def test_reserved_names(self):
        assert {"dlq", "snapshot", "merge", "log"} <= E.RESERVED_ELEMENTS
        assert ("source", "queue") in E.RESERVED_TYPES
        assert E.RESERVED_ATTRIBUTES["batch"] == ("window", "flush-on")
        assert E.ELEMENTS["batch"].reserved_attributes == ("window", "flush-on")
        assert E.ELEMENTS["context"].reserved_attributes == ("inherit",)
        assert E.data_type("source", "file").reserved == ("watch",)
        assert {"$state", "$output"} == E.RESERVED_VARIABLES


class TestAttributes:
    @pytest.mark.parametrize(("element", "written", "canonical", "kw"), [
        ("foreach", "max-concurrency", "concurrency", {}),
        ("foreach", "maxConcurrency", "concurrency", {}),
        ("foreach", "max", "concurrency", {}),
        ("foreach", "ON_ITEM_ERROR", "on-item-error", {}),
        ("goto", "target", "node", {}),
        ("include", "src", "workflow", {}),
        ("include", "as", "id", {}),
        ("phase", "id", "name", {}),
        ("set", "key", "var", {}),
        ("batch", "max_size", "size", {}),
        ("batch", "delay", "interval", {}),
        ("ai", "maxTokens", "max-tokens", {}),
        ("ai", "user", "prompt", {}),
        ("transform", "expression", "reducer", {"type": "reduce"}),
        ("transform", "expression", "expression", {"type": "map"}),
        ("sink", "conflictColumns", "conflict-columns", {"type": "database"}),
        ("source", "query", "params", {"type": "http"}),
        ("source", "query", "query", {"type": "database"}),
        ("source", "headers", "headers", {"type": "http"}),
    ])
    def test_canonical_attribute(self, element, written, canonical, kw):
        assert E.canonical_attribute(element, written, **kw) == canonical

    def test_unknown_attributes_have_no_canonical_name(self):
        assert E.canonical_attribute("if", "conditon") is None
        assert E.canonical_attribute("source", "url", type="file") is None
        assert E.canonical_attribute("nope", "id") is None

    def test_set_in_output_accepts_field(self):
        assert E.canonical_attribute("set", "field", parent="output") == "var"
        assert E.canonical_attribute("set", "field") is None

    def test_settings_describe_kind_default_and_requirement(self):
        retry = E.element_spec("retry", E.element_spec("on-error", "source"))
        assert retry.attribute("backoff").choices == ("exponential", "linear", "fixed")
        assert retry.attribute("max").default == "3"
        assert E.ELEMENTS["if"].attribute("condition").required
        assert E.ELEMENTS["parallel"].attribute("wait").kind == "wait"
        assert E.ELEMENTS["throttle"].attribute("rate").kind == "rate"
        assert E.ELEMENTS["set"].attribute("var").dotted

    def test_unknown_kind_is_refused(self):
        with pytest.raises(ValueError):
            Setting("x", "number-ish")


class TestConfigKeys:
    def test_http_keys_and_blocks(self):
        http = E.data_type("source", "http")
        keys = E.config_keys("source", "http")
        assert keys["url"].required and keys["method"].default == "GET"
        assert keys["params"].aliases == ("query",)
        assert {k for k, s in keys.items() if s.kind == "block"} == {
            "headers", "params", "form", "auth"}
        assert set(http.blocks) == {"request", "response"}
        assert http.blocks["request"] == ("method", "url", "headers", "params", "query",
                                          "body", "form", "auth", "timeout")
        assert http.block_key("request", "query").name == "params"
        assert http.block_key("response", "url") is None
        assert http.block_key("request", "follow_redirects") is None
        assert keys["timeout"].node_attribute
        assert "request" in keys["url"].blocks and "response" in keys["extract"].blocks

    def test_sink_http_differs_in_method(self):
        keys = E.config_keys("sink", "http")
        assert keys["method"].default == "POST" and "HEAD" not in keys["method"].choices

    @pytest.mark.parametrize(("element", "type_", "required"), [
        ("source", "file", {"path"}), ("source", "database", {"connection", "query"}),
        ("transform", "template", {"template"}), ("transform", "map", {"expression"}),
        ("transform", "filter", {"condition"}), ("transform", "reduce", {"reducer"}),
        ("transform", "ai", {"prompt"}), ("sink", "file", {"path"}),
        ("sink", "database", {"connection", "table"}),
        ("sink", "email", {"to", "from", "subject"}), ("sink", "http", {"url"}),
    ])
    def test_required_keys(self, element, type_, required):
        assert {k.name for k in E.data_type(element, type_).required()} == required

    def test_email_blocks(self):
        email = E.data_type("sink", "email")
        assert email.blocks["message"] == ("to", "cc", "bcc", "from", "reply-to", "subject",
                                           "text", "html")
        assert email.blocks["config"] == ("provider", "api-key", "host", "port", "username",
                                          "password", "tls")
        assert email.key("apiKey").name == "api-key"
        assert email.block_key("config", "api_key") is None

    def test_known_types_and_plugins(self):
        assert E.known_types("source") == ("http", "file", "database")
        extra = {("source", "queue2"): [{"name": "topic", "kind": "text", "required": True},
                                        Setting("batch-size", "int", default="10")]}
        found = E.data_type("source", "queue2", extra)
        assert found.plugin and found.kind == "source:queue2"
        assert [k.name for k in found.required()] == ["topic"]
        assert E.config_keys("source", "queue2", extra)["batch-size"].default == "10"
        assert E.canonical_attribute("source", "batchSize", type="queue2",
                                     extra=extra) == "batch-size"
        assert E.known_types("source", extra) == ("http", "file", "database", "queue2")
        assert E.data_type("source", "queue2") is None
        assert E.config_keys("source", "nope") == {}


class TestLiterals:
    @pytest.mark.parametrize(("setting", "value", "ok"), [
        (Setting("n", "int", minimum=1), "3", True),
        (Setting("n", "int", minimum=1), "0", False),
        (Setting("n", "int"), "2.5", False),
        (Setting("n", "int"), "{{ x }}", True),
        (Setting("n", "number", minimum=0, maximum=2), "2.5", False),
        (Setting("n", "number"), "1e3", True),
        (Setting("b", "bool"), "Yes", True),
        (Setting("b", "bool"), "maybe", False),
        (Setting("d", "duration"), "1h30m", True),
        (Setting("d", "duration"), "soon", False),
        (Setting("d", "duration", minimum=0, exclusive_minimum=True), "0s", False),
        (Setting("d", "duration", minimum=0), "0", True),
        (Setting("e", "enum", choices=("a", "b")), "c", False),
        (Setting("r", "rate"), "10/1m", True),
        (Setting("r", "rate"), "10 per minute", False),
        (Setting("w", "wait"), "n(2)", True),
        (Setting("w", "wait"), "n(0)", False),
        (Setting("w", "wait"), "some", False),
        (Setting("j", "jitter"), "0.5", True),
        (Setting("j", "jitter"), "1.5", False),
        (Setting("t", "tokens"), "200k", True),
        (Setting("t", "tokens"), "lots", False),
        (Setting("x", "name"), "{{ id }}", False),
        (Setting("x", "ref"), "{{ id }}", False),
        (Setting("x", "expr"), "anything at all", True),
    ])
    def test_literal_problem(self, setting, value, ok):
        assert (E.literal_problem(setting, value) is None) == ok

    @pytest.mark.parametrize(("name", "ok"), [
        ("fetch", True), ("fetch-data", True), ("reviewer-1", True), ("_x", True),
        ("-a", False), ("a-", False), ("a--b", False), ("1a", False), ("$x", False),
        ("true", False), ("IN", False), ("a b", False), ("x" * 129, False),
        ("x" * 128, True), ("a.b", False),
    ])
    def test_name_problem(self, name, ok):
        assert (E.name_problem(name) is None) == ok

    def test_dotted_names(self):
        assert E.name_problem("stats.count", dotted=True) is None
        assert E.name_problem("stats..count", dotted=True) is not None

    def test_value_parsers(self):
        assert E.parse_bool("off") is False and E.parse_bool("x") is None
        assert E.parse_int("3.0") == 3 and E.parse_int(True) is None
        assert E.parse_number(" 1.5 ") == 1.5
        assert E.parse_wait("n( 3 )") == 3 and E.parse_wait("any") == "any"


class TestEveryElementBuilds:
    """Each element of §3 builds into its AST type, attributes under canonical names."""

    @pytest.mark.parametrize(("xml", "cls", "kind", "attributes"), [
        ('<context scope="global"><set key="a" value="1"/></context>', "ContextNode",
         "state:context", {"scope"}),
        ('<set key="a" value="1" description="d"/>', "SetNode", "state:set", {"description"}),
        ('<source type="http" url="u" timeout="5s"/>', "DataNode", "source:http",
         {"timeout"}),
        ('<source type="file" path="p"/>', "DataNode", "source:file", set()),
        ('<source type="database" connection="c" query="q"/>', "DataNode",
         "source:database", set()),
        ('<transform type="template" template="t" input="x"/>', "DataNode",
         "transform:template", {"input"}),
        ('<transform type="map" expression="e"/>', "DataNode", "transform:map", set()),
        ('<transform type="filter" condition="c"/>', "DataNode", "transform:filter", set()),
        ('<transform type="reduce" reducer="r"/>', "DataNode", "transform:reduce", set()),
        ('<ai prompt="p"/>', "DataNode", "transform:ai", set()),
        ('<sink type="http" url="u"/>', "DataNode", "sink:http", set()),
        ('<sink type="file" path="p"/>', "DataNode", "sink:file", set()),
        ('<sink type="database" connection="c" table="t"/>', "DataNode", "sink:database",
         set()),
        ('<sink type="email" to="a" from="b" subject="c"/>', "DataNode", "sink:email",
         set()),
        ('<if condition="c"><then/></if>', "IfNode", "control:if", set()),
        ('<branch><case when="c"/></branch>', "BranchNode", "control:branch", set()),
        ('<loop max="2" break="b"/>', "LoopNode", "control:loop", {"max", "break"}),
        ('<while condition="c" max="2"/>', "LoopNode", "control:while",
         {"condition", "max"}),
        ('<foreach collection="c" item="i" index="n" maxConcurrency="2" '
         'on_item_error="skip"/>', "LoopNode", "control:foreach",
         {"collection", "item", "index", "concurrency", "on-item-error"}),
        ('<parallel wait="n(1)" merge="keyed" max="2"><delay duration="1"/></parallel>',
         "ParallelNode", "control:parallel", {"wait", "merge", "max"}),
        ('<checkpoint prompt="p" type="optional" timeout="1h" default="approve"/>',
         "CheckpointNode", "checkpoint", {"type", "timeout", "default"}),
        ('<delay duration="1s"/>', "TemporalNode", "temporal:delay", {"duration"}),
        ('<timeout duration="1s" on-timeout="h"/>', "TemporalNode", "temporal:timeout",
         {"duration", "on-timeout"}),
        ('<throttle rate="5/s"/>', "TemporalNode", "temporal:throttle", {"rate"}),
        ('<batch size="2" interval="1s"/>', "TemporalNode", "temporal:batch",
         {"size", "interval"}),
        ('<debounce quiet="1s"/>', "TemporalNode", "temporal:debounce", {"quiet"}),
        ('<include workflow="w" as="x"/>', "ComposeNode", "compose:include", {"id"}),
        ('<call workflow="w"/>', "ComposeNode", "compose:call", set()),
    ])
    def test_top_level_nodes(self, xml, cls, kind, attributes):
        from body_support import clean

        node = clean(f"<workflow>{xml}</workflow>").items[0]
        assert (type(node).__name__, node.kind) == (cls, kind)
        assert set(node.attributes) == attributes

    def test_nodes_in_sequences_and_structure(self):
        from body_support import clean

        body = clean(
            '<workflow><schema name="S"><field name="f" type="string"/></schema>'
            '<phase name="p"><loop max="1"><break when="x" loop="l"/></loop>'
            '<if condition="c"><then><goto node="n" with="w" max="2"/></then></if></phase>'
            '<output><set field="a" value="1"/></output>'
            '<on-workflow-error timeout="10s"><delay duration="1"/></on-workflow-error>'
            '</workflow>')
        loop, branch = body.items[0].nodes
        assert type(loop.body[0]).__name__ == "BreakNode"
        assert set(loop.body[0].attributes) == {"when", "loop"}
        goto = branch.then[0]
        assert (type(goto).__name__, goto.target.value, set(goto.attributes)) == (
            "GotoNode", "n", {"with", "max"})
        assert [(s.name, [f.name for f in s.fields]) for s in body.schemas] == [("S", ["f"])]
        assert [(f.var.value, f.value.value) for f in body.output.fields] == [("a", "1")]
        assert body.on_workflow_error.attributes["timeout"].value == "10s"
        assert [n.kind for n in body.walk()] == ["control:loop", "control:break",
                                                 "control:if", "control:goto",
                                                 "temporal:delay"]

    def test_on_error_parts(self):
        from body_support import clean

        node = clean(
            '<workflow><delay duration="1"><on-error>'
            '<retry max="3" backoff="linear" base="1s" max-delay="5s" jitter="none" '
            'timeout="2s" when="retryable"/><fallback node="f" when="status >= 500"/>'
            '<circuit-breaker threshold="2" window="1m" cooldown="5m">'
            '<on-open><goto node="g"/></on-open></circuit-breaker>'
            '</on-error></delay></workflow>').items[0]
        on_error = node.on_error
        assert set(on_error.retry.attributes) == {"max", "backoff", "base", "max-delay",
                                                  "jitter", "timeout", "when"}
        assert (on_error.fallback.node.value, on_error.fallback.when.value) == (
            "f", "status >= 500")
        assert set(on_error.circuit_breaker.attributes) == {"threshold", "window",
                                                            "cooldown"}
        assert on_error.circuit_breaker.on_open.target.value == "g"
