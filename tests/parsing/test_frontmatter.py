"""The frontmatter (SPEC §2): safe loading with positions and every key's interpretation."""

from __future__ import annotations

from textwrap import dedent

import pytest

from flowscript.ast import Frontmatter
from flowscript.diagnostics import Diagnostic, DiagnosticSink
from flowscript.document import split_text
from flowscript.parsing import load_frontmatter, load_yaml

IDENTITY = "name: demo\nversion: 1.0.0\n"


def read(yaml: str, identity: bool = True) -> tuple[Frontmatter | None, list[Diagnostic]]:
    """Load ``yaml`` as the frontmatter of a file; its first line is file line 2."""
    sink = DiagnosticSink()
    source = (IDENTITY if identity else "") + dedent(yaml)
    document = split_text("---\n" + source + "---\n<workflow/>\n", sink)
    assert document is not None
    return load_frontmatter(document, sink), sink.items


def where(items: list[Diagnostic]) -> list[tuple[str, int | None, int | None]]:
    return [(d.code, d.line, d.column) for d in items]


def clean(yaml: str) -> Frontmatter:
    frontmatter, items = read(yaml)
    assert items == [], [str(d) for d in items]
    assert frontmatter is not None
    return frontmatter


class TestLoading:
    def test_syntax_error_at_the_file_position(self):
        frontmatter, items = read("description: first: second\n")
        assert frontmatter is None and where(items) == [("FS-YAML-003", 4, 19)]

    @pytest.mark.parametrize("yaml", ["- a\n- b\n", "just text\n", "", "# only a comment\n"])
    def test_not_a_mapping_points_at_line_2(self, yaml):
        frontmatter, items = read(yaml, identity=False)
        assert frontmatter is None and where(items) == [("FS-YAML-004", 2, 1)]

    def test_duplicate_key_points_at_the_second(self):
        _, items = read("tags: [a]\nruntime:\n  log: true\n  log: false\n")
        assert where(items) == [("FS-YAML-005", 7, 3)]

    @pytest.mark.parametrize(("value", "column"), [(".nan", 12), (".inf", 12), ("-.Inf", 12),
                                                   ("[1, .NaN]", 16)])
    def test_values_json_cannot_hold(self, value, column):
        _, items = read(f"evolution:\n  fitness: {value}\n  generation: 1\n")
        assert where(items) == [("FS-YAML-007", 5, column)]

    @pytest.mark.parametrize(("tag", "shown"), [
        ("!!python/object/apply:os.system ['x']", "!!python/object/apply:os.system"),
        ("!!binary aGk=", "!!binary"), ("!!set {a}", "!!set"), ("!foo x", "!foo"),
        ("!!timestamp 2024-01-01", "!!timestamp"), ("! x", "!")])
    def test_tags_other_than_the_standard_ones(self, tag, shown):
        _, items = read(f"description: {tag}\n")
        assert where(items) == [("FS-SEC-004", 4, 14)] and shown in items[0].message

    def test_standard_tags_are_allowed(self):
        frontmatter = clean("description: !!str 12\nruntime: !!map\n  concurrency: !!int '3'\n")
        assert frontmatter.description == "12" and frontmatter.runtime.concurrency == 3

    @pytest.mark.parametrize(("yaml", "position"), [
        ("tags: &t [a]\n", (4, 7)), ("tags: [a]\nlicense: *t\n", (5, 10)),
        ("runtime:\n  <<: {log: true}\n", (5, 3))])
    def test_anchors_aliases_and_merge_keys(self, yaml, position):
        _, items = read(yaml)
        assert where(items)[0] == ("FS-SEC-005", *position)

    def test_scalars_resolve_like_yaml_1_1_and_keys_stay_as_written(self):
        tree = load_yaml("on: yes\n1: off\nwhen: 2024-03-09\nat: 2024-03-09 14:05:07Z\n"
                         "n: ~\nf: 1_000.5\nbad: 2024-02-30\n")
        assert tree.problems == []
        assert tree.value == {"on": True, "1": False, "when": "2024-03-09",
                              "at": "2024-03-09T14:05:07+00:00", "n": None, "f": 1000.5,
                              "bad": "2024-02-30"}
        assert tree.sources["f"] == "1_000.5"

    def test_second_document_is_a_syntax_error(self):
        tree = load_yaml("a: 1\n...\nb: 2\n")
        assert [p.code for p in tree.problems] == ["FS-YAML-003"]

    def test_spans_of_every_value(self):
        frontmatter = clean("config:\n  retries:\n    type: integer\n    default: 3\n"
                            "secrets: [A, B]\n")
        span = frontmatter.spans["config.retries.default"]
        assert (span.line, span.column, span.end_line, span.end_column) == (7, 14, 7, 15)
        assert (frontmatter.spans["secrets[1]"].line, frontmatter.spans["secrets[1]"].column) \
            == (8, 14)
        assert frontmatter.data["config"]["retries"]["default"] == 3


