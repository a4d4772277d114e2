/* test_scenario.c — the scenario loader: the built-in catalogue loads with
 * no diagnostic and says what the evidence says; malformed scenario files
 * get the right code at the right line and column; lookups and drivers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "evalops.h"
#include "falcolint.h"
#include "scenario.h"
#include "session.h"

/* ---- the built-in catalogue ------------------------------------------- */

static fl_session *S;

static int setup_builtin(void **st)
{
	(void)st;
	fl_options o;
	fl_options_init(&o);
	S = fl_session_new(&o);
	if (!S || fl_session_load_scenarios(S))
		return -1;
	return 0;
}

static int teardown_builtin(void **st)
{
	(void)st;
	fl_session_free(S);
	return 0;
}

static const fl_sevent *event_of(const char *scen, const char *ev)
{
	const fl_scenario *sc = fl_scenarios_find(fl_session_scenarios(S), scen);
	assert_non_null(sc);
	for (uint32_t i = 0; i < sc->nevents; i++)
		if (!strcmp(sc->events[i].name, ev))
			return &sc->events[i];
	fail_msg("no event '%s' in '%s'", ev, scen);
	return NULL;
}

static void test_builtin_loads_clean(void **st)
{
	(void)st;
	for (size_t i = 0; i < S->diags.list.n; i++) {
		const fl_dg *g = S->diags.list.v[i];
		print_error("%s: %s\n", fl_checks[g->code].code, g->msg);
	}
	assert_int_equal(S->diags.list.n, 0);
	const fl_scenarios *sc = fl_session_scenarios(S);
	assert_true(sc->list.n >= 9);
	size_t benign = 0, malicious = 0;
	for (size_t i = 0; i < sc->list.n; i++) {
		const fl_scenario *s = sc->list.v[i];
		assert_true(s->builtin);
		assert_non_null(s->summary);
		assert_true(s->nrefs > 0);
		assert_true(s->nevents > 0);
		assert_string_equal(s->source, "syscall");
		if (s->kind == FL_SCEN_BENIGN) {
			benign++;
			assert_true(s->nexempt > 0);
		} else {
			malicious++;
		}
		/* every variant names its driver(s) and is an exec from a memfd */
		for (uint32_t j = 0; j < s->nevents; j++) {
			const fl_sevent *e = &s->events[j];
			assert_true(e->drivers != 0);
			const fl_sfield *f = fl_sevent_field(e, "proc.is_exe_from_memfd", NULL);
			assert_non_null(f);
			assert_int_equal(f->value.kind, FL_V_BOOL);
			assert_int_equal(f->value.u, 1);
			f = fl_sevent_field(e, "evt.type", NULL);
			assert_non_null(f);
			assert_string_equal(f->value.s, "execve");
		}
	}
	assert_int_equal(benign, 6);
	assert_int_equal(malicious, 3);
}

static void test_builtin_runc_facts(void **st)
{
	(void)st;
	const fl_sevent *bpf = event_of("runc-memfd-reexec", "bpf");
	const fl_sevent *kmod = event_of("runc-memfd-reexec", "kmod");
	const fl_sfield *f = fl_sevent_field(bpf, "proc.name", NULL);
	assert_int_equal(f->value.kind, FL_V_STR);
	assert_string_equal(f->value.s, "5");
	assert_string_equal(fl_sevent_field(bpf, "proc.exepath", NULL)->value.s,
			    "memfd:runc_cloned:/proc/self/exe");
	assert_string_equal(fl_sevent_field(kmod, "proc.exepath", NULL)->value.s,
			    "/memfd:runc_cloned:/proc/self/exe");
	assert_string_equal(fl_sevent_field(bpf, "proc.pname", NULL)->value.s, "runc");
	assert_string_equal(fl_sevent_field(bpf, "evt.arg.flags", NULL)->value.s,
			    "EXE_WRITABLE|EXE_FROM_MEMFD");
	assert_string_equal(fl_sevent_field(bpf, "container.id", NULL)->value.s, "host");
	f = fl_sevent_field(bpf, "proc.aname", "1");
	assert_non_null(f);
	assert_string_equal(f->key, "proc.aname[1]");
	assert_null(fl_sevent_field(bpf, "proc.aname", NULL));
	/* converted to the catalogue's type (UINT32) */
	f = fl_sevent_field(bpf, "proc.tty", NULL);
	assert_int_equal(f->value.kind, FL_V_UINT);
	assert_int_equal(f->value.u, 0);
	/* proc.exe is argv[0], never the memfd path */
	assert_string_equal(fl_sevent_field(bpf, "proc.exe", NULL)->value.s, "runc");
	/* user.name was cut off in the stored alert: unknown */
	assert_null(fl_sevent_field(bpf, "user.name", NULL));
	/* its type, for the evaluator's skip of rules of other types */
	assert_int_equal(bpf->evt_type, fl_evttype_index("execve", 6) + 1);
	assert_true(bpf->evt_type > 0);

	unsigned mb, eb, km;
	assert_int_equal(fl_driver_parse("modern_bpf", &mb), 0);
	assert_int_equal(fl_driver_parse("ebpf", &eb), 0);
	assert_int_equal(fl_driver_parse("kmod", &km), 0);
	assert_int_equal(fl_driver_parse("bpf", &km), FL_EUSAGE);
	assert_true(fl_sevent_has_driver(bpf, mb));
	assert_true(fl_sevent_has_driver(bpf, eb));
	assert_false(fl_sevent_has_driver(bpf, km));
	assert_true(fl_sevent_has_driver(kmod, km));
	assert_true(fl_sevent_has_driver(kmod, 0));
	assert_true(fl_driver_name_valid("kmod"));
	assert_false(fl_driver_name_valid("KMOD"));
}

