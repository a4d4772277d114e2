/* test_compile.c — the compile stage: list compilation and substitution,
 * macro resolution (visibility, loops, later files), exception clauses,
 * output and condition checks, warnings, event types, unused items, and
 * the shape of the compiled trees the evaluator reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compile.h"
#include "ruleset.h"
#include "session.h"

static fl_session *S;

static void runv(const char *target, int n, const char *const *files)
{
	if (S)
		fl_session_free(S);
	fl_options o;
	fl_options_init(&o);
	o.target_falco = target ? target : "0.44.1";
	S = fl_session_new(&o);
	assert_non_null(S);
	for (int i = 0; i < n; i++) {
		char name[24];
		snprintf(name, sizeof(name), "%d.yaml", i + 1);
		assert_int_equal(fl_session_add_buffer(S, name, files[i], strlen(files[i]), 0), 0);
	}
	assert_int_equal(fl_session_run(S), 0);
}

static void run(const char *y)
{
	runv(NULL, 1, &y);
}

static void run_at(const char *target, const char *y)
{
	runv(target, 1, &y);
}

static void run2(const char *a, const char *b)
{
	const char *f[2] = {a, b};
	runv(NULL, 2, f);
}

static int count(fl_code c)
{
	int n = 0;
	for (size_t i = 0; i < S->diags.list.n; i++)
		n += S->diags.list.v[i]->code == c;
	return n;
}

static const fl_dg *first(fl_code c)
{
	for (size_t i = 0; i < S->diags.list.n; i++)
		if (S->diags.list.v[i]->code == c)
			return S->diags.list.v[i];
	return NULL;
}

/* The first error diagnostic (Falco's error for the file). */
static const fl_dg *first_error(void)
{
	for (size_t i = 0; i < S->diags.list.n; i++)
		if (S->diags.list.v[i]->severity == FL_SEV_ERROR)
			return S->diags.list.v[i];
	return NULL;
}

static void linecol(const fl_dg *g, unsigned *line, unsigned *col)
{
	fl_source_linecol(S->sources.v[g->span.src], g->span.start, line, col);
}

/* The AST of a compiled rule, built again as the checks and the
 * evaluator get it. */
static const fl_expr *rule_ast(fl_session *s, const fl_crule *cr)
{
	fl_text t;
	return fl_compile_rule_cond(s, cr, s->arena, &t);
}

static const char *rule_text(const char *name)
{
	fl_rule *r = fl_ruleset_rule(S->rs, name, (uint32_t)strlen(name));
	assert_non_null(r);
	fl_crule *cr = r->compiled;
	assert_non_null(cr);
	fl_text t;
	assert_non_null(fl_compile_rule_cond(S, cr, S->arena, &t));
	return fl_arena_strndup(S->arena, t.s, t.len);
}

static const char *rule_canon(const char *name)
{
	fl_rule *r = fl_ruleset_rule(S->rs, name, (uint32_t)strlen(name));
	assert_non_null(r);
	fl_crule *cr = r->compiled;
	assert_non_null(cr);
	const fl_expr *ast = rule_ast(S, cr);
	assert_non_null(ast);
	return fl_expr_format(S->arena, ast);
}

#define RULE(name, cond) \
	"- rule: " name "\n  desc: d\n  condition: " cond "\n  output: o\n  priority: WARNING\n"

static void test_list_substitution(void **st)
{
	(void)st;
	run("- list: cats\n  items: [cat, \"my cat\"]\n"
	    "- list: empty\n  items: []\n"
	    RULE("r", "evt.type=open and proc.name in (ls, cats) and proc.pname in (ls, empty)"));
	assert_string_equal(rule_text("r"),
			    "evt.type=open and proc.name in (ls, cat, \"my cat\" ) and proc.pname in (ls  )");
	assert_int_equal(count(FL074), 0);
	/* quoted strings are not safe (condition spec §6.2) */
	run("- list: foo\n  items: [a]\n" RULE("r", "evt.type=open and proc.cmdline contains \"run foo now\""));
	assert_string_equal(rule_canon("r"), "(evt.type = open and proc.cmdline contains \"run a now\")");
}