class TestIdentity:
    def test_name_and_version(self):
        frontmatter = clean("description: d\nauthor: me\nlicense: MIT\ntags: [x, y]\n")
        assert (frontmatter.name, frontmatter.version) == ("demo", "1.0.0")
        assert (frontmatter.description, frontmatter.author, frontmatter.license,
                frontmatter.tags) == ("d", "me", "MIT", ("x", "y"))

    @pytest.mark.parametrize(("version", "text"), [("1.0", "1.0"), ("1.10", "1.10"),
                                                   ("2.1.0-beta.1", "2.1.0-beta.1")])
    def test_version_uses_its_source_text(self, version, text):
        frontmatter, items = read(f"name: demo\nversion: {version}\n", identity=False)
        assert items == [] and frontmatter.version == text

    def test_missing_name_and_version_point_at_line_1(self):
        _, items = read("description: x\n", identity=False)
        assert where(items) == [("FS-YAML-010", 1, 1), ("FS-YAML-012", 1, 1)]

    def test_empty_name_points_at_the_key(self):
        _, items = read("name:\nversion: 1.0.0\n", identity=False)
        assert where(items) == [("FS-YAML-010", 2, 1)]

    def test_name_with_invalid_characters(self):
        _, items = read("name: my workflow!\nversion: 1.0.0\n", identity=False)
        assert where(items) == [("FS-YAML-011", 2, 7)]

    @pytest.mark.parametrize("version", ["1", "v1.0", "1.0.0.0", "[1]", "true"])
    def test_malformed_version(self, version):
        _, items = read(f"name: demo\nversion: {version}\n", identity=False)
        assert where(items) == [("FS-YAML-013", 3, 10)]

    def test_unknown_top_level_key_warns_with_a_hint(self):
        frontmatter, items = read("descripton: x\n")
        assert where(items) == [("FS-YAML-006", 4, 1)]
        assert items[0].severity == "warning" and items[0].hints == ('did you mean "description"?',)
        assert frontmatter is not None

    @pytest.mark.parametrize(("yaml", "position"), [
        ("description: [x]\n", (4, 14)), ("tags: a\n", (4, 7)), ("tags: [a, {b: c}]\n", (4, 11))])
    def test_wrong_shapes(self, yaml, position):
        _, items = read(yaml)
        assert where(items) == [("FS-YAML-014", *position)]


