/* test_eval.c — evaluation of parsed conditions against scenario events
 * (Kleene logic through and/or/not, macros memoized per event, ancestors,
 * transformers, val(), literal lists read once), and the session stage:
 * FL501 on the upstream memfd exemption of falco-rules 3.2.0, none on 4.0.0
 * for runc, --driver, FL502 with show_uncertain; fl_rseval, the rule
 * evaluation `fix` uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "eval.h"
#include "falcolint.h"
#include "ruleset.h"
#include "scenario.h"
#include "session.h"

static fl_arena *A;
static fl_opctx *C;
static fl_sevent EV;

/* A runc 1.1.15 event as the BPF drivers show it (the published alert). */
static void make_event(void)
{
	static fl_sfield f[8];
	memset(f, 0, sizeof f);
	f[0] = (fl_sfield){.name = "proc.name", .value = fl_value_str("5")};
	f[1] = (fl_sfield){.name = "proc.pname", .value = fl_value_str("runc")};
	f[2] = (fl_sfield){.name = "proc.exepath",
			   .value = fl_value_str("memfd:runc_cloned:/proc/self/exe")};
	f[3] = (fl_sfield){.name = "proc.is_exe_from_memfd", .value = fl_value_bool(1)};
	f[4] = (fl_sfield){.name = "evt.type", .value = fl_value_str("execve")};
	f[5] = (fl_sfield){.name = "proc.aname", .arg = "2",
			   .value = fl_value_str("oci-add-hooks")};
	f[6] = (fl_sfield){.name = "container.image.repository", .value = fl_value_none()};
	f[7] = (fl_sfield){.name = "proc.pid", .value = fl_value_int(4242)};
	EV = (fl_sevent){.name = "bpf", .fields = f, .nfields = 8};
}

/* Macros for the tests: name -> condition text. */
static const char *const MACROS[][2] = {
	{"spawned_process", "evt.type in (execve, execveat)"},
	{"known_v1", "proc.name in ()"},
	{"known_v2", "proc.name in (runc) or proc.pname in (runc)"},
	{"about_user", "user.name = root"},
	{"self", "self"},
};
#define NMACROS (sizeof MACROS / sizeof MACROS[0])
static const fl_expr *MACRO_AST[64];
static unsigned resolver_calls;

static const fl_expr *parse(const char *text)
{
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(A, text, (uint32_t)strlen(text), 0, &errs);
	assert_non_null(e);
	if (errs.n)
		fail_msg("parse error in '%s': %s", text, errs.v[0].msg);
	return e;
}

static const fl_expr *resolve(void *ctx, const char *name, uint32_t len,
			      uint32_t *slot)
{
	(void)ctx;
	resolver_calls++;
	for (uint32_t i = 0; i < 64 && MACRO_AST[i]; i++) {
		const char *n = i < NMACROS ? MACROS[i][0] : NULL;
		char buf[16];
		if (!n) {
			snprintf(buf, sizeof buf, "m%u", i - (unsigned)NMACROS);
			n = buf;
		}
		if (strlen(n) == len && !memcmp(n, name, len)) {
			*slot = i;
			return MACRO_AST[i];
		}
	}
	return NULL;
}

static int setup(void **st)
{
	(void)st;
	A = fl_arena_new();
	C = fl_opctx_new(A);
	make_event();
	memset(MACRO_AST, 0, sizeof MACRO_AST);
	for (size_t i = 0; i < NMACROS; i++)
		MACRO_AST[i] = parse(MACROS[i][1]);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	fl_opctx_release(C);
	fl_arena_free(A);
	return 0;
}

static fl_tv ev(const char *cond, int *err)
{
	fl_evalenv env;
	assert_int_equal(fl_evalenv_init(&env, A, C, 64, resolve, NULL), 0);
	fl_tv t = fl_eval(&env, parse(cond), &EV);
	if (err)
		*err = env.error;
	else if (env.error)
		fail_msg("evaluation error in '%s': %s", cond,
			 env.error_msg ? env.error_msg : "?");
	return t;
}

static void test_checks_and_logic(void **st)
{
	(void)st;
	assert_int_equal(ev("proc.name = 5", NULL), FL_TRUE);
	assert_int_equal(ev("proc.is_exe_from_memfd = true", NULL), FL_TRUE);
	assert_int_equal(ev("proc.is_exe_from_memfd=false", NULL), FL_FALSE);
	assert_int_equal(ev("proc.pid > 4000 and proc.pid < 5000", NULL), FL_TRUE);
	assert_int_equal(ev("user.name = root", NULL), FL_UNKNOWN);
	assert_int_equal(ev("user.name = root and proc.name = x", NULL), FL_FALSE);
	assert_int_equal(ev("user.name = root or proc.name = 5", NULL), FL_TRUE);
	assert_int_equal(ev("user.name = root or proc.name = 6", NULL), FL_UNKNOWN);
	assert_int_equal(ev("not user.name = root", NULL), FL_UNKNOWN);
	assert_int_equal(ev("not (proc.name = 6)", NULL), FL_TRUE);
	assert_int_equal(ev("user.name exists", NULL), FL_UNKNOWN);
	assert_int_equal(ev("proc.exepath exists", NULL), FL_TRUE);
	/* a field Falco reports as absent fails every test, even != */
	assert_int_equal(ev("container.image.repository != nginx", NULL), FL_FALSE);
	assert_int_equal(ev("container.image.repository exists", NULL), FL_FALSE);
	assert_int_equal(ev("not container.image.repository exists", NULL), FL_TRUE);
	assert_int_equal(ev("proc.exepath startswith memfd: and proc.exepath endswith /exe", NULL),
			 FL_TRUE);
	assert_int_equal(ev("proc.exepath pmatch (/memfd:runc_cloned:/proc)", NULL), FL_TRUE);
	assert_int_equal(ev("proc.exepath regex 'memfd:[a-z_]+:.*'", NULL), FL_TRUE);
}