static void test_list_nesting(void **st)
{
	(void)st;
	run("- list: A\n  items: [x]\n- list: B\n  items: [A]\n- list: C\n  items: [B]\n"
	    RULE("r", "evt.type=open and proc.name in (C)"));
	assert_string_equal(rule_canon("r"), "(evt.type = open and proc.name in (A))");
	run("- list: C\n  items: [B]\n- list: B\n  items: [A]\n- list: A\n  items: [x]\n"
	    RULE("r", "evt.type=open and proc.name in (C)"));
	assert_string_equal(rule_canon("r"), "(evt.type = open and proc.name in (x))");
}

static void test_macro_resolution(void **st)
{
	(void)st;
	/* a macro may not use a later macro */
	run("- macro: m1\n  condition: m2\n- macro: m2\n  condition: proc.name=a\n"
	    RULE("r", "evt.type=open and m1"));
	assert_int_equal(first_error()->code, FL051);
	/* a rule may */
	run(RULE("r", "evt.type=open and m") "- macro: m\n  condition: proc.name=a\n");
	assert_null(first_error());
	assert_int_equal(count(FL073), 0);
	fl_rule *r = fl_ruleset_rule(S->rs, "r", 1);
	fl_crule *cr = r->compiled;
	assert_true(cr->ok);
	const fl_cnode *tree = fl_compile_tree(S, r);
	assert_non_null(tree);
	assert_ptr_equal(fl_compile_tree(S, r), tree);  /* built once */
	/* the macro node shares the macro's tree */
	const fl_cnode *mn = &tree->kids[1];
	assert_int_equal(mn->kind, FL_EXPR_MACRO);
	assert_non_null(mn->macro);
	assert_ptr_equal(mn->macro->tree[FL_SRC_SYSCALL], mn->macro->tree[cr->slot]);
	assert_non_null(mn->macro->tree[FL_SRC_SYSCALL]);
	assert_int_equal(mn->macro->tree[FL_SRC_SYSCALL]->kind, FL_EXPR_CHECK);
	/* loop */
	run("- macro: m1\n  condition: proc.name=a\n- macro: m2\n  condition: m1\n"
	    "- macro: m1\n  condition: m2\n" RULE("r", "evt.type=open and m1"));
	const fl_dg *g = first_error();
	assert_non_null(g);
	assert_int_equal(g->code, FL052);
	assert_non_null(strstr(g->msg, "'m2'"));
	assert_int_equal(count(FL052), 1);
	/* a macro on a loop has no printed form, nor has a rule using it */
	r = fl_ruleset_rule(S->rs, "r", 1);
	assert_null(fl_compile_canon(S, rule_ast(S, r->compiled)));
}

/* fl_compile_canon prints like `falco -L` (condition spec §9): macros
 * inlined, `not not` kept, values escaped like Falco's escape_str. */
static void test_canon_falco_form(void **st)
{
	(void)st;
	/* the upstream rule "Sudo Potential Privilege Escalation": `"\ "` is one
	 * backslash, printed "\\" */
	run("- macro: nm\n  condition: not proc.name = \"(sd)\"\n"
	    RULE("r", "evt.type=open and (proc.args contains \"\\ \" or proc.args endswith \\)"
		 " and not nm and proc.pname = ''"));
	assert_null(first_error());
	fl_rule *r = fl_ruleset_rule(S->rs, "r", 1);
	assert_string_equal(fl_compile_canon(S, rule_ast(S, r->compiled)),
			    "(evt.type = open and (proc.args contains \"\\\\\" or "
			    "proc.args endswith \"\\\\\") and not not proc.name = (sd) and "
			    "proc.pname = )");
}