/* The facts of memfd-case.md §6, checked with the value semantics: which
 * clause of the upstream exemption macro matches which rendering. */
static void test_builtin_against_upstream_clauses(void **st)
{
	(void)st;
	fl_arena *a = S->arena;
	fl_opctx *c = fl_opctx_new(a);
	assert_non_null(c);
	const fl_sevent *bpf = event_of("runc-memfd-reexec", "bpf");
	const fl_sevent *kmod = event_of("runc-memfd-reexec", "kmod");
	fl_value lit, lst[1];
	fl_tv out;
	/* v1: proc.name in (known_memfd_execution_binaries), list empty */
	assert_int_equal(fl_compare(c, FL_OP_IN, FL_MOD_NONE,
				    &fl_sevent_field(bpf, "proc.name", NULL)->value,
				    NULL, 0, &out), 0);
	assert_int_equal(out, FL_FALSE);
	/* v2: proc.name in (runc) does not match the digit */
	lst[0] = fl_value_str("runc");
	assert_int_equal(fl_compare(c, FL_OP_IN, FL_MOD_NONE,
				    &fl_sevent_field(bpf, "proc.name", NULL)->value,
				    lst, 1, &out), 0);
	assert_int_equal(out, FL_FALSE);
	/* v2: proc.pname in (runc) does */
	assert_int_equal(fl_compare(c, FL_OP_IN, FL_MOD_NONE,
				    &fl_sevent_field(kmod, "proc.pname", NULL)->value,
				    lst, 1, &out), 0);
	assert_int_equal(out, FL_TRUE);
	/* v2: the exact exepath clause matches the BPF form only */
	lit = fl_value_str("memfd:runc_cloned:/proc/self/exe");
	assert_int_equal(fl_compare(c, FL_OP_EQ, FL_MOD_NONE,
				    &fl_sevent_field(bpf, "proc.exepath", NULL)->value,
				    &lit, 1, &out), 0);
	assert_int_equal(out, FL_TRUE);
	assert_int_equal(fl_compare(c, FL_OP_EQ, FL_MOD_NONE,
				    &fl_sevent_field(kmod, "proc.exepath", NULL)->value,
				    &lit, 1, &out), 0);
	assert_int_equal(out, FL_FALSE);
	/* v2: proc.exe = "memfd:…" can never match: proc.exe is argv[0] */
	assert_int_equal(fl_compare(c, FL_OP_EQ, FL_MOD_NONE,
				    &fl_sevent_field(bpf, "proc.exe", NULL)->value,
				    &lit, 1, &out), 0);
	assert_int_equal(out, FL_FALSE);
	/* a field the event does not give is unknown */
	fl_value unk = fl_value_unknown();
	assert_null(fl_sevent_field(bpf, "user.name", NULL));
	assert_int_equal(fl_compare(c, FL_OP_EQ, FL_MOD_NONE, &unk, &lit, 1, &out), 0);
	assert_int_equal(out, FL_UNKNOWN);
	/* is_exe_from_memfd=true, read as the rule's literal */
	fl_value t;
	assert_int_equal(fl_literal_parse(a, FL_OP_EQ, FL_V_BOOL, "true", 4, &t), 0);
	assert_int_equal(fl_compare(c, FL_OP_EQ, FL_MOD_NONE,
				    &fl_sevent_field(bpf, "proc.is_exe_from_memfd", NULL)->value,
				    &t, 1, &out), 0);
	assert_int_equal(out, FL_TRUE);
	fl_opctx_release(c);
}