static void test_macros(void **st)
{
	(void)st;
	const char *rule_v1 = "spawned_process and proc.is_exe_from_memfd=true and not known_v1";
	const char *rule_v2 = "spawned_process and proc.is_exe_from_memfd=true and not known_v2";
	assert_int_equal(ev(rule_v1, NULL), FL_TRUE);
	assert_int_equal(ev(rule_v2, NULL), FL_FALSE);
	assert_int_equal(ev("spawned_process and about_user", NULL), FL_UNKNOWN);
	/* an unknown macro is unknown; a self-reference does not loop */
	assert_int_equal(ev("nosuchmacro", NULL), FL_UNKNOWN);
	assert_int_equal(ev("self", NULL), FL_UNKNOWN);
}

/* m0 = proc.name = 5; m(i) = m(i-1) and m(i-1): 2^60 paths, one
 * evaluation per macro thanks to the memo. */
static void test_macro_memo_is_linear(void **st)
{
	(void)st;
	char text[64];
	MACRO_AST[NMACROS] = parse("proc.name = 5");
	for (unsigned i = 1; i <= 58; i++) {
		snprintf(text, sizeof text, "m%u and not not m%u", i - 1, i - 1);
		MACRO_AST[NMACROS + i] = parse(text);
	}
	resolver_calls = 0;
	assert_int_equal(ev("m58", NULL), FL_TRUE);
	assert_true(resolver_calls < 200);
	for (unsigned i = 0; i <= 58; i++)
		MACRO_AST[NMACROS + i] = NULL;
}

/* Values kept across evaluations (fl_evalenv_keep) are the values of
 * evaluating afresh: with a nesting limit that a macro reached deep in a
 * condition hits while the same macro at the top does not, and with a
 * macro that references itself (never kept). */
static void test_kept_values(void **st)
{
	(void)st;
	char text[64];
	MACRO_AST[NMACROS] = parse("proc.name = 5");
	for (unsigned i = 1; i <= 8; i++) {
		snprintf(text, sizeof text, "m%u and proc.pid = 4242", i - 1);
		MACRO_AST[NMACROS + i] = parse(text);
	}
	unsigned char acyclic[64] = {0};
	for (unsigned i = 0; i < NMACROS + 9; i++)
		acyclic[i] = strcmp(i < NMACROS ? MACROS[i][0] : "", "self") != 0;
	static const char *const conds[] = {
		"m4", "m8", "proc.name = 5 and (m4 or proc.name = x)",
		"not (proc.pid = 1 or (m6 and (m4 or m8)))", "m4 and m8", "self or m2",
		"self and known_v2", "known_v2 and not known_v1 and m3",
	};
	size_t nc = sizeof conds / sizeof conds[0];
	unsigned limited = 0;
	for (unsigned limit = 6; limit <= 24; limit++) {
		fl_evalenv fresh, kept;
		assert_int_equal(fl_evalenv_init(&fresh, A, C, 64, resolve, NULL), 0);
		assert_int_equal(fl_evalenv_init(&kept, A, C, 64, resolve, NULL), 0);
		assert_int_equal(fl_evalenv_keep(&kept, acyclic), 0);
		fresh.max_depth = kept.max_depth = limit;
		/* each condition after every other, so that each macro is kept
		 * from a place both shallower and deeper than where it is used */
		for (size_t a = 0; a < nc; a++)
			for (size_t b = 0; b < nc; b++) {
				const fl_expr *x = parse(conds[a]), *y = parse(conds[b]);
				fl_tv fx = fl_eval(&fresh, x, &EV), fy = fl_eval(&fresh, y, &EV);
				fl_tv kx = fl_eval(&kept, x, &EV), ky = fl_eval(&kept, y, &EV);
				if (fx != kx || fy != ky)
					fail_msg("limit %u: '%s' then '%s': %d %d kept, %d %d fresh",
						 limit, conds[a], conds[b], kx, ky, fx, fy);
			}
		limited += fresh.error == FL_EUSAGE;
	}
	assert_true(limited > 0 && limited < 19); /* the limit was met, not always */
	for (unsigned i = 0; i <= 8; i++)
		MACRO_AST[NMACROS + i] = NULL;
}

static void test_ancestors_transformers_val(void **st)
{
	(void)st;
	assert_int_equal(ev("proc.aname[2] = oci-add-hooks", NULL), FL_TRUE);
	/* proc.aname[1] is the parent */
	assert_int_equal(ev("proc.aname[1] = runc", NULL), FL_TRUE);
	assert_int_equal(ev("proc.aname[3] = containerd", NULL), FL_UNKNOWN);
	/* without an index: any ancestor; unknown ones keep a miss open */
	assert_int_equal(ev("proc.aname = oci-add-hooks", NULL), FL_TRUE);
	assert_int_equal(ev("proc.aname = runc", NULL), FL_TRUE);
	assert_int_equal(ev("proc.aname = containerd", NULL), FL_UNKNOWN);
	assert_int_equal(ev("proc.aname in (containerd, runc)", NULL), FL_TRUE);
	assert_int_equal(ev("toupper(proc.pname) = RUNC", NULL), FL_TRUE);
	assert_int_equal(ev("basename(proc.exepath) = exe", NULL), FL_TRUE);
	assert_int_equal(ev("len(proc.pname) = 4", NULL), FL_TRUE);
	assert_int_equal(ev("len(proc.pname) > 10", NULL), FL_FALSE);
	assert_int_equal(ev("tolower(user.name) = root", NULL), FL_UNKNOWN);
	assert_int_equal(ev("proc.name = val(proc.pname)", NULL), FL_FALSE);
	assert_int_equal(ev("proc.pname = val(proc.aname[1])", NULL), FL_TRUE);
	assert_int_equal(ev("proc.name = val(user.name)", NULL), FL_UNKNOWN);
	assert_int_equal(ev("proc.exepath startswith oneof (memfd:, memfd:runc)", NULL),
			 FL_FALSE);
	assert_int_equal(ev("proc.exepath startswith anyof (/memfd:, memfd:runc)", NULL),
			 FL_TRUE);
}