class TestTriggers:
    def test_all_forms_normalise_to_a_list(self):
        frontmatter = clean("""\
            trigger:
              manual: true
              schedule: ["0 9 * * MON-FRI", every 4h]
              webhook: true
              event: deployed
            triggers:
              - {type: schedule, cron: "*/15 0-6 1,15 JAN-jun 0"}
              - {type: schedule, every: 30m}
              - {type: webhook, path: /hooks/x, auth: hmac, method: put}
              - {type: watch, paths: ["data/*.csv"], events: [created]}
              - {type: queue, name: jobs, concurrency: 2}
            """)
        assert frontmatter.triggers == (
            {"type": "manual"}, {"type": "schedule", "cron": "0 9 * * MON-FRI"},
            {"type": "schedule", "every": "4h"},
            {"type": "webhook", "auth": "none", "method": "POST"},
            {"type": "event", "name": "deployed"},
            {"type": "schedule", "cron": "*/15 0-6 1,15 JAN-jun 0"},
            {"type": "schedule", "every": "30m"},
            {"type": "webhook", "auth": "hmac", "method": "PUT", "path": "/hooks/x"},
            {"type": "watch", "paths": ["data/*.csv"], "events": ["created"]},
            {"type": "queue", "name": "jobs", "concurrency": 2})

    @pytest.mark.parametrize("form", ["trigger: manual", "trigger: {type: manual}",
                                      "trigger: {manual: true}"])
    def test_manual_forms(self, form):
        assert clean(form + "\n").triggers == ({"type": "manual"},)

    def test_manual_false_is_no_trigger(self):
        assert clean("trigger: {manual: false}\n").triggers == ()

    @pytest.mark.parametrize(("yaml", "position"), [
        ("trigger: cron\n", (4, 10)), ("trigger: {hourly: true}\n", (4, 11)),
        ('trigger: {schedule: "0 9 * *"}\n', (4, 21)),
        ('trigger: {schedule: "61 * * * *"}\n', (4, 21)),
        ('trigger: {schedule: "5-1 * * * *"}\n', (4, 21)),
        ('trigger: {schedule: "* * * * * *"}\n', (4, 21)),
        ("trigger: {schedule: every never}\n", (4, 21)),
        ("triggers: [{type: schedule}]\n", (4, 12)),
        ("triggers: [{type: webhook, path: hooks}]\n", (4, 34)),
        ("triggers: [{type: queue}]\n", (4, 12)), ("triggers: [manual]\n", (4, 12)),
        ("triggers: manual\n", (4, 11)), ("trigger: [manual]\n", (4, 10))])
    def test_invalid_triggers(self, yaml, position):
        _, items = read(yaml)
        assert where(items) == [("FS-YAML-014", *position)]

    def test_unknown_key_in_a_trigger_warns(self):
        frontmatter, items = read("triggers: [{type: schedule, cron: '0 * * * *', tz: UTC}]\n")
        assert where(items) == [("FS-YAML-015", 4, 48)]
        assert frontmatter.triggers == ({"type": "schedule", "cron": "0 * * * *"},)


class TestConfig:
    def test_specifications_and_shorthands(self):
        config = clean("""\
            config:
              threshold: {type: number, default: 0.5, description: Minimum}
              mode: {type: "enum[fast, careful]", default: fast}
              level: {enum: [1, 2, 3], default: 2}
              label: {type: string, required: true}
              count: {type: int}
              output_dir: ./out
              retries: 3
              ratio: 0.25
              flag: false
              items: [1, 2]
              point: {x: 1, y: 2}
              nothing:
            """).config
        assert [(f.name, f.type, f.default, f.has_default) for f in config.values()] == [
            ("threshold", "number", 0.5, True), ("mode", "string", "fast", True),
            ("level", "integer", 2, True), ("label", "string", None, False),
            ("count", "integer", None, False), ("output_dir", "string", "./out", True),
            ("retries", "integer", 3, True), ("ratio", "number", 0.25, True),
            ("flag", "boolean", False, True), ("items", "array", [1, 2], True),
            ("point", "object", {"x": 1, "y": 2}, True), ("nothing", "any", None, False)]
        assert config["mode"].enum == ("fast", "careful") and config["label"].required
        assert config["threshold"].description == "Minimum"
        assert (config["retries"].span.line, config["retries"].span.column) == (11, 3)

    @pytest.mark.parametrize("spec", [
        "{type: number, default: many}", "{type: integer, default: 2.5}",
        "{type: boolean, default: 'yes'}", "{enum: [a, b], default: c}",
        "{type: 'enum[a, b]', default: c}"])
    def test_default_must_match(self, spec):
        line = f"  key: {spec}"
        _, items = read(f"config:\n{line}\n")
        assert where(items) == [("FS-TYPE-001", 5, line.index("default:") + 10)]

    def test_integral_float_default_is_an_integer(self):
        assert clean("config:\n  n: {type: integer, default: 2.0}\n").config["n"].default == 2.0

    def test_unknown_type_name(self):
        _, items = read("config:\n  key: {type: strng, default: x}\n")
        assert where(items) == [("FS-TYPE-002", 5, 15)]
        assert items[0].hints == ('did you mean "string"?',)

    @pytest.mark.parametrize(("enum", "column"), [("[]", 15), ("[a, b, a]", 22), ("x", 15),
                                                  ("[[a]]", 16)])
    def test_bad_enums(self, enum, column):
        _, items = read(f"config:\n  key: {{enum: {enum}}}\n")
        assert where(items) == [("FS-TYPE-003", 5, column)]

    def test_enum_type_syntax_error_points_inside_the_value(self):
        _, items = read("config:\n  key: {type: 'enum[a, b'}\n")
        assert where(items) == [("FS-EXPR-008", 5, 25)]

    def test_config_keys_are_names(self):
        _, items = read("config:\n  2bad: 1\n")
        assert where(items) == [("FS-ID-002", 5, 3)]