/* ---- malformed files ---------------------------------------------------- */

typedef struct loaded {
	fl_arena *a;
	fl_diags d;
	fl_scenarios sc;
	fl_source *src;
} loaded;

static loaded *load_text(const char *text)
{
	static loaded L;
	fl_arena_free(L.a);
	memset(&L, 0, sizeof L);
	L.a = fl_arena_new();
	assert_non_null(L.a);
	L.d.arena = L.a;
	L.sc.arena = L.a;
	L.src = fl_source_new(L.a, 0, "t.yaml", text, strlen(text));
	assert_non_null(L.src);
	fl_ylimits lim = {64, UINT32_MAX, 100};
	assert_int_equal(fl_scenarios_load_source(&L.sc, &L.d, L.src, &lim, 0), 0);
	return &L;
}

static int teardown_text(void **st)
{
	(void)st;
	loaded *l = load_text("");
	fl_arena_free(l->a);
	l->a = NULL;
	return 0;
}

/* Asserts diagnostic i has `code` at 1-based line:col and a message
 * containing `part`. */
static void expect(const loaded *l, size_t i, fl_code code, unsigned line,
		   unsigned col, const char *part)
{
	assert_true(i < l->d.list.n);
	const fl_dg *g = l->d.list.v[i];
	unsigned ln, cl;
	fl_source_linecol(l->src, g->span.start, &ln, &cl);
	if (g->code != code || ln != line || cl != col || !strstr(g->msg, part))
		fail_msg("got %s at %u:%u '%s'; want %s at %u:%u '%s'",
			 fl_checks[g->code].code, ln, cl, g->msg,
			 fl_checks[code].code, line, col, part);
}

static const char GOOD[] =
	"- scenario: agent\n"
	"  kind: benign\n"
	"  summary: s\n"
	"  references: [x#1]\n"
	"  exempt: [proc.name = agent]\n"
	"  events:\n"
	"    - name: any\n"
	"      fields:\n"
	"        proc.name: agent\n"
	"        proc.pid: 42\n"
	"        proc.tty: ~\n"
	"        proc.aname['2']: bash\n"
	"        fd.types: [file, ipv4]\n"
	"        proc.is_exe_writable: false\n"
	"        proc.args: 'true'\n";

static void test_good_user_file(void **st)
{
	(void)st;
	loaded *l = load_text(GOOD);
	assert_int_equal(l->d.list.n, 0);
	assert_int_equal(l->sc.list.n, 1);
	const fl_scenario *s = l->sc.list.v[0];
	assert_false(s->builtin);
	assert_int_equal(s->nexempt, 1);
	assert_string_equal(s->exempt[0].cond, "proc.name = agent");
	const fl_sevent *e = &s->events[0];
	assert_int_equal(e->drivers, 0);
	assert_int_equal(e->evt_type, 0);  /* no evt.type: evaluated whatever the rule's types */
	assert_int_equal(fl_sevent_field(e, "proc.pid", NULL)->value.kind, FL_V_INT);
	assert_int_equal(fl_sevent_field(e, "proc.pid", NULL)->value.i, 42);
	/* proc.name: agent stays a string; a plain 5 would too (CHARBUF) */
	assert_int_equal(fl_sevent_field(e, "proc.tty", NULL)->value.kind, FL_V_NONE);
	assert_string_equal(fl_sevent_field(e, "proc.aname", "2")->value.s, "bash");
	const fl_value *lv = &fl_sevent_field(e, "fd.types", NULL)->value;
	assert_int_equal(lv->kind, FL_V_LIST);
	assert_int_equal(lv->n, 2);
	assert_string_equal(lv->items[1].s, "ipv4");
	assert_int_equal(fl_sevent_field(e, "proc.is_exe_writable", NULL)->value.kind, FL_V_BOOL);
	/* a quoted 'true' is a string */
	assert_int_equal(fl_sevent_field(e, "proc.args", NULL)->value.kind, FL_V_STR);
	/* a syscall without events of its own: the name's index all the same
	 * (fl_evtset_has() maps it to the generic pair) */
	l = load_text("- scenario: x\n  kind: benign\n  events:\n"
		      "    - {name: e, fields: {evt.type: adjtimex}}\n"
		      "    - {name: f, fields: {evt.type: nosuchevent}}\n");
	assert_int_equal(l->sc.list.v[0]->events[0].evt_type, fl_evttype_index("adjtimex", 8) + 1);
	assert_int_equal(l->sc.list.v[0]->events[1].evt_type, 0);
	/* a plain number for a CHARBUF field is read as its text */
	l = load_text("- scenario: x\n  kind: benign\n  events:\n"
		      "    - {name: e, fields: {proc.name: 5, proc.aname: [a, b]}}\n");
	assert_int_equal(l->d.list.n, 1);
	expect(l, 0, FL512, 4, 52, "a list is not a value of field 'proc.aname'");
	l = load_text("- scenario: x\n  kind: benign\n  events:\n"
		      "    - {name: e, fields: {proc.name: 5, proc.is_exe_from_memfd: yes,"
		      " proc.pid: x1, fd.sip: 10.0.0.300}}\n");
	assert_int_equal(l->d.list.n, 3);
	expect(l, 0, FL512, 4, 64, "'yes' is not a value of field 'proc.is_exe_from_memfd' (BOOL)");
	expect(l, 1, FL512, 4, 79, "'x1' is not a value of field 'proc.pid' (INT64)");
	expect(l, 2, FL512, 4, 91, "'10.0.0.300' is not a value of field 'fd.sip'");
	l = load_text("- scenario: x\n  kind: benign\n  events:\n"
		      "    - {name: e, fields: {proc.name: 5, fd.sip: 10.0.0.3}}\n");
	assert_int_equal(l->d.list.n, 0);
	const fl_sevent *e2 = &l->sc.list.v[0]->events[0];
	assert_int_equal(fl_sevent_field(e2, "proc.name", NULL)->value.kind, FL_V_STR);
	assert_string_equal(fl_sevent_field(e2, "proc.name", NULL)->value.s, "5");
	assert_int_equal(fl_sevent_field(e2, "fd.sip", NULL)->value.kind, FL_V_IP);
}