static void test_refused_comparisons(void **st)
{
	(void)st;
	int err;
	assert_int_equal(ev("proc.pid = abc", &err), FL_UNKNOWN);
	assert_int_equal(err, FL_EUSAGE);
	assert_int_equal(ev("proc.is_exe_from_memfd = yes", &err), FL_UNKNOWN);
	assert_int_equal(err, FL_EUSAGE);
	assert_int_equal(ev("proc.pid contains 4", &err), FL_UNKNOWN);
	assert_int_equal(err, FL_EUSAGE);
	assert_int_equal(ev("proc.name regex '(?i)x'", &err), FL_UNKNOWN);
	assert_int_equal(err, FL_EUSAGE);
}

/* A literal list is read once per check: evaluating it again allocates
 * nothing, a big list is looked up, and refusals are still recorded on
 * every evaluation. */
static void test_literal_lists_read_once(void **st)
{
	(void)st;
	enum { NB = 20000 };
	char *text = fl_arena_alloc(A, NB * 12 + 64);
	assert_non_null(text);
	size_t n = (size_t)sprintf(text, "proc.name in (");
	for (int i = 0; i < NB; i++)
		n += (size_t)sprintf(text + n, "%sbin%d", i ? ", " : "", i);
	/* the event's proc.name, and a near miss in case */
	n += (size_t)sprintf(text + n, ", 5x, Runc)");
	const fl_expr *big = parse(text);
	const fl_expr *pids = parse("proc.pid in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, "
				    "14, 15, 16, 17, 4242)");
	const fl_expr *miss = parse("proc.pname in (a, b, c, d, e, f, g, h, i, j, k, l, m, "
				    "n, o, p, q, RUNC, runc0)");
	const fl_expr *bad = parse("proc.pid in (1, 2, x)");
	fl_evalenv env;
	assert_int_equal(fl_evalenv_init(&env, A, C, 0, NULL, NULL), 0);
	assert_int_equal(fl_eval(&env, big, &EV), FL_FALSE);
	assert_int_equal(fl_eval(&env, pids, &EV), FL_TRUE);
	assert_int_equal(fl_eval(&env, miss, &EV), FL_FALSE);
	assert_int_equal(env.error, 0);
	size_t used = fl_arena_used(A);
	for (int k = 0; k < 50; k++) {
		assert_int_equal(fl_eval(&env, big, &EV), FL_FALSE);
		assert_int_equal(fl_eval(&env, pids, &EV), FL_TRUE);
		assert_int_equal(fl_eval(&env, miss, &EV), FL_FALSE);
	}
	assert_int_equal(fl_arena_used(A), used);
	/* the same list on another event: found by exact value only */
	fl_sfield f = {.name = "proc.name", .value = fl_value_str("bin19999")};
	fl_sevent other = {.name = "x", .fields = &f, .nfields = 1};
	assert_int_equal(fl_eval(&env, big, &other), FL_TRUE);
	f.value = fl_value_str("Runc");
	assert_int_equal(fl_eval(&env, big, &other), FL_TRUE);
	f.value = fl_value_str("runc");
	assert_int_equal(fl_eval(&env, big, &other), FL_FALSE);
	f.value = fl_value_str("bin2000 ");
	assert_int_equal(fl_eval(&env, big, &other), FL_FALSE);
	/* a literal Falco refuses: unknown, and the error on each evaluation */
	for (int k = 0; k < 2; k++) {
		env.error = 0;
		env.error_msg = NULL;
		assert_int_equal(fl_eval(&env, bad, &EV), FL_UNKNOWN);
		assert_int_equal(env.error, FL_EUSAGE);
		assert_string_equal(env.error_msg, "value does not fit the field's type");
	}
}

/* ---- the session stage --------------------------------------------------- */

static const char V1[] =
	"- macro: spawned_process\n"
	"  condition: (evt.type in (execve, execveat) and evt.dir=<)\n"
	"- list: known_memfd_execution_binaries\n"
	"  items: []\n"
	"- macro: known_memfd_execution_processes\n"
	"  condition: (proc.name in (known_memfd_execution_binaries))\n"
	"- rule: Fileless execution via memfd_create\n"
	"  desc: d\n"
	"  condition: >\n"
	"    spawned_process\n"
	"    and proc.is_exe_from_memfd=true\n"
	"    and not known_memfd_execution_processes\n"
	"  output: o\n"
	"  priority: CRITICAL\n";

static const char V2_TAIL[] =
	"- list: known_memfd_execution_binaries\n"
	"  items: [runc]\n"
	"- macro: known_memfd_execution_processes\n"
	"  condition: >\n"
	"    (proc.name in (known_memfd_execution_binaries))\n"
	"    or (proc.pname in (known_memfd_execution_binaries))\n"
	"    or (proc.exepath = \"memfd:runc_cloned:/proc/self/exe\")\n"
	"    or (proc.exe = \"memfd:runc_cloned:/proc/self/exe\")\n";