static void test_macro_later_file(void **st)
{
	(void)st;
	run2(RULE("r", "evt.type=open and m"), "- macro: m\n  condition: proc.name=a\n");
	const fl_dg *g = first_error();
	assert_non_null(g);
	assert_int_equal(g->code, FL051);
	assert_int_equal(g->span.src, 0);
	assert_int_equal(count(FL051), 1);
	fl_rule *r = fl_ruleset_rule(S->rs, "r", 1);
	assert_true(((fl_crule *)r->compiled)->ok);  /* compiles after file 2 */
}

static void test_exceptions_text(void **st)
{
	(void)st;
	run(RULE("r", "evt.type = open")
	    "  exceptions:\n"
	    "    - name: a\n      fields: proc.name\n      values: [cat, \"my list\"]\n"
	    "    - name: b\n      fields: [proc.name, fd.name]\n      comps: [=, startswith]\n"
	    "      values: [[bash, /etc], [sh, \"/tmp dir\"]]\n");
	assert_string_equal(rule_text("r"),
		"(evt.type = open) and not (proc.name in (cat, \"my list\")) and not "
		"(( proc.name = bash and  fd.name startswith /etc) or ( proc.name = sh and  fd.name startswith \"/tmp dir\"))");
	assert_null(first_error());
	run(RULE("r", "evt.type = open")
	    "  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n      values: [[cat]]\n");
	assert_int_equal(first_error()->code, FL062);
	run(RULE("r", "evt.type = open")
	    "  exceptions:\n    - name: e\n      fields: proc.name\n      values: [[a, b]]\n");
	assert_int_equal(first_error()->code, FL061);
}

static void test_compile_errors(void **st)
{
	(void)st;
	run(RULE("r", "evt.type=open and proc.nme=cat"));
	const fl_dg *g = first_error();
	assert_int_equal(g->code, FL053);
	assert_non_null(g->help);
	assert_non_null(strstr(g->help, "proc.name"));
	run(RULE("r", "evt.type=open and proc.pid contains 1"));
	assert_int_equal(first_error()->code, FL055);
	run(RULE("r", "evt.type=open and proc.pid = 0x10"));
	assert_int_equal(first_error()->code, FL056);
	run(RULE("r", "evt.type=opn"));
	g = first_error();
	assert_int_equal(g->code, FL057);
	assert_non_null(g->help);
	run(RULE("r", "evt.type=open and proc.name regex 'a.c'"));
	assert_null(first_error());
	run_at("0.37.1", RULE("r", "evt.type=open and proc.name regex 'a.c'"));
	assert_int_equal(first_error()->code, FL060);
	/* skip-if-unknown-filter downgrades unknown fields, not parse errors */
	run(RULE("r", "evt.type=open and proc.nobody=cat") "  skip-if-unknown-filter: true\n");
	assert_null(first_error());
	assert_int_equal(count(FL064), 1);
	fl_rule *r = fl_ruleset_rule(S->rs, "r", 1);
	assert_true(((fl_crule *)r->compiled)->dropped);
	/* a bad field in an unused macro is not an error; in a used one it is,
	 * at the macro's position */
	run("- macro: m\n  condition: proc.nosuchfield=a\n");
	assert_null(first_error());
	assert_int_equal(count(FL073), 1);
	run("- macro: m\n  condition: proc.nosuchfield=a\n" RULE("r", "evt.type=open and m"));
	g = first_error();
	assert_int_equal(g->code, FL053);
	unsigned line, col;
	linecol(g, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 14);
}

static void test_folded_position(void **st)
{
	(void)st;
	run("- rule: r\n  desc: d\n  condition: >\n    evt.type=open\n    and proc.name=cat\n"
	    "    and proc.nme in (a, b)\n  output: o\n  priority: WARNING\n");
	const fl_dg *g = first_error();
	assert_int_equal(g->code, FL053);
	unsigned line, col;
	linecol(g, &line, &col);
	assert_int_equal(line, 6);
	assert_int_equal(col, 9);
	/* a parse error inside an appended piece points into the append */
	run(RULE("r", "evt.type=open") "- rule: r\n  condition: proc.name=cat\n  override: {condition: append}\n");
	g = first_error();
	assert_int_equal(g->code, FL050);
	linecol(g, &line, &col);
	assert_int_equal(line, 7);
}