class TestNames:
    def test_secrets_and_env(self):
        frontmatter = clean("secrets: [API_KEY, _other]\nenv: [DEPLOY_ENV]\n")
        assert frontmatter.secrets == ("API_KEY", "_other")
        assert frontmatter.env == ("DEPLOY_ENV",)

    @pytest.mark.parametrize(("yaml", "position"), [
        ("secrets: [API-KEY]\n", (4, 11)), ("secrets: [A, B, A]\n", (4, 17)),
        ("env: [1ENV]\n", (4, 7)), ("env: [{a: b}]\n", (4, 7))])
    def test_invalid_or_duplicate_names(self, yaml, position):
        _, items = read(yaml)
        assert where(items) == [("FS-YAML-016", *position)]


class TestFields:
    def test_input_and_output(self):
        frontmatter = clean("""\
            input:
              since: {type: datetime, required: true, description: Start}
              limit: {type: integer, default: 100}
              kind: {type: string, enum: [a, b], default: a}
              tags: "string[]"
            output:
              sent_count: number
              report: {type: "{path: string, size?: integer}"}
            """)
        since = frontmatter.input["since"]
        assert (since.type, since.required, since.description) == ("datetime", True, "Start")
        assert frontmatter.input["limit"].default == 100
        assert frontmatter.input["kind"].enum == ("a", "b")
        assert frontmatter.input["tags"].type == "string[]"
        assert frontmatter.output["sent_count"].type == "number"

    def test_type_syntax_error_points_at_the_exact_column(self):
        _, items = read("input:\n  a: '{x: }'\n  b:\n    type: \"string |\"\n")
        assert where(items) == [("FS-EXPR-008", 5, 11), ("FS-EXPR-008", 7, 20)]

    @pytest.mark.parametrize("spec", [
        "{type: integer, default: x}", "{type: 'string[]', default: [1]}",
        "{type: string, enum: [a], default: b}"])
    def test_default_must_match_its_type(self, spec):
        line = f"  key: {spec}"
        _, items = read(f"input:\n{line}\n")
        assert where(items) == [("FS-TYPE-004", 5, line.index("default:") + 10)]

    def test_unknown_key_in_a_field_specification(self):
        _, items = read("output:\n  a: {type: string, optional: true}\n")
        assert where(items) == [("FS-YAML-015", 5, 21)]
        assert items[0].hints == ()

    def test_schemas(self):
        frontmatter = clean("""\
            schemas:
              Author: "{name: string, email?: string}"
              Post:
                title: string
                author: {type: Author, required: true}
                score: {type: number, default: 1}
            input:
              post: {type: Post, default: {title: t, author: {name: n}}}
            """)
        assert frontmatter.schemas["Author"] == "{name: string, email?: string}"
        assert frontmatter.schemas["Post"]["author"].required
        assert frontmatter.spans["schemas.Post"].line == 7

    def test_defaults_are_checked_against_named_schemas(self):
        _, items = read("schemas:\n  A: '{n: number}'\ninput:\n  a: {type: A, default: {n: x}}\n")
        assert where(items) == [("FS-TYPE-004", 7, 25)]
        assert "n: expected number" in items[0].message

    def test_bad_schemas(self):
        _, items = read("schemas:\n  a-: string\n  B: '{'\n  C: 3\n")
        assert where(items) == [("FS-ID-002", 5, 3), ("FS-EXPR-008", 6, 8),
                                ("FS-YAML-014", 7, 6)]