static fl_session *run(const char *driver, int uncertain, const char *extra)
{
	fl_options o;
	fl_options_init(&o);
	o.driver = driver;
	o.show_uncertain = uncertain;
	fl_session *s = fl_session_new(&o);
	assert_non_null(s);
	assert_int_equal(fl_session_add_buffer(s, "rules.yaml", V1, strlen(V1), 0), 0);
	if (extra)
		assert_int_equal(fl_session_add_buffer(s, "local.yaml", extra, strlen(extra), 0), 0);
	assert_int_equal(fl_session_run(s), 0);
	return s;
}

static const fl_diag_view *find(const fl_session *s, const char *code,
				const char *scenario)
{
	for (size_t i = 0; i < fl_session_ndiags(s); i++) {
		const fl_diag_view *v = fl_session_diag(s, i);
		if (!strcmp(v->code, code) && v->scenario && !strcmp(v->scenario, scenario))
			return v;
	}
	return NULL;
}

static void test_session_v1_fires(void **st)
{
	(void)st;
	fl_session *s = run(NULL, 0, NULL);
	const fl_diag_view *v = find(s, "FL501", "runc-memfd-reexec");
	assert_non_null(v);
	assert_string_equal(v->message,
			    "rule 'Fileless execution via memfd_create' fires on benign "
			    "scenario 'runc-memfd-reexec' (variants 'bpf', 'kmod', 'bpf-linux-6.14')");
	assert_string_equal(v->variant, "bpf, kmod, bpf-linux-6.14");
	assert_string_equal(v->item_name, "Fileless execution via memfd_create");
	/* the condition text itself, below its `>` indicator */
	assert_int_equal(v->loc.line, 10);
	/* one clause failed to exempt; its value differs between variants */
	assert_int_equal(v->nnotes, 2);
	assert_int_equal(v->notes[0].loc.line, 6);
	assert_int_equal(v->notes[0].loc.column, 15);
	assert_string_equal(v->notes[0].message,
			    "`proc.name in (known_memfd_execution_binaries)` is false: "
			    "proc.name is \"5\" and the list is empty (variants 'bpf', 'kmod')");
	assert_string_equal(v->notes[1].message,
			    "`proc.name in (known_memfd_execution_binaries)` is false: "
			    "proc.name is \"memfd:runc_clon\" and the list is empty "
			    "(variant 'bpf-linux-6.14')");
	assert_non_null(v->help);
	assert_non_null(find(s, "FL501", "crun-memfd-reexec"));
	/* malicious scenarios are not reported */
	assert_null(find(s, "FL501", "memfd-payload-exec"));
	fl_session_free(s);
}

static void test_session_v2_and_driver(void **st)
{
	(void)st;
	fl_session *s = run(NULL, 0, V2_TAIL);
	assert_null(find(s, "FL501", "runc-memfd-reexec"));
	assert_null(find(s, "FL501", "runc-memfd-fallback"));
	assert_non_null(find(s, "FL501", "crun-memfd-reexec"));
	assert_non_null(find(s, "FL501", "youki-memfd-reexec"));
	fl_session_free(s);

	/* only the kernel module's rendering */
	s = run("kmod", 0, NULL);
	const fl_diag_view *v = find(s, "FL501", "runc-memfd-reexec");
	assert_non_null(v);
	assert_string_equal(v->variant, "kmod");
	fl_session_free(s);
}

static void test_session_uncertain(void **st)
{
	(void)st;
	static const char rule[] =
		"- rule: root memfd\n"
		"  desc: d\n"
		"  condition: proc.is_exe_from_memfd=true and user.name = root\n"
		"  output: o\n"
		"  priority: WARNING\n";
	fl_session *s = run(NULL, 0, rule);
	for (size_t i = 0; i < fl_session_ndiags(s); i++)
		assert_string_not_equal(fl_session_diag(s, i)->code, "FL502");
	fl_session_free(s);
	s = run(NULL, 1, rule);
	const fl_diag_view *v = find(s, "FL502", "runc-memfd-reexec");
	assert_non_null(v);
	assert_string_equal(v->item_name, "root memfd");
	fl_session_free(s);
}

/* The catalogue's own consistency: every exempt predicate of a benign
 * scenario is true on each of its events and false on every malicious
 * event (a fix built from it keeps the malicious scenarios firing). */
static void test_catalogue_exemptions(void **st)
{
	(void)st;
	fl_options o;
	fl_options_init(&o);
	fl_session *s = fl_session_new(&o);
	assert_non_null(s);
	assert_int_equal(fl_session_load_scenarios(s), 0);
	const fl_scenarios *sc = fl_session_scenarios(s);
	fl_evalenv env;
	assert_int_equal(fl_evalenv_init(&env, A, C, 0, NULL, NULL), 0);
	size_t checked = 0;
	for (size_t i = 0; i < sc->list.n; i++) {
		const fl_scenario *b = sc->list.v[i];
		for (uint32_t x = 0; x < b->nexempt; x++) {
			const fl_expr *e = parse(b->exempt[x].cond);
			for (uint32_t k = 0; k < b->nevents; k++) {
				if (fl_eval(&env, e, &b->events[k]) != FL_TRUE)
					fail_msg("exempt of '%s' not true on '%s'", b->name,
						 b->events[k].name);
				checked++;
			}
			for (size_t j = 0; j < sc->list.n; j++) {
				const fl_scenario *m = sc->list.v[j];
				if (m->kind != FL_SCEN_MALICIOUS)
					continue;
				for (uint32_t k = 0; k < m->nevents; k++) {
					if (fl_eval(&env, e, &m->events[k]) != FL_FALSE)
						fail_msg("exempt of '%s' not false on '%s' / '%s'",
							 b->name, m->name, m->events[k].name);
					checked++;
				}
			}
		}
	}
	assert_int_equal(env.error, 0);
	assert_true(checked > 50);
	fl_session_free(s);
}