static void test_output(void **st)
{
	(void)st;
	run("- rule: r\n  desc: d\n  condition: evt.type=open\n  output: \"x %not_a_field\"\n  priority: INFO\n");
	assert_int_equal(first_error()->code, FL063);
	run("- rule: r\n  desc: d\n  condition: evt.type=open\n  output: \"x %\"\n  priority: INFO\n");
	assert_int_equal(first_error()->code, FL063);
	run("- rule: r\n  desc: d\n  condition: evt.type=open\n"
	    "  output: \"%proc.namex %10proc.name %toupper(user.name) %proc.aname[2]\"\n  priority: INFO\n");
	assert_null(first_error());
	run("- rule: r\n  desc: d\n  condition: evt.type=open\n  output: \"x %container.info y %evt.dir\"\n  priority: INFO\n");
	assert_null(first_error());
	assert_int_equal(count(FL068), 1);
	assert_int_equal(count(FL067), 1);
	/* output checked before the condition */
	run("- rule: r\n  desc: d\n  condition: evt.type=open and\n  output: \"%nope\"\n  priority: INFO\n");
	assert_int_equal(first_error()->code, FL063);
}

#define OUT_RULE(out) \
	"- rule: r\n  desc: d\n  condition: evt.type=open\n  output: '" out "'\n  priority: INFO\n"

/* The output diagnostics: which text they name, where, and the help. */
static void test_output_messages(void **st)
{
	(void)st;
	unsigned line, col;
	/* a field inside a transformer call is named and underlined itself */
	run(OUT_RULE("x %tolower(proc.nmae) y"));
	const fl_dg *g = first_error();
	assert_int_equal(g->code, FL063);
	assert_string_equal(g->msg, "unknown field 'proc.nmae' in output");
	linecol(g, &line, &col);
	assert_int_equal(col, 23);
	assert_int_equal(g->span.end - g->span.start, 9);
	/* a typo keeps its whole name */
	run(OUT_RULE("x %proc..name y"));
	assert_string_equal(first_error()->msg, "unknown field 'proc..name' in output");
	/* getopt's option string is no field; trailing text after a field is */
	run(OUT_RULE("%getopt(proc.args, \"p:\")[p] %proc.namex %container.info"));
	assert_null(first_error());
	/* '%' followed by no name, a trailing '%', a trailing width */
	run(OUT_RULE("100% sure"));
	assert_string_equal(first_error()->msg,
			    "'%' is not followed by a field (a literal '%' cannot be written)");
	run(OUT_RULE("x %12"));
	assert_string_equal(first_error()->msg, "output ends with '%' and a number but no field");
	/* a known field whose argument does not parse */
	run(OUT_RULE("%evt.arg[a b]"));
	g = first_error();
	assert_non_null(g);
	assert_string_equal(g->msg, "unknown field 'evt.arg' in output");
	assert_non_null(strstr(g->help, "argument does not parse"));
	run(OUT_RULE("%evt.arg x"));
	assert_string_equal(first_error()->help, "it needs an argument: 'evt.arg[...]'");
	/* ... where a shorter name is a field, that one is taken (Falco 0.44) */
	run(OUT_RULE("%proc.aname[a b]"));
	assert_null(first_error());
	/* skip-if-unknown-filter turns the unknown field into FL064 */
	run("- rule: r\n  desc: d\n  condition: evt.type=open\n  output: '%proc.nope'\n"
	    "  priority: INFO\n  skip-if-unknown-filter: true\n");
	assert_null(first_error());
	assert_int_equal(count(FL064), 1);
	/* a source without catalogue at the target: only the syntax is checked */
	run_at("0.26.0", "- rule: r\n  desc: d\n  condition: ka.verb=create\n"
		"  output: '%ka.user.name %whatever'\n  priority: INFO\n  source: k8s_audit\n");
	assert_int_equal(count(FL063), 0);
}