static void test_shape_errors(void **st)
{
	(void)st;
	loaded *l = load_text("scenario: x\n");
	expect(l, 0, FL510, 1, 1, "must be a list of scenarios");

	l = load_text("- just a string\n");
	expect(l, 0, FL510, 1, 3, "a scenario must be a map");

	l = load_text("- kind: benign\n  events: []\n");
	expect(l, 0, FL510, 1, 3, "missing key 'scenario'");

	l = load_text("- scenario: x\n"
		      "  kind: harmless\n"
		      "  evnts: []\n");
	assert_int_equal(l->d.list.n, 3);
	expect(l, 0, FL510, 2, 9, "unknown kind 'harmless'");
	expect(l, 1, FL510, 3, 3, "unknown key 'evnts' in scenario 'x'");
	expect(l, 2, FL510, 1, 13, "missing key 'events' in scenario 'x'");
	assert_int_equal(l->sc.list.n, 0);

	l = load_text("- scenario: x\n  kind: benign\n  events: []\n");
	expect(l, 0, FL510, 3, 11, "must be a non-empty list");

	l = load_text("- scenario: x\n"
		      "  kind: malicious\n"
		      "  exempt: [proc.name = x]\n"
		      "  events:\n"
		      "    - name: e\n"
		      "      fields: {proc.name: x}\n");
	expect(l, 0, FL510, 3, 11, "only meaningful for a benign scenario");

	l = load_text("- scenario: x\n"
		      "  kind: benign\n"
		      "  events:\n"
		      "    - name: e\n"
		      "      drivr: kmod\n");
	expect(l, 0, FL510, 5, 7, "unknown key 'drivr' in event 'e'");
	expect(l, 1, FL510, 4, 13, "missing key 'fields' in event 'e'");

	l = load_text("- scenario: [x]\n  kind: benign\n");
	expect(l, 0, FL510, 1, 13, "'scenario' must be a string, not a sequence");
}

static void test_field_and_driver_errors(void **st)
{
	(void)st;
	loaded *l = load_text("- scenario: x\n"
			      "  kind: benign\n"
			      "  events:\n"
			      "    - name: e\n"
			      "      driver: [modern_bpf, bpf]\n"
			      "      fields:\n"
			      "        proc name: x\n"
			      "        proc.aname[: y\n"
			      "        proc.exepath: {a: b}\n"
			      "        proc.args: [a, [b]]\n"
			      "        proc: z\n");
	assert_int_equal(l->d.list.n, 6);
	expect(l, 0, FL514, 5, 28, "unknown driver 'bpf'");
	expect(l, 1, FL511, 7, 9, "unknown field 'proc name'");
	expect(l, 2, FL511, 8, 9, "'proc.aname['");
	expect(l, 3, FL512, 9, 23, "a map is not a value of field 'proc.exepath'");
	expect(l, 4, FL512, 10, 24, "list items of field 'proc.args' must be strings");
	expect(l, 5, FL511, 11, 9, "unknown field 'proc'");
	assert_int_equal(l->sc.list.n, 0);
}