static const fl_diag_view *find_msg(const fl_session *s, const char *code,
				    const char *part)
{
	for (size_t i = 0; i < fl_session_ndiags(s); i++) {
		const fl_diag_view *v = fl_session_diag(s, i);
		if (!strcmp(v->code, code) && strstr(v->message, part))
			return v;
	}
	return NULL;
}

/* The exemption clauses of falco-rules 4.0.0, judged on the runc events:
 * proc.pname is attacker-controlled (FL503), proc.exe never holds the
 * memfd path (FL504), proc.exepath misses the kmod rendering (FL504). */
static void test_exemption_checks(void **st)
{
	(void)st;
	fl_session *s = run(NULL, 0, V2_TAIL);
	const fl_diag_view *v = find_msg(s, "FL503", "`proc.pname in (known_memfd_execution_binaries)`");
	assert_non_null(v);
	assert_non_null(strstr(v->message, "only through 'proc.pname'"));
	assert_string_equal(v->scenario, "runc-memfd-reexec");
	assert_int_equal(v->nnotes, 1);
	assert_non_null(strstr(v->notes[0].message, "memfd-payload-spoofed-parent"));
	v = find_msg(s, "FL504", "`proc.exe = \"memfd:runc_cloned:/proc/self/exe\"`");
	assert_non_null(v);
	assert_non_null(strstr(v->message, "proc.exe is \"runc\""));
	assert_non_null(strstr(v->message, "'proc.exepath'"));
	v = find_msg(s, "FL504", "`proc.exepath = \"memfd:runc_cloned:/proc/self/exe\"`");
	assert_non_null(v);
	assert_non_null(strstr(v->message, "misses variant 'kmod'"));
	/* the exepath clause is reported once, not per scenario */
	size_t n = 0;
	for (size_t i = 0; i < fl_session_ndiags(s); i++)
		n += strstr(fl_session_diag(s, i)->message, "misses variant") != NULL;
	assert_int_equal(n, 1);
	fl_session_free(s);

	/* with the BPF drivers only, the exepath clause matches every variant */
	s = run("modern_bpf", 0, V2_TAIL);
	assert_null(find_msg(s, "FL504", "misses variant"));
	assert_null(find(s, "FL501", "runc-memfd-reexec"));
	fl_session_free(s);
}

/* The kept evaluation: every selected variant, malicious ones included. */
static void test_results_and_views(void **st)
{
	(void)st;
	fl_options o;
	fl_options_init(&o);
	o.driver = "kmod";
	fl_session *s = fl_session_new(&o);
	assert_non_null(s);
	fl_session_keep_evaluation(s);
	assert_int_equal(fl_session_add_buffer(s, "rules.yaml", V1, strlen(V1), 0), 0);
	assert_int_equal(fl_session_run(s), 0);
	size_t n = fl_session_neval(s), benign = 0, mal = 0;
	assert_true(n > 5);
	for (size_t i = 0; i < n; i++) {
		const fl_eval_result *r = fl_session_eval_at(s, i);
		assert_non_null(strstr(r->variant, "kmod")); /* kmod variants only */
		if (!strcmp(r->kind, "benign"))
			benign++;
		else
			mal++;
		if (!strcmp(r->scenario, "memfd-payload-exec") ||
		    !strcmp(r->scenario, "runc-memfd-reexec")) {
			assert_int_equal(r->nfires, 1);
			assert_string_equal(r->fires[0], "Fileless execution via memfd_create");
		}
	}
	assert_true(benign >= 5 && mal >= 1);
	assert_null(fl_session_eval_at(s, n));
	size_t ns = fl_session_nscenarios(s);
	assert_true(ns >= 8);
	const fl_scenario_view *sv = fl_session_scenario_at(s, 0);
	assert_string_equal(sv->name, "runc-memfd-reexec");
	assert_string_equal(sv->kind, "benign");
	assert_true(sv->builtin);
	assert_string_equal(sv->variants[0], "bpf");
	assert_string_equal(sv->variant_drivers[0], "modern_bpf, ebpf");
	fl_session_free(s);

	/* one scenario by name: diagnostics and results follow it */
	fl_options_init(&o);
	s = fl_session_new(&o);
	assert_non_null(s);
	fl_session_keep_evaluation(s);
	assert_int_equal(fl_session_only_scenario(s, "youki-memfd-reexec"), 0);
	assert_int_equal(fl_session_add_buffer(s, "rules.yaml", V1, strlen(V1), 0), 0);
	assert_int_equal(fl_session_run(s), 0);
	assert_int_equal(fl_session_neval(s), 2);
	assert_null(find(s, "FL501", "runc-memfd-reexec"));
	assert_non_null(find(s, "FL501", "youki-memfd-reexec"));
	fl_session_free(s);
}

/* A disabled rule is not evaluated; a custom rule that tests the exec
 * flags fires like the upstream one. */