class TestRuntime:
    def test_every_setting(self):
        runtime = clean("""\
            runtime:
              timeout: 1h30m
              concurrency: 4
              retry: {max_retries: 2, backoff: linear, base: 500ms, max_delay: PT1M,
                      jitter: 0.5, timeout: 10, when: retryable, fallback_node: cached}
              max_iterations: 50
              context_budget: 1.5M
              model: haiku
              models: {triage: openai/gpt-4o-mini}
              log: false
            """).runtime
        assert (runtime.timeout, runtime.concurrency, runtime.max_iterations) == (5400.0, 4, 50)
        assert runtime.retry == {"max_retries": 2, "backoff": "linear", "base": 0.5,
                                 "max_delay": 60.0, "jitter": 0.5, "timeout": 10.0,
                                 "when": "retryable", "fallback_node": "cached"}
        assert (runtime.context_budget, runtime.model, runtime.log) == (1_500_000, "haiku", False)
        assert runtime.models == {"triage": "openai/gpt-4o-mini"}

    def test_defaults_and_integer_retry(self):
        runtime = clean("runtime: {retry: 3}\n").runtime
        assert runtime.retry == {"max_retries": 3}
        assert (runtime.max_iterations, runtime.log, runtime.timeout) == (1000, True, None)

    @pytest.mark.parametrize(("setting", "column"), [
        ("timeout: soon", 12), ("timeout: 0", 12), ("concurrency: 0", 16),
        ("concurrency: true", 16), ("retry: -1", 10), ("retry: {backoff: random}", 20),
        ("retry: {jitter: 2}", 19), ("retry: {base: -1s}", 17), ("max_iterations: 0", 19),
        ("context_budget: lots", 19), ("models: {a: 1}", 15), ("log: maybe", 8),
        ("model: [x]", 10)])
    def test_invalid_values(self, setting, column):
        _, items = read(f"runtime:\n  {setting}\n")
        assert where(items) == [("FS-YAML-014", 5, column)]

    def test_unknown_keys_warn(self):
        _, items = read("runtime:\n  concurency: 2\n  retry: {max: 2}\n")
        assert where(items) == [("FS-YAML-015", 5, 3), ("FS-YAML-015", 6, 11)]
        assert items[0].hints == ('did you mean "concurrency"?',)


class TestEvolution:
    def test_evolution(self):
        evolution = clean("evolution:\n  generation: 3\n  parent: 2.0\n  fitness: 1\n"
                          "  learnings: [a]\n").evolution
        assert evolution == {"generation": 3, "parent": "2.0", "fitness": 1, "learnings": ["a"]}

    @pytest.mark.parametrize(("yaml", "position"), [
        ("evolution: {fitness: 0.5}\n", (4, 1)), ("evolution: {generation: -1}\n", (4, 25)),
        ("evolution: {generation: 1, fitness: 1.5}\n", (4, 37)),
        ("evolution: {generation: 1, learnings: [1]}\n", (4, 40))])
    def test_invalid_evolution(self, yaml, position):
        _, items = read(yaml)
        assert where(items) == [("FS-YAML-014", *position)]

    def test_unknown_key_warns(self):
        _, items = read("evolution: {generation: 1, score: 2}\n")
        assert where(items) == [("FS-YAML-015", 4, 28)]