static void test_duplicates(void **st)
{
	(void)st;
	loaded *l = load_text("- scenario: x\n"
			      "  kind: benign\n"
			      "  kind: malicious\n"
			      "  events:\n"
			      "    - name: e\n"
			      "      fields:\n"
			      "        proc.name: a\n"
			      "        proc.name: b\n"
			      "    - name: e\n"
			      "      fields: {}\n"
			      "- scenario: y\n"
			      "  kind: benign\n"
			      "  events: [{name: e, fields: {}}]\n"
			      "- scenario: y\n"
			      "  kind: benign\n"
			      "  events: [{name: e, fields: {}}]\n");
	assert_int_equal(l->d.list.n, 4);
	expect(l, 0, FL513, 3, 3, "key 'kind' given twice in scenario 'x'");
	expect(l, 1, FL513, 8, 9, "field 'proc.name' given twice in event 'e'");
	expect(l, 2, FL513, 9, 13, "event 'e' defined twice in scenario 'x'");
	expect(l, 3, FL513, 14, 13, "scenario 'y' defined twice");
	const fl_dg *g = l->d.list.v[3];
	assert_non_null(g->notes);
	unsigned ln, cl;
	fl_source_linecol(l->src, g->notes->span.start, &ln, &cl);
	assert_int_equal(ln, 11);
	assert_int_equal(cl, 13);
	/* the first y is kept, x is not */
	assert_int_equal(l->sc.list.n, 1);
	assert_string_equal(l->sc.list.v[0]->name, "y");
}

static void test_exempt_syntax(void **st)
{
	(void)st;
	loaded *l = load_text("- scenario: x\n"
			      "  kind: benign\n"
			      "  exempt:\n"
			      "    - proc.name = a\n"
			      "    - >\n"
			      "      proc.name = a and\n"
			      "      proc.exepath memfd:x\n"
			      "  events: [{name: e, fields: {proc.name: a}}]\n");
	assert_int_equal(l->d.list.n, 1);
	expect(l, 0, FL515, 7, 20, "exempt condition of scenario 'x' does not parse");
	assert_int_equal(l->sc.list.n, 0);
}

static void test_yaml_error_is_yaml_diag(void **st)
{
	(void)st;
	loaded *l = load_text("- scenario: x\n  kind: [benign\n");
	assert_int_equal(l->d.list.n, 1);
	assert_int_equal(l->d.list.v[0]->code, FL002);
	assert_int_equal(l->sc.list.n, 0);
	l = load_text("");
	assert_int_equal(l->d.list.n, 0);
	l = load_text("# nothing\n---\n");
	assert_int_equal(l->d.list.n, 0);
}

static void test_session_scenario_file(void **st)
{
	(void)st;
	fl_options o;
	fl_options_init(&o);
	fl_session *s = fl_session_new(&o);
	assert_non_null(s);
	assert_int_equal(fl_session_add_scenario(s, "/nonexistent/scen.yaml"), 0);
	assert_int_equal(fl_session_run(s), 0);
	assert_int_equal(fl_session_ndiags(s), 1);
	assert_string_equal(fl_session_diag(s, 0)->code, "FL001");
	/* the built-in catalogue was loaded too, and reported nothing */
	assert_true(fl_session_scenarios(s)->list.n >= 9);
	fl_session_free(s);
}

int main(void)
{
	const struct CMUnitTest builtin[] = {
		cmocka_unit_test(test_builtin_loads_clean),
		cmocka_unit_test(test_builtin_runc_facts),
		cmocka_unit_test(test_builtin_against_upstream_clauses),
	};
	const struct CMUnitTest files[] = {
		cmocka_unit_test(test_good_user_file),
		cmocka_unit_test(test_shape_errors),
		cmocka_unit_test(test_field_and_driver_errors),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_exempt_syntax),
		cmocka_unit_test(test_yaml_error_is_yaml_diag),
		cmocka_unit_test(test_session_scenario_file),
	};
	int rc = cmocka_run_group_tests_name("builtin", builtin, setup_builtin,
					     teardown_builtin);
	rc += cmocka_run_group_tests_name("files", files, NULL, teardown_text);
	return rc;
}