static void test_custom_and_disabled(void **st)
{
	(void)st;
	static const char custom[] =
		"- rule: My memfd exec\n"
		"  desc: d\n"
		"  condition: evt.type = execve and evt.arg.flags contains EXE_FROM_MEMFD\n"
		"  output: o\n"
		"  priority: WARNING\n";
	static const char off[] =
		"- rule: My memfd exec\n"
		"  enabled: false\n"
		"  override:\n"
		"    enabled: replace\n";
	fl_options o;
	fl_options_init(&o);
	fl_session *s = fl_session_new(&o);
	assert_int_equal(fl_session_add_buffer(s, "c.yaml", custom, strlen(custom), 0), 0);
	assert_int_equal(fl_session_run(s), 0);
	const fl_diag_view *v = find(s, "FL501", "runc-memfd-reexec");
	assert_non_null(v);
	assert_string_equal(v->item_name, "My memfd exec");
	/* no exemption at all: said so */
	assert_non_null(strstr(v->notes[0].message, "no exemption"));
	fl_session_free(s);
	s = fl_session_new(&o);
	assert_int_equal(fl_session_add_buffer(s, "c.yaml", custom, strlen(custom), 0), 0);
	assert_int_equal(fl_session_add_buffer(s, "d.yaml", off, strlen(off), 0), 0);
	assert_int_equal(fl_session_run(s), 0);
	for (size_t i = 0; i < fl_session_ndiags(s); i++)
		assert_null(fl_session_diag(s, i)->scenario);
	fl_session_free(s);
}

/* Exceptions count: the compile stage folds them into the condition. */
static void test_exceptions_count(void **st)
{
	(void)st;
	static const char rule[] =
		"- rule: memfd exec\n"
		"  desc: d\n"
		"  condition: evt.type = execve and proc.is_exe_from_memfd = true\n"
		"  output: o\n"
		"  priority: WARNING\n"
		"  exceptions:\n"
		"    - name: runc\n"
		"      fields: [proc.pname, proc.exepath]\n"
		"      values:\n"
		"        - [runc, \"memfd:runc_cloned:/proc/self/exe\"]\n"
		"    - name: names\n"
		"      fields: [proc.name]\n"
		"      comps: [in]\n"
		"      values:\n"
		"        - [[\"6\"]]\n";
	fl_options o;
	fl_options_init(&o);
	fl_session *s = fl_session_new(&o);
	assert_int_equal(fl_session_only_scenario(s, "runc-memfd-reexec"), 0);
	assert_int_equal(fl_session_add_buffer(s, "r.yaml", rule, strlen(rule), 0), 0);
	assert_int_equal(fl_session_run(s), 0);
	const fl_diag_view *v = find(s, "FL501", "runc-memfd-reexec");
	assert_non_null(v);
	assert_string_equal(v->variant, "kmod"); /* the BPF renderings are exempted */
	fl_session_free(s);

	fl_options_init(&o);
	s = fl_session_new(&o);
	assert_int_equal(fl_session_only_scenario(s, "runc-memfd-fallback"), 0);
	assert_int_equal(fl_session_add_buffer(s, "r.yaml", rule, strlen(rule), 0), 0);
	assert_int_equal(fl_session_run(s), 0);
	/* runc 1.2 shows as "6": exempted by name alone, quoted canonically */
	v = find_msg(s, "FL503", "`proc.name in (6)`");
	assert_non_null(v);
	assert_null(find(s, "FL501", "runc-memfd-fallback"));
	fl_session_free(s);
}

/* fl_rseval_rule, what `fix` verifies with: the compile stage's final
 * condition (exceptions folded in, a macro sees a list defined after it),
 * unknown for a rule Falco would not load, skipped events of other
 * drivers. */
static void test_rseval_rule(void **st)
{
	(void)st;
	static const char rules[] =
		"- macro: known_names\n"
		"  condition: proc.name in (later_list)\n"
		"- list: later_list\n"
		"  items: [\"5\"]\n"
		"- rule: exc\n"
		"  desc: d\n"
		"  condition: evt.type = execve and proc.is_exe_from_memfd = true\n"
		"  output: o\n"
		"  priority: WARNING\n"
		"  exceptions:\n"
		"    - name: runc\n"
		"      fields: [proc.pname, proc.exepath]\n"
		"      values:\n"
		"        - [runc, \"memfd:runc_cloned:/proc/self/exe\"]\n"
		"- rule: names\n"
		"  desc: d\n"
		"  condition: evt.type = execve and not known_names\n"
		"  output: o\n"
		"  priority: WARNING\n"
		"- rule: unloaded\n"
		"  desc: d\n"
		"  condition: evt.type = execve\n"
		"  output: o %proc.nosuchfield\n"
		"  priority: WARNING\n";
	const char *const drivers[] = {NULL, "kmod"};
	for (int d = 0; d < 2; d++) {
		fl_options o;
		fl_options_init(&o);
		o.driver = drivers[d];
		fl_session *s = fl_session_new(&o);
		assert_int_equal(fl_session_add_buffer(s, "r.yaml", rules, strlen(rules), 0), 0);
		assert_int_equal(fl_session_run(s), 0);
		const fl_scenario *sc = fl_scenarios_find(fl_session_scenarios(s), "runc-memfd-reexec");
		assert_non_null(sc);
		assert_int_equal(sc->nevents, 3); /* bpf, kmod, bpf-linux-6.14 */
		fl_rseval *x;
		assert_int_equal(fl_rseval_new(s, &x), 0);
		int tv[3];
		int bpf = d ? FL_EVAL_SKIP : FL_FALSE, b614 = d ? FL_EVAL_SKIP : FL_TRUE;
		/* only the BPF renderings carry the exempted exepath */
		assert_int_equal(fl_rseval_rule(x, fl_ruleset_rule(s->rs, "exc", 3), sc, tv), 0);
		assert_int_equal(tv[0], bpf);
		assert_int_equal(tv[1], FL_TRUE);
		assert_int_equal(tv[2], d ? FL_EVAL_SKIP : FL_FALSE);
		/* proc.name "5" is in the list; 6.14 shows the comm instead */
		assert_int_equal(fl_rseval_rule(x, fl_ruleset_rule(s->rs, "names", 5), sc, tv), 0);
		assert_int_equal(tv[0], bpf);
		assert_int_equal(tv[1], FL_FALSE);
		assert_int_equal(tv[2], b614);
		assert_int_equal(fl_rseval_rule(x, fl_ruleset_rule(s->rs, "unloaded", 8), sc, tv), 0);
		assert_int_equal(tv[0], d ? FL_EVAL_SKIP : FL_UNKNOWN);
		assert_int_equal(tv[1], FL_UNKNOWN);
		fl_rseval_free(x);
		fl_session_free(s);
	}

	fl_options o;
	fl_options_init(&o);
	fl_session *s = fl_session_new(&o);
	assert_int_equal(fl_session_run(s), 0);
	/* no rules file: no ruleset to evaluate */
	assert_null(s->rs);
	fl_rseval *x = NULL;
	assert_int_equal(fl_rseval_new(s, &x), FL_EUSAGE);
	assert_null(x);
	fl_rseval_free(x);
	fl_session_free(s);
}