static void test_warnings(void **st)
{
	(void)st;
	run(RULE("r1", "evt.type=open and proc.name regex cat")
	    RULE("r2", "evt.type=open and proc.name = proc.pname"));
	assert_int_equal(count(FL069), 1);
	assert_int_equal(count(FL070), 1);
	run(RULE("r", "proc.name=cat"));
	assert_int_equal(count(FL071), 1);
	run(RULE("r", "evt.type=open and evt.type=close"));
	assert_int_equal(count(FL072), 1);
	run(RULE("r", "proc.name=cat") "  warn_evttypes: false\n");
	assert_int_equal(count(FL071), 0);
	run(RULE("r", "evt.type=open and evt.dir = < and evt.dir = >"));
	assert_int_equal(count(FL066), 1);
	run("- list: l\n  items: [a]\n- macro: m\n  condition: proc.name=a\n");
	assert_int_equal(count(FL073), 1);
	assert_int_equal(count(FL074), 1);
}

static void test_incremental_once(void **st)
{
	(void)st;
	/* a failing rule of file 1 is recompiled after file 2 but reported once */
	run2(RULE("r", "evt.type=open and proc.nme=a"), "- macro: m\n  condition: proc.name=a\n");
	assert_int_equal(count(FL053), 1);
	run2("- list: l\n  items: [open]\n" RULE("r", "evt.type in (l)"),
	     "- list: l\n  items: [nosuch]\n  override: {items: replace}\n");
	/* after file 2 the list holds an unknown event type */
	assert_int_equal(count(FL057), 1);
	assert_int_equal(first(FL057)->span.src, 0);
}

static void test_incremental_lists(void **st)
{
	(void)st;
	/* a list appended in file 2 reaches the macro and the rule of file 1 */
	run2("- list: l\n  items: [a]\n- macro: m\n  condition: proc.name in (l)\n"
	     RULE("r", "evt.type=open and m"),
	     "- list: l\n  items: [b]\n  override: {items: append}\n");
	assert_null(first_error());
	fl_rule *r = fl_ruleset_rule(S->rs, "r", 1);
	fl_crule *cr = r->compiled;
	assert_true(cr->ok);
	assert_string_equal(fl_compile_canon(S, rule_ast(S, cr)), "(evt.type = open and proc.name in (a, b))");
	const fl_cnode *mn = &fl_compile_tree(S, r)->kids[1];
	const fl_cnode *mt = mn->macro->tree[cr->slot];
	assert_non_null(mt);
	assert_int_equal(mt->kind, FL_EXPR_CHECK);
	assert_int_equal(fl_operand_nitems(mt->check->rhs.o), 2);
	size_t n;
	const char *const *items = fl_compile_list_items(S, 0, &n);
	assert_int_equal(n, 2);
	assert_string_equal(items[1], "b");
}