/* A session that ran rules[0..len), and its runc-memfd-reexec scenario. */
static fl_session *runc_session(const char *rules, size_t len, const fl_scenario **sc)
{
	fl_options o;
	fl_options_init(&o);
	fl_session *s = fl_session_new(&o);
	assert_non_null(s);
	assert_int_equal(fl_session_add_buffer(s, "r.yaml", rules, len, 0), 0);
	assert_int_equal(fl_session_run(s), 0);
	*sc = fl_scenarios_find(fl_session_scenarios(s), "runc-memfd-reexec");
	assert_non_null(*sc);
	assert_int_equal((*sc)->nevents, 3);
	return s;
}

/* Evaluates rule r on scenario sc with evaluator x, which has evaluated
 * other rules before, into tv[3], and asserts that a fresh evaluator gets
 * the same values: nothing x kept from an earlier rule leaks in. */
static void eval_like_fresh(fl_session *s, fl_rseval *x, const fl_rule *r,
			    const fl_scenario *sc, int tv[3])
{
	int want[3];
	assert_int_equal(fl_rseval_rule(x, r, sc, tv), 0);
	fl_rseval *y;
	assert_int_equal(fl_rseval_new(s, &y), 0);
	assert_int_equal(fl_rseval_rule(y, r, sc, want), 0);
	fl_rseval_free(y);
	for (int k = 0; k < 3; k++)
		assert_int_equal(tv[k], want[k]);
}

/* fl_rseval parses each rule's condition anew into an arena it empties
 * for the next rule: conditions of the same shape then reuse the same
 * addresses, and nothing the evaluator kept about the previous rule's
 * nodes (check plans, literals, macro references) may be taken for the
 * next one's.  Each rule, evaluated after the others, gives what a fresh
 * evaluator gives. */
static void test_rseval_rule_after_rule(void **st)
{
	(void)st;
#define RR(name, cond) "- rule: " name "\n  desc: d\n  condition: " cond \
		       "\n  output: o\n  priority: WARNING\n"
	static const char rules[] =
		"- macro: ma\n  condition: proc.name = \"5\"\n"
		"- macro: mb\n  condition: proc.name = \"6\"\n"
		RR("ra", "evt.type = execve and ma")
		RR("rb", "evt.type = execve and mb")
		RR("rc", "evt.type = execve and proc.name = \"5\"")
		RR("rd", "evt.type = execve and proc.name = \"6\"");
#undef RR
	static const char *const order[] = {"ra", "rb", "rc", "rd", "ra", "rc", "rb"};
	const fl_scenario *sc;
	fl_session *s = runc_session(rules, strlen(rules), &sc);
	fl_rseval *x;
	assert_int_equal(fl_rseval_new(s, &x), 0);
	for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
		const fl_rule *r = fl_ruleset_rule(s->rs, order[i], 2);
		assert_non_null(r);
		int tv[3];
		eval_like_fresh(s, x, r, sc, tv);
		/* proc.name is "5" in the kmod rendering */
		assert_int_equal(tv[1], order[i][1] == 'a' || order[i][1] == 'c' ? FL_TRUE : FL_FALSE);
	}
	fl_rseval_free(x);
	fl_session_free(s);
}

/* The same, over rules of many shapes and sizes: clauses picked from a
 * pool (fields the scenario gives and does not give, lists, transformers,
 * macros), up to 300 checks in one rule, so that the evaluator's tables
 * grow and entries are taken out of them among the macros' own.  Every
 * rule, evaluated after all the others (twice over), gives what a fresh
 * evaluator gives. */
static void test_rseval_rules_of_many_shapes(void **st)
{
	(void)st;
	static const char *const pool[] = {
		"proc.name = \"5\"", "proc.name = \"6\"", "proc.pname = runc",
		"proc.name in (\"5\", x, y)", "proc.name in (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q)",
		"proc.exepath startswith memfd", "proc.exepath contains runc_cloned",
		"tolower(proc.pname) = runc", "proc.tty = 0", "container.id = host",
		"evt.type in (execve, execveat)", "not proc.name = \"6\"", "fd.name = /etc/passwd",
		"ma", "mb", "mc", "not ma", "(ma or mb)", "proc.aname = runc",
	};
	const size_t npool = sizeof pool / sizeof *pool;
	static const size_t sizes[] = {1, 2, 3, 5, 8, 13, 40, 130, 300, 1, 4, 70};
	const size_t nrules = sizeof sizes / sizeof *sizes;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	len += (size_t)snprintf(buf + len, cap - len,
				"- macro: ma\n  condition: proc.name = \"5\"\n"
				"- macro: mb\n  condition: proc.pname = runc and not ma\n"
				"- macro: mc\n  condition: ma or proc.exepath endswith exe\n");
	for (size_t r = 0; r < nrules; r++) {
		len += (size_t)snprintf(buf + len, cap - len, "- rule: r%zu\n  desc: d\n  condition: >\n    evt.type = execve", r);
		for (size_t k = 0; k < sizes[r]; k++)
			len += (size_t)snprintf(buf + len, cap - len, " %s %s", (k + r) % 3 ? "and" : "or",
						pool[(k * 7 + r * 3) % npool]);
		len += (size_t)snprintf(buf + len, cap - len, "\n  output: o\n  priority: WARNING\n");
		assert_true(len < cap);
	}
	/* Two rules of one layout, every check evaluated in both: the first
	 * true (a field every event gives), the second unknown (a field no
	 * event gives) unless a check of the first is taken for its own. */
	static const char *const same[] = {"proc.exe = runc and ", "proc.sid = runc or  "};
	for (size_t r = 0; r < 2; r++) {
		len += (size_t)snprintf(buf + len, cap - len, "- rule: s%zu\n  desc: d\n  condition: >\n    ", r);
		for (size_t k = 0; k < 300; k++)
			len += (size_t)snprintf(buf + len, cap - len, "%s", same[r]);
		len += (size_t)snprintf(buf + len, cap - len,
					"%.8s = runc\n  output: o\n  priority: WARNING\n", same[r]);
		assert_true(len < cap);
	}
	const fl_scenario *sc;
	fl_session *s = runc_session(buf, len, &sc);
	fl_rseval *x;
	assert_int_equal(fl_rseval_new(s, &x), 0);
	int seen[4] = {0};
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t r = 0; r < nrules; r++) {
			char name[16];
			snprintf(name, sizeof name, "r%zu", r);
			const fl_rule *rule = fl_ruleset_rule(s->rs, name, (uint32_t)strlen(name));
			assert_non_null(rule);
			int tv[3];
			eval_like_fresh(s, x, rule, sc, tv);
			for (int k = 0; k < 3; k++)
				if (tv[k] >= 0 && tv[k] < 4)
					seen[tv[k]] = 1;
		}
	}
	/* the rules are not all alike: both truth values come out */
	assert_true(seen[FL_TRUE] && seen[FL_FALSE]);
	const char *const pair[] = {"s0", "s1", "s0", "s1"};
	for (size_t i = 0; i < 4; i++) {
		int tv[3];
		assert_int_equal(fl_rseval_rule(x, fl_ruleset_rule(s->rs, pair[i], 2), sc, tv), 0);
		for (int k = 0; k < 3; k++)
			assert_int_equal(tv[k], pair[i][1] == '0' ? FL_TRUE : FL_UNKNOWN);
	}
	fl_rseval_free(x);
	fl_session_free(s);
	free(buf);
}

/* 40 macros, each using the next twice (2^40 paths), under a rule: the
 * whole session, explanations and exemption checks included, takes
 * milliseconds. */
static void test_pathological_macro_chain(void **st)
{
	(void)st;
	char *buf = test_malloc(64 * 1024);
	size_t n = 0;
	n += (size_t)snprintf(buf + n, 64 * 1024 - n,
			      "- macro: m40\n  condition: proc.name = \"5\"\n");
	for (int i = 39; i >= 0; i--)
		n += (size_t)snprintf(buf + n, 64 * 1024 - n,
				      "- macro: m%d\n  condition: (m%d and not not m%d)\n",
				      i, i + 1, i + 1);
	n += (size_t)snprintf(buf + n, 64 * 1024 - n,
			      "- rule: chain\n  desc: d\n  condition: evt.type = execve and m0"
			      " and not (m0 and proc.pname = nobody)\n  output: o\n  priority: INFO\n");
	fl_options o;
	fl_options_init(&o);
	fl_session *s = fl_session_new(&o);
	fl_session_keep_evaluation(s);
	assert_int_equal(fl_session_add_buffer(s, "chain.yaml", buf, n, 0), 0);
	clock_t t0 = clock();
	assert_int_equal(fl_session_run(s), 0);
	double ms = (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC;
	print_message("40-macro chain: %.1f ms\n", ms);
	assert_true(ms < 1000.0);
	assert_non_null(find(s, "FL501", "runc-memfd-reexec"));
	fl_session_free(s);
	test_free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks_and_logic),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_macro_memo_is_linear),
		cmocka_unit_test(test_kept_values),
		cmocka_unit_test(test_ancestors_transformers_val),
		cmocka_unit_test(test_refused_comparisons),
		cmocka_unit_test(test_literal_lists_read_once),
		cmocka_unit_test(test_session_v1_fires),
		cmocka_unit_test(test_session_v2_and_driver),
		cmocka_unit_test(test_session_uncertain),
		cmocka_unit_test(test_catalogue_exemptions),
		cmocka_unit_test(test_exemption_checks),
		cmocka_unit_test(test_results_and_views),
		cmocka_unit_test(test_custom_and_disabled),
		cmocka_unit_test(test_exceptions_count),
		cmocka_unit_test(test_rseval_rule),
		cmocka_unit_test(test_rseval_rule_after_rule),
		cmocka_unit_test(test_rseval_rules_of_many_shapes),
		cmocka_unit_test(test_pathological_macro_chain),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