static void test_beyond_falco(void **st)
{
	(void)st;
	run(RULE("r", "evt.type = execve and proc.cmdline regex 'curl (-s'"));
	const fl_dg *g = first(FL120);
	assert_non_null(g);
	assert_int_equal(g->severity, FL_SEV_ERROR);
	run(RULE("r", "evt.type in (open, mesos)"));
	assert_int_equal(count(FL121), 1);
	/* 'a or b' + 'and not x' changes meaning; 'a and b' + 'or c' does not */
	run("- macro: m\n  condition: proc.name = a or proc.name = b\n"
	    "- macro: m\n  condition: and not user.name = root\n  override: {condition: append}\n"
	    "- macro: n\n  condition: proc.name = a and proc.name = b\n"
	    "- macro: n\n  condition: or user.name = root\n  override: {condition: append}\n"
	    RULE("r", "evt.type = execve and m and n"));
	assert_int_equal(count(FL122), 1);
	assert_string_equal(first(FL122)->item_name, "m");
	/* features newer than the file's required engine */
	run("- required_engine_version: 0.26.0\n" RULE("r", "evt.type = execve and proc.name regex 'ba.h'"));
	assert_int_equal(count(FL123), 1);
	run("- required_engine_version: 0.43.0\n" RULE("r", "evt.type = execve and proc.name regex 'ba.h'"));
	assert_int_equal(count(FL123), 0);
	run_at("0.36.2", RULE("r", "evt.type = execve") "- rule: r\n  condition: and proc.name = a\n  override: {condition: append}\n");
	assert_int_equal(count(FL124), 1);
	/* opt-in checks are recorded (the CLI filters them) */
	run("- list: l\n  items: [a]\n- list: l\n  items: [b]\n"
	    "- rule: r\n  desc: see the allowed_things macro\n  condition: evt.type = open and proc.name in (l)\n"
	    "  output: o\n  priority: WARNING\n");
	assert_int_equal(count(FL125), 1);
	assert_int_equal(count(FL126), 1);
}

/* JSON string for the dump mode. */
static void jstr(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* `test_compile --dump [--target-falco V] FILE...`: loads the files like
 * falco-lint and prints the compiled lists, macros and rules as JSON (Falco's
 * -L form, macros inlined) for tests/corpus_compile.py. */
static int dump(int argc, char **argv)
{
	fl_options o;
	fl_options_init(&o);
	int i = 2;
	if (i + 1 < argc && !strcmp(argv[i], "--target-falco")) {
		o.target_falco = argv[i + 1];
		i += 2;
	}
	fl_session *s = fl_session_new(&o);
	if (!s)
		return 3;
	for (; i < argc; i++)
		if (fl_session_add_path(s, argv[i], 0))
			return 2;
	if (fl_session_run(s))
		return 3;
	fl_ruleset *rs = s->rs;
	printf("{\"lists\": {");
	for (size_t k = 0; k < rs->lists.n; k++) {
		size_t n;
		const char *const *items = fl_compile_list_items(s, k, &n);
		printf("%s", k ? ",\n" : "\n");
		jstr(rs->lists.v[k]->c.name);
		printf(": [");
		for (size_t j = 0; j < n; j++) {
			if (j)
				printf(", ");
			jstr(items[j]);
		}
		printf("]");
	}
	printf("},\n\"macros\": {");
	for (size_t k = 0; k < rs->macros.n; k++) {
		fl_cmacro *cm = rs->macros.v[k]->compiled;
		printf("%s", k ? ",\n" : "\n");
		jstr(rs->macros.v[k]->c.name);
		printf(": ");
		char *t = cm ? fl_compile_canon(s, cm->ast) : NULL;
		if (t)
			jstr(t);
		else
			printf("null");
	}
	printf("},\n\"rules\": {");
	int first = 1;
	for (size_t k = 0; k < rs->rules.n; k++) {
		fl_crule *cr = rs->rules.v[k]->compiled;
		if (!cr)
			continue;
		printf("%s", first ? "\n" : ",\n");
		first = 0;
		jstr(rs->rules.v[k]->c.name);
		printf(": ");
		char *t = fl_compile_canon(s, rule_ast(s, cr));
		if (t)
			jstr(t);
		else
			printf("null");
	}
	printf("}}\n");
	fl_session_free(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--dump"))
		return dump(argc, argv);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_substitution),
		cmocka_unit_test(test_list_nesting),
		cmocka_unit_test(test_macro_resolution),
		cmocka_unit_test(test_canon_falco_form),
		cmocka_unit_test(test_macro_later_file),
		cmocka_unit_test(test_exceptions_text),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_folded_position),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_output_messages),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_incremental_once),
		cmocka_unit_test(test_incremental_lists),
		cmocka_unit_test(test_beyond_falco),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (S)
		fl_session_free(S);
	return rc;
}
