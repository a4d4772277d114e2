/* test_ruleset.c — the loader (reader + collector) against the rules of
 * Falco's rule format: one test per definition/append/override rule, each
 * loading small YAML buffers through fl_load_file and asserting the
 * effective lists, macros, rules and diagnostic codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ruleset.h"
#include "session.h"

static fl_session *S;

/* Loads each buffer as one file (1.yaml, 2.yaml, …) with the reader and
 * collector only — no compile stage — into a fresh session S. */
static void loadv(int n, const char *const *files)
{
	if (S)
		fl_session_free(S);
	fl_options o;
	fl_options_init(&o);
	S = fl_session_new(&o);
	assert_non_null(S);
	S->engine[0] = 0;
	S->engine[1] = 62;
	S->engine[2] = 0;
	fl_ylimits lim = {256, UINT32_MAX, 10000};
	for (int i = 0; i < n; i++) {
		char name[24];
		snprintf(name, sizeof(name), "%d.yaml", i + 1);
		fl_source *src = fl_session_add_source(S, name, files[i], strlen(files[i]), 0);
		assert_non_null(src);
		fl_ydoc *docs = NULL;
		uint32_t nd = 0;
		assert_int_equal(fl_yaml_parse(S->arena, src, &lim, &S->diags, &docs, &nd), 0);
		assert_int_equal(fl_load_file(S, src, docs, nd), 0);
	}
}

static void load(const char *y)
{
	loadv(1, &y);
}

static void load2(const char *a, const char *b)
{
	const char *f[2] = {a, b};
	loadv(2, f);
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

/* Line:col (1-based) of a diagnostic's span start. */
static void at(const fl_dg *g, unsigned line, unsigned col)
{
	assert_non_null(g);
	unsigned l, c;
	fl_source_linecol(S->sources.v[g->span.src], g->span.start, &l, &c);
	if (l != line || c != col)
		fail_msg("diagnostic '%s' at %u:%u, expected %u:%u", g->msg, l, c, line, col);
}

/* The only diagnostics are `n` of code c (and nothing else). */
static void only(fl_code c, int n)
{
	if ((int)S->diags.list.n != n || count(c) != n) {
		for (size_t i = 0; i < S->diags.list.n; i++)
			print_message("  got %s: %s\n", fl_checks[S->diags.list.v[i]->code].code,
				      S->diags.list.v[i]->msg);
		fail_msg("expected %d x %s", n, fl_checks[c].code);
	}
}

static void clean(void)
{
	if (S->diags.list.n) {
		for (size_t i = 0; i < S->diags.list.n; i++)
			print_message("  got %s: %s\n", fl_checks[S->diags.list.v[i]->code].code,
				      S->diags.list.v[i]->msg);
		fail_msg("expected no diagnostics");
	}
}

static fl_list *L(const char *n)
{
	fl_list *l = fl_ruleset_list(S->rs, n, (uint32_t)strlen(n));
	assert_non_null(l);
	return l;
}
static fl_macro *M(const char *n)
{
	fl_macro *m = fl_ruleset_macro(S->rs, n, (uint32_t)strlen(n));
	assert_non_null(m);
	return m;
}
static fl_rule *R(const char *n)
{
	fl_rule *r = fl_ruleset_rule(S->rs, n, (uint32_t)strlen(n));
	assert_non_null(r);
	return r;
}

static void items_are(const fl_list *l, const char *joined)
{
	char buf[512] = "";
	for (size_t i = 0; i < l->items.n; i++) {
		if (i)
			strcat(buf, ",");
		strncat(buf, l->items.v[i].s, l->items.v[i].len);
	}
	assert_string_equal(buf, joined);
}

static void text_is(const fl_text *t, const char *want)
{
	char buf[1024];
	assert_true(t->len < sizeof(buf));
	memcpy(buf, t->s, t->len);
	buf[t->len] = 0;
	assert_string_equal(buf, want);
}

#define RULE(name, cond) \
	"- rule: " name "\n  desc: d_\n  condition: " cond "\n  output: o\n  priority: WARNING\n"

/* ---- YAML layer and item kinds (spec §2, §3) ---------------------------- */

static void test_documents(void **st)
{
	load("");
	clean();
	load("---\n- list: a\n  items: [x]\n---\n---\n- list: b\n  items: [a]\n");
	clean();
	assert_int_equal(S->rs->lists.n, 2);
	load("hello\n");
	only(FL004, 1);
	load("rule: x\n");
	only(FL004, 1);
	load("- \n- list: l\n  items: [a]\n");
	clean();
	load("- foo\n- list: l\n  items: [a]\n");
	only(FL005, 1);
	/* The linter goes on after a broken item. */
	assert_int_equal(L("l")->items.n, 1);
	assert_true(S->rs->files.v[0].read_failed);
	assert_int_equal(S->rs->files.v[0].first_error, FL005);
}

static void test_duplicate_and_merge_keys(void **st)
{
	load("- macro: m\n  condition: evt.type = open\n  condition: evt.type = close\n");
	only(FL023, 1);
	text_is(&M("m")->cond, "evt.type = open");
	at(first(FL023), 3, 3);
	load("- &base\n  desc: d\n  output: o\n  priority: INFO\n"
	     "- rule: r\n  <<: *base\n  condition: evt.type = open\n");
	assert_int_equal(count(FL021), 1);  /* anchor-only template: unknown item */
	assert_int_equal(count(FL024), 1);
	assert_int_equal(count(FL006), 1);  /* nothing merged: no output */
	assert_string_equal(first(FL006)->msg, "missing key 'output'");
}

static void test_kind_precedence(void **st)
{
	load("- macro: m\n  rule: r\n  condition: evt.type = open\n  output: o\n  desc: d\n  priority: INFO\n");
	assert_int_equal(S->rs->macros.n, 1);
	assert_int_equal(S->rs->rules.n, 0);
	assert_int_equal(count(FL022), 4);
	load("- required_engine_version: 10\n  list: l\n  items: [a]\n");
	assert_int_equal(S->rs->lists.n, 0);
	assert_int_equal(count(FL022), 2);
	load("- foo: bar\n");
	only(FL021, 1);
	/* No unknown-key warning for an item that failed. */
	load("- rule: r\n  desc: d\n  condition: c\n  output: o\n  typo: 1\n  priority: warn\n");
	only(FL301, 1);
}

static void test_decoding(void **st)
{
	load(RULE("r", "evt.type = open") "  enabled: No\n  warn_evttypes: ON\n  capture: y\n");
	clean();
	assert_false(R("r")->enabled);
	assert_true(R("r")->capture);
	load(RULE("r", "evt.type = open") "  enabled: 1\n");
	only(FL010, 1);
	load(RULE("r", "evt.type = open") "  capture_duration: 0x10\n"
	     RULE("r2", "evt.type = open") "  capture_duration: 010\n");
	clean();
	assert_int_equal(R("r")->capture_duration, 16);
	assert_int_equal(R("r2")->capture_duration, 8);
	load(RULE("r", "evt.type = open") "  capture_duration: 0o10\n");
	only(FL010, 1);
	load("- list: l\n  items: a\n");
	only(FL011, 1);
	load("- list: l\n  items:\n");
	only(FL011, 1);
	load("- list: l\n  items: [[a]]\n");
	only(FL012, 1);
	load("- macro:\n  condition: evt.type=open\n");
	only(FL007, 1);
	load("- macro: m\n  condition: [a]\n");
	only(FL008, 1);
	load("- macro: m\n  condition: \"\"\n");
	only(FL009, 1);
	at(first(FL009), 2, 14);
}

/* ---- lists and macros (spec §6, §7, §11) --------------------------------- */

static void test_list_redefine(void **st)
{
	load("- list: a\n  items: [x, y]\n- list: b\n  items: [q]\n"
	     "- list: a\n  items: [z, w]\n  append: false\n");
	clean();
	items_are(L("a"), "z,w");
	/* The first definition keeps its place. */
	assert_ptr_equal(S->rs->lists.v[0], L("a"));
	assert_int_equal(L("a")->c.order, 0);
	assert_int_equal(L("a")->c.visibility, 2);
	assert_int_equal(L("a")->c.contribs.n, 2);
	assert_int_equal(L("a")->c.contribs.v[1].kind, FL_CONTRIB_REDEFINE);
}

static void test_list_append(void **st)
{
	load("- list: l\n  items: [a, b]\n- list: l\n  items: [b, c]\n  append: true\n"
	     "- list: l\n  items: [a, b]\n  override:\n    items: append\n");
	only(FL401, 1);
	items_are(L("l"), "a,b,b,c,a,b");
	assert_int_equal(L("l")->c.contribs.n, 3);
	assert_int_equal(L("l")->c.contribs.v[1].kind, FL_CONTRIB_APPEND);
	assert_int_equal(L("l")->c.contribs.v[2].kind, FL_CONTRIB_OVERRIDE_APPEND);
	load("- list: l\n  items: [a]\n  append: true\n");
	assert_int_equal(count(FL401), 1);
	assert_int_equal(count(FL101), 1);
	assert_int_equal(S->rs->lists.n, 0);
}

static void test_list_override_forms(void **st)
{
	load("- list: l\n  items: [b]\n  override:\n    items: replace\n");
	clean();
	items_are(L("l"), "b");
	load("- list: l\n  items: [a]\n  override:\n    condition: append\n");
	only(FL013, 1);
	at(first(FL013), 4, 5);
	load("- list: l\n  items: [a]\n  override:\n    items: merge\n");
	only(FL015, 1);
	load("- list: l\n  items: [a]\n- list: l\n  items: [b]\n  override: append\n");
	only(FL020, 1);
	items_are(L("l"), "b");  /* treated as a redefinition */
	load("- list: l\n  items: [a]\n  override: [items]\n");
	only(FL019, 1);
	load("- list: l\n  items: [a]\n  override: {}\n");
	clean();
	load("- list: \"my list\"\n  items: [a]\n- list: a=b\n  items: [a]\n");
	only(FL107, 2);
}

static void test_macro_append_join(void **st)
{
	const char *y = "- macro: m\n  condition: proc.name = a\n"
			"- macro: m\n  condition: or proc.name = b\n  append: true\n"
			"- macro: m\n  condition: or proc.name = c\n  override:\n    condition: append\n";
	load(y);
	only(FL401, 1);
	fl_macro *m = M("m");
	text_is(&m->cond, "proc.name = a or proc.name = b or proc.name = c");
	text_is(&m->def.text, "proc.name = a");
	assert_int_equal(m->appends.n, 2);
	/* Every byte keeps its file position; a joining space sits at the start
	 * of the piece that follows it. */
	const char *second = strstr(y, "or proc.name = b");
	assert_int_equal(fl_text_pos(&m->cond, 13).off, (uint32_t)(second - y));
	assert_int_equal(fl_text_pos(&m->cond, 14).off, (uint32_t)(second - y));
	assert_int_equal(fl_text_pos(&m->cond, 0).off, (uint32_t)(strstr(y, "proc.name = a") - y));
	load("- macro: m\n  condition: or x\n  override:\n    condition: append\n");
	only(FL101, 1);
	load("- macro: m\n  condition: a\n- macro: m\n  condition: b\n  override:\n    condition: replace\n");
	clean();
	text_is(&M("m")->cond, "b");
	assert_int_equal(M("m")->appends.n, 0);
	load("- macro: my-macro\n  condition: a\n- macro: _m\n  condition: a\n"
	     "- macro: ok_1\n  condition: a\n");
	only(FL106, 2);
}

/* ---- rule definitions (spec §8.3, §12, §13) ------------------------------ */

static void test_rule_required_order(void **st)
{
	load("- rule: r\n  condition: evt.type=open\n  priority: INFO\n");
	only(FL006, 1);
	assert_string_equal(first(FL006)->msg, "missing key 'output'");
	at(first(FL006), 1, 3);
	assert_string_equal(first(FL006)->item_name, "r");
	load("- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n");
	assert_string_equal(first(FL006)->msg, "missing key 'priority'");
}

static void test_rule_redefine_resets(void **st)
{
	load(RULE("r1", "evt.type = open") "  enabled: false\n  tags: [a]\n"
	     "  exceptions:\n    - name: e\n      fields: proc.name\n      values: [cat]\n"
	     RULE("r2", "evt.type = open")
	     RULE("r1", "evt.type = close"));
	clean();
	fl_rule *r1 = R("r1");
	assert_ptr_equal(S->rs->rules.v[0], r1);
	assert_true(r1->enabled);
	assert_int_equal(r1->tags.n, 0);
	assert_int_equal(r1->exceptions.n, 0);
	text_is(&r1->cond, "evt.type = close");
	assert_int_equal(r1->c.contribs.n, 2);
}

static void test_rule_output_trim(void **st)
{
	load("- rule: r\n  desc: |\n    line_one\n  condition: evt.type = open\n"
	     "  output: \"  a %proc.name  \"\n  priority: INFO\n"
	     "- rule: r2\n  desc: d\n  condition: evt.type = open\n  output: x\n  priority: INFO\n"
	     "- rule: r2\n  output: \"  b  \"\n  override:\n    output: replace\n");
	clean();
	text_is(&R("r")->output, "a %proc.name");
	text_is(&R("r")->desc, "line_one\n");
	text_is(&R("r2")->output, "  b  ");
}

static void test_priority(void **st)
{
	static const char *const spell[] = {"emergency", "ALERT", "Critical", "error",
					    "warning", "NOTICE", "info", "Debug"};
	for (int i = 0; i < 8; i++) {
		char buf[256];
		snprintf(buf, sizeof(buf),
			 "- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: %s\n", spell[i]);
		load(buf);
		clean();
		assert_int_equal(R("r")->priority, i);
	}
	assert_string_equal(fl_priority_name(FL_PRI_INFORMATIONAL), "Informational");
	load("- rule: r\n  desc: d\n  condition: c\n  output: o\n  priority: warn\n");
	only(FL301, 1);
	at(first(FL301), 5, 13);
}

static void test_source(void **st)
{
	load(RULE("r", "ka.verb = get") "  source: k8s_audit\n"
	     RULE("s", "x = 1") "  source: nosuch\n");
	only(FL302, 1);
	assert_string_equal(R("r")->source, "k8s_audit");
	assert_true(R("s")->source_unknown);
	assert_false(R("r")->source_unknown);
	/* A plugin named in required_plugin_versions makes its source known. */
	load("- required_plugin_versions:\n    - name: dummy\n      version: 0.1.0\n"
	     RULE("s", "x = 1") "  source: dummy\n");
	clean();
	load(RULE("r", "ka.verb = get") "  source: k8s_audit\n" RULE("r", "evt.type = open"));
	only(FL104, 1);
	text_is(&R("r")->cond, "ka.verb = get");
	/* An override that does not touch the condition ignores source. */
	load(RULE("r", "evt.type = open")
	     "- rule: r\n  output: more\n  source: k8s_audit\n  override:\n    output: append\n");
	clean();
	text_is(&R("r")->output, "o more");
	load(RULE("r", "evt.type = open")
	     "- rule: r\n  condition: and proc.name = cat\n  source: k8s_audit\n"
	     "  override:\n    condition: append\n");
	only(FL104, 1);
	load(RULE("r", "evt.type = open") "  source:\n");
	only(FL007, 1);
	load(RULE("r", "evt.type = open") "  source: \"\"\n");
	only(FL009, 1);
}

/* ---- enabled-only and legacy append (spec §8.4, §8.5) -------------------- */

static void test_enabled_only(void **st)
{
	load(RULE("r1", "evt.type = open") RULE("r2", "evt.type = open") "  enabled: false\n"
	     "- rule: r1\n  enabled: false\n  tags: [x]\n- rule: r2\n  enabled: true\n");
	only(FL402, 2);
	assert_false(R("r1")->enabled);
	assert_true(R("r2")->enabled);
	assert_int_equal(R("r1")->tags.n, 0);
	assert_int_equal(R("r1")->c.contribs.v[1].kind, FL_CONTRIB_ENABLE);
	load("- rule: r\n  enabled: false\n");
	assert_int_equal(count(FL402), 1);
	assert_int_equal(count(FL103), 1);
	load(RULE("r", "evt.type = open") "- rule: r\n  tags: [a]\n");
	only(FL006, 1);
	assert_string_equal(first(FL006)->msg, "missing key 'enabled'");
}

static void test_legacy_append(void **st)
{
	load(RULE("r", "evt.type = open")
	     "- rule: r\n  condition: and proc.name = cat\n  output: ignored\n  desc: ignored\n"
	     "  priority: DEBUG\n  enabled: false\n  tags: [t]\n  append: true\n");
	only(FL401, 1);
	fl_rule *r = R("r");
	text_is(&r->cond, "evt.type = open and proc.name = cat");
	text_is(&r->output, "o");
	text_is(&r->desc, "d_");
	assert_int_equal(r->priority, FL_PRI_WARNING);
	assert_true(r->enabled);
	assert_int_equal(r->tags.n, 0);
	assert_non_null(r->app);
	assert_int_equal(r->app->cond_appends.n, 1);
	load("- rule: r\n  condition: and x\n  append: true\n");
	assert_int_equal(count(FL101), 1);
	load(RULE("r", "evt.type = open") "- rule: r\n  output: x\n  append: true\n");
	assert_int_equal(count(FL105), 1);
	load(RULE("r", "evt.type = open")
	     "  exceptions:\n    - name: e\n      fields: proc.name\n      values: [cat]\n"
	     "- rule: r\n  append: true\n  exceptions:\n    - name: e\n      values: [dog]\n"
	     "    - name: e2\n      fields: fd.name\n      comps: \"=\"\n      values: [/tmp]\n");
	assert_int_equal(count(FL308), 1);  /* new exception is validated */
	assert_int_equal(R("r")->exceptions.v[0].nvalues, 1);  /* item skipped whole */
	load(RULE("r", "evt.type = open")
	     "  exceptions:\n    - name: e\n      fields: proc.name\n      values: [cat]\n"
	     "- rule: r\n  append: true\n  exceptions:\n    - name: e\n      values: [dog]\n"
	     "    - name: e2\n      fields: [fd.name]\n      comps: [=]\n      values: [[/tmp]]\n");
	only(FL401, 1);
	assert_int_equal(R("r")->exceptions.n, 2);
	assert_int_equal(R("r")->exceptions.v[0].nvalues, 2);
}

static void test_append_later_file(void **st)
{
	load2(RULE("r", "evt.type = open") "- list: l\n  items: [a]\n",
	      "- rule: r\n  condition: or evt.type = close\n  override:\n    condition: append\n"
	      "- list: l\n  items: [b]\n  override:\n    items: append\n");
	clean();
	text_is(&R("r")->cond, "evt.type = open or evt.type = close");
	items_are(L("l"), "a,b");
	assert_int_equal(R("r")->c.file, 1);
	assert_int_equal(S->rs->files.n, 2);
	/* Appending before the definition is loaded fails. */
	load2("- list: l\n  items: [b]\n  override:\n    items: append\n",
	      "- list: l\n  items: [a]\n");
	only(FL101, 1);
	assert_true(S->rs->files.v[0].read_failed);
	assert_false(S->rs->files.v[1].read_failed);
}

/* ---- override: (spec §9) -------------------------------------------------- */

static void test_override_condition(void **st)
{
	load(RULE("r", "evt.type = open")
	     "- rule: r\n  condition: and proc.name = cat\n  override:\n    condition: append\n");
	clean();
	text_is(&R("r")->cond, "evt.type = open and proc.name = cat");
	load(RULE("r", "evt.type = open")
	     "- rule: r\n  condition: evt.type = close\n  override:\n    condition: replace\n");
	clean();
	text_is(&R("r")->cond, "evt.type = close");
	text_is(&R("r")->cond_def.text, "evt.type = close");
}

/* A description the names-in-descriptions check could find nothing in is
 * not kept (fl_desc_may_name); what is appended to it still is. */
static void test_desc_kept_for_check(void **st)
{
	load("- rule: a\n  desc: >\n    plain prose, macros\n    and lists\n"
	     "  condition: evt.type = open\n  output: o\n  priority: INFO\n"
	     "- rule: a\n  desc: the x_y list\n  override:\n    desc: append\n"
	     "- rule: b\n  desc: the macro in it\n  condition: evt.type = open\n"
	     "  output: o\n  priority: INFO\n"
	     "- rule: c\n  desc: no name\n  condition: evt.type = open\n"
	     "  output: o\n  priority: INFO\n");
	clean();
	text_is(&R("a")->desc, " the x_y list");
	text_is(&R("b")->desc, "the macro in it");
	text_is(&R("c")->desc, "");
	assert_false(fl_desc_may_name("macros, lists", 13));
	assert_true(fl_desc_may_name("a list", 6));
	assert_true(fl_desc_may_name("x_", 2));
}

static void test_override_output_desc_tags(void **st)
{
	load(RULE("r", "evt.type = open") "  tags: [zeta, alpha]\n"
	     "- rule: r\n  output: \"%proc.name\"\n  desc: more text\n  tags: [beta, alpha]\n"
	     "  override:\n    output: append\n    desc: append\n    tags: append\n"
	     RULE("r2", "evt.type = open") "  tags: [a, b]\n"
	     "- rule: r2\n  tags: [beta]\n  override:\n    tags: replace\n");
	clean();
	text_is(&R("r")->output, "o %proc.name");
	text_is(&R("r")->desc, "d_ more text");
	assert_int_equal(R("r")->tags.n, 3);
	assert_string_equal(R("r")->tags.v[0], "alpha");
	assert_string_equal(R("r")->tags.v[1], "beta");
	assert_string_equal(R("r")->tags.v[2], "zeta");
	assert_int_equal(R("r2")->tags.n, 1);
	assert_string_equal(R("r2")->tags.v[0], "beta");
}

static void test_override_replace_flags(void **st)
{
	load(RULE("r", "evt.type = open")
	     "- rule: r\n  priority: debug\n  enabled: false\n  warn_evttypes: false\n"
	     "  skip-if-unknown-filter: true\n  capture: true\n  capture_duration: 5000\n"
	     "  override:\n    priority: replace\n    enabled: replace\n    warn_evttypes: replace\n"
	     "    skip-if-unknown-filter: replace\n    capture: replace\n    capture_duration: replace\n");
	clean();
	fl_rule *r = R("r");
	assert_int_equal(r->priority, FL_PRI_DEBUG);
	assert_false(r->enabled);
	assert_false(r->warn_evttypes);
	assert_true(r->skip_if_unknown_filter);
	assert_true(r->capture);
	assert_int_equal(r->capture_duration, 5000);
	assert_int_equal(r->c.contribs.v[1].kind, FL_CONTRIB_OVERRIDE_REPLACE);
	load(RULE("r", "evt.type = open") "- rule: r\n  priority: bogus\n  override:\n    priority: replace\n");
	only(FL301, 1);
}

static void test_override_key_errors(void **st)
{
	load(RULE("r", "evt.type = open") "- rule: r\n  priority: INFO\n  override:\n    priority: append\n");
	only(FL013, 1);
	load(RULE("r", "evt.type = open") "- rule: r\n  enabled: false\n  override:\n    enabled: append\n");
	only(FL013, 1);
	load(RULE("r", "evt.type = open") "- rule: r\n  source: x\n  override:\n    source: replace\n");
	only(FL014, 1);
	load(RULE("r", "evt.type = open") "- rule: r\n  override:\n    condition: append\n");
	only(FL017, 1);
	assert_non_null(strstr(first(FL017)->msg, "append to 'condition'"));
	load(RULE("r", "evt.type = open") "- rule: r\n  override:\n    priority: replace\n");
	only(FL017, 1);
	load(RULE("r", "evt.type = open")
	     "- rule: r\n  condition: and proc.name=cat\n  priority: INFO\n  desc: x\n"
	     "  override:\n    condition: append\n");
	only(FL018, 1);
	assert_non_null(strstr(first(FL018)->msg, "'desc'"));  /* alphabetically first */
	at(first(FL018), 9, 3);
	/* The failed entry left the rule untouched (appends are not half-applied). */
	text_is(&R("r")->cond, "evt.type = open");
	load("- rule: r\n  priority: INFO\n  override:\n    priority: replace\n");
	only(FL102, 1);
	load(RULE("r", "evt.type = open")
	     "- rule: r\n  condition: and x\n  append: true\n  override:\n    condition: append\n");
	assert_int_equal(count(FL016), 1);
	assert_int_equal(count(FL401), 1);
}

static void test_override_mixed_and_extra(void **st)
{
	load(RULE("r", "evt.type = open")
	     "- rule: r\n  condition: and proc.name = cat\n  output: new output\n"
	     "  override:\n    condition: append\n    output: replace\n");
	clean();
	text_is(&R("r")->cond, "evt.type = open and proc.name = cat");
	text_is(&R("r")->output, "new output");
	load(RULE("r", "evt.type = open")
	     "- rule: r\n  condition: and proc.name = cat\n  append: false\n  foo: 1\n"
	     "  override:\n    condition: append\n");
	only(FL022, 1);
	text_is(&R("r")->cond, "evt.type = open and proc.name = cat");
	/* override: {} is no override: a definition lacking keys. */
	load(RULE("r", "evt.type = open")
	     "- rule: r\n  condition: and proc.name = cat\n  override: {}\n");
	only(FL006, 1);
	/* A later definition discards earlier overrides. */
	load(RULE("r", "evt.type = open")
	     "- rule: r\n  condition: and proc.name = cat\n  override:\n    condition: append\n"
	     RULE("r", "evt.type = close"));
	clean();
	text_is(&R("r")->cond, "evt.type = close");
	assert_true(!R("r")->app || R("r")->app->cond_appends.n == 0);
	assert_int_equal(R("r")->c.base, 2);
}

/* ---- exceptions (spec §10) -------------------------------------------------- */

#define EXC_RULE(name) RULE(name, "evt.type = open") "  exceptions:\n"

static void test_exception_definition_checks(void **st)
{
	load(EXC_RULE("r") "    - name: e\n      fields: proc.name\n      values: [cat, \"my cat\"]\n");
	clean();
	fl_exception *e = &R("r")->exceptions.v[0];
	assert_string_equal(e->name, "e");
	assert_int_equal(e->nvalues, 2);
	fl_exc_nodes x;
	assert_int_equal(fl_exception_nodes(S->arena, e, S->sources.v, S->sources.n, &x), 0);
	assert_string_equal(x.fields->str, "proc.name");
	assert_null(x.comps);
	assert_int_equal(x.nvalues, 2);
	assert_string_equal(x.values[0]->str, "cat");
	assert_string_equal(x.values[1]->str, "my cat");
	assert_int_equal(x.values[1]->style, FL_YS_DOUBLE);
	load(EXC_RULE("r") "    - name: e\n      fields: proc.name\n      comps: \"=\"\n");
	only(FL308, 1);
	load(EXC_RULE("r") "    - name: e\n      fields: proc.name\n      comps: [in]\n");
	only(FL308, 1);
	load(EXC_RULE("r") "    - name: e\n      fields: fd.name\n      comps: startswith oneof\n"
	     "      values: [/tmp]\n");
	clean();
	load(EXC_RULE("r") "    - name: e\n      fields: [proc.name, fd.name]\n      comps: [=]\n");
	only(FL306, 1);
	load(EXC_RULE("r") "    - name: e\n      fields: [proc.name, fd.name]\n      comps: in\n");
	only(FL306, 1);
	load(EXC_RULE("r") "    - name: e\n      fields: [proc.name]\n      comps: [like]\n");
	only(FL307, 1);
	load(EXC_RULE("r") "    - name: e\n      fields: [proc.name, fd.name]\n"
	     "      comps: [\" = \", startswith anyof]\n");
	clean();
	load(EXC_RULE("r") "    - name: e\n      fields: [proc.name]\n      comps: [exists]\n");
	only(FL311, 1);
	load(EXC_RULE("r") "    - name: e\n      fields: []\n");
	only(FL303, 1);
	load(EXC_RULE("r") "    - name: e\n      fields: [proc.name, proc.nme]\n");
	only(FL313, 1);
	at(first(FL313), 8, 27);
	load(EXC_RULE("r") "    - name: e\n      fields: [tolower(proc.name), \"proc.aname[2]\"]\n");
	clean();
	/* Unknown source: fields are not checked (Falco skips it too). */
	load(RULE("r", "x = 1") "  source: nosuch\n  exceptions:\n    - name: e\n      fields: [a.b]\n");
	only(FL302, 1);
	load(EXC_RULE("r") "    - name: e\n");
	only(FL006, 1);
	load(RULE("r", "evt.type = open") "  exceptions:\n    name: e\n");
	only(FL011, 1);
	load(EXC_RULE("r") "    - fields: proc.name\n");
	only(FL006, 1);
	load(EXC_RULE("r") "    - name: e\n      fields: proc.name\n      values: a\n");
	only(FL011, 1);
	load(EXC_RULE("r") "    - name: e\n      fields: proc.name\n      values: [\"\"]\n");
	only(FL009, 1);
	load(EXC_RULE("r") "    - name: e\n      fields: proc.name\n      values: [cat]\n"
	     "    - name: e\n      fields: fd.name\n      values: [/tmp]\n");
	only(FL309, 1);
	assert_int_equal(R("r")->exceptions.n, 2);
	load(RULE("r", "evt.type = open") "  exceptions:\n");
	clean();
	assert_int_equal(R("r")->exceptions.n, 0);
}

#define BASE_EXC                                                        \
	EXC_RULE("r") "    - name: e\n      fields: [proc.name, fd.name]\n" \
		      "      comps: [=, startswith]\n      values: [[bash, /etc]]\n"
#define APPEND_EXC(body) "- rule: r\n  exceptions:\n" body "  override:\n    exceptions: append\n"

static void test_exception_append(void **st)
{
	load(BASE_EXC APPEND_EXC("    - name: e\n      values: [[sh, /tmp]]\n"
				 "    - name: e2\n      fields: proc.pname\n      values: [systemd]\n"));
	clean();
	fl_rule *r = R("r");
	assert_int_equal(r->exceptions.n, 2);
	assert_int_equal(r->exceptions.v[0].nvalues, 2);
	assert_string_equal(r->exceptions.v[1].name, "e2");
	/* values appended from later files follow those of the definition,
	 * each read from its own file */
	load2(BASE_EXC APPEND_EXC("    - name: e\n      values: [[sh, /tmp]]\n"),
	      APPEND_EXC("    - name: e\n      values: [[\"z\\x41\", /var], [ash, /run]]\n"));
	clean();
	r = R("r");
	assert_int_equal(r->exceptions.v[0].nvalues, 4);
	fl_exc_nodes x;
	assert_int_equal(fl_exception_nodes(S->arena, &r->exceptions.v[0], S->sources.v,
					    S->sources.n, &x), 0);
	assert_int_equal(x.nvalues, 4);
	assert_int_equal(x.fields->n, 2);
	assert_string_equal(x.comps->kids[1]->str, "startswith");
	const char *want[4][2] = {{"bash", "/etc"}, {"sh", "/tmp"}, {"zA", "/var"}, {"ash", "/run"}};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(x.values[i]->kind, FL_Y_SEQ);
		assert_string_equal(x.values[i]->kids[0]->str, want[i][0]);
		assert_string_equal(x.values[i]->kids[1]->str, want[i][1]);
		assert_int_equal(x.values[i]->span.src, i < 2 ? 0 : 1);
	}
	load(BASE_EXC APPEND_EXC("    - name: e2\n      fields: proc.pname\n"));
	assert_int_equal(count(FL310), 1);
	assert_int_equal(count(FL304), 1);
	assert_true(first(FL310)->seq < first(FL304)->seq);
	load(BASE_EXC APPEND_EXC("    - name: e2\n      values: [a]\n"));
	only(FL303, 1);
	load(BASE_EXC APPEND_EXC("    - name: e\n      value: [[cat, /x]]\n"));
	only(FL310, 1);
	load(BASE_EXC APPEND_EXC("    - name: e\n      fields: [proc.name, fd.name]\n      values: [[a, b]]\n"));
	only(FL305, 1);
	load(BASE_EXC APPEND_EXC("    - name: e\n      comps: [=, =]\n      values: [[a, b]]\n"));
	only(FL305, 1);
	load(BASE_EXC APPEND_EXC("    - name: e2\n      fields: proc.pname\n      comps: \"=\"\n      values: [a]\n"));
	only(FL308, 1);
	/* Appended values are not checked against the fields until compile. */
	load(BASE_EXC APPEND_EXC("    - name: e\n      values: [[sh]]\n"));
	clean();
}

static void test_exception_replace(void **st)
{
	load(BASE_EXC "- rule: r\n  exceptions:\n    - name: x\n      fields: proc.pname\n"
		      "      comps: in\n      values: [systemd]\n  override:\n    exceptions: replace\n");
	clean();
	assert_int_equal(R("r")->exceptions.n, 1);
	assert_string_equal(R("r")->exceptions.v[0].name, "x");
	assert_true(R("r")->exceptions.v[0].replaced);
	load(BASE_EXC "- rule: r\n  exceptions: []\n  override:\n    exceptions: replace\n");
	clean();
	assert_int_equal(R("r")->exceptions.n, 0);
	load(BASE_EXC "- rule: r\n  exceptions:\n  override:\n    exceptions: replace\n");
	clean();
	assert_int_equal(R("r")->exceptions.n, 0);
	/* Falco adds no default comps here; we report it. */
	load(BASE_EXC "- rule: r\n  exceptions:\n    - name: x\n      fields: proc.pname\n"
		      "      values: [systemd]\n  override:\n    exceptions: replace\n");
	only(FL312, 1);
	load(BASE_EXC "- rule: r\n  exceptions:\n    - name: x\n      values: [systemd]\n"
		      "  override:\n    exceptions: replace\n");
	only(FL006, 1);
}

/* ---- version requirements (spec §4, §5) ----------------------------------- */

static void test_engine_version(void **st)
{
	load("- required_engine_version: 0.40.0-rc1\n- required_engine_version: 12\n"
	     "- required_engine_version: 0.62.0\n- required_engine_version: 0x10\n");
	clean();
	assert_true(S->rs->has_req_engine);
	assert_int_equal(S->rs->req_engine[1], 62);
	load("- required_engine_version: 0.63.0\n");
	only(FL403, 1);
	load("- required_engine_version: 1.0.0\n");
	only(FL403, 1);
	load("- required_engine_version: 0.40\n");
	only(FL025, 1);
	load("- required_engine_version: seven\n");
	only(FL025, 1);
	load("- required_engine_version: 9999\n");
	only(FL403, 1);
}

static void test_plugin_versions(void **st)
{
	load("- required_plugin_versions:\n    - name: k8saudit\n      version: 0.7.0\n"
	     "      alternatives:\n        - name: k8saudit-eks\n          version: 0.4.0\n");
	clean();
	assert_int_equal(S->rs->plugins.n, 1);
	assert_int_equal(S->rs->plugins.v[0].alts.n, 2);
	load("- required_plugin_versions:\n    - name: k8saudit\n      version: latest\n");
	only(FL404, 1);
	load("- required_plugin_versions:\n    - name: a\n      version: 0.1.0\n"
	     "      alternatives:\n        - name: a\n          version: 0.2.0\n");
	only(FL405, 1);
	load("- required_plugin_versions:\n    name: x\n");
	only(FL011, 1);
	load("- required_plugin_versions: [x]\n");
	only(FL005, 1);
	load("- required_plugin_versions: [{name: a}]\n");
	only(FL006, 1);
}

/* ---- scale --------------------------------------------------------------- */

static void test_many_rules(void **st)
{
	enum { N = 100000 };
	size_t cap = (size_t)N * 120;
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t n = 0;
	for (int i = 0; i < N; i++)
		n += (size_t)snprintf(buf + n, cap - n,
				      "- rule: r%d\n  desc: d\n  condition: evt.type = open\n"
				      "  output: o\n  priority: INFO\n",
				      i);
	clock_t t0 = clock();
	load(buf);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	free(buf);
	clean();
	assert_int_equal(S->rs->rules.n, N);
	assert_non_null(R("r99999"));
	assert_int_equal(R("r777")->c.order, 777);
	/* Generous bound: catches quadratic behaviour, not a slow machine. */
	assert_true(secs < 20.0);
}

/* Many appends to one macro and many exceptions in one rule stay linear. */
static void test_hostile_sizes(void **st)
{
	enum { N = 20000 };
	size_t cap = (size_t)N * 96 + 256;
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t n = (size_t)snprintf(buf, cap, "- macro: m\n  condition: a\n");
	for (int i = 0; i < N; i++)
		n += (size_t)snprintf(buf + n, cap - n,
				      "- macro: m\n  condition: or x%d\n  override:\n    condition: append\n", i);
	clock_t t0 = clock();
	load(buf);
	clean();
	assert_int_equal(M("m")->appends.n, N);
	assert_int_equal(M("m")->cond.s[M("m")->cond.len - 1], '9');
	n = (size_t)snprintf(buf, cap, RULE("r", "evt.type = open") "  exceptions:\n");
	for (int i = 0; i < N; i++)
		n += (size_t)snprintf(buf + n, cap - n, "    - {name: e%d, fields: proc.name, values: [a]}\n",
				      i % (N / 2));
	load(buf);
	only(FL309, N / 2);
	assert_int_equal(R("r")->exceptions.n, N);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	free(buf);
	assert_true(secs < 20.0);
}

static int teardown(void **st)
{
	fl_session_free(S);
	S = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_duplicate_and_merge_keys),
		cmocka_unit_test(test_kind_precedence),
		cmocka_unit_test(test_decoding),
		cmocka_unit_test(test_list_redefine),
		cmocka_unit_test(test_list_append),
		cmocka_unit_test(test_list_override_forms),
		cmocka_unit_test(test_macro_append_join),
		cmocka_unit_test(test_rule_required_order),
		cmocka_unit_test(test_rule_redefine_resets),
		cmocka_unit_test(test_rule_output_trim),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_source),
		cmocka_unit_test(test_enabled_only),
		cmocka_unit_test(test_legacy_append),
		cmocka_unit_test(test_append_later_file),
		cmocka_unit_test(test_override_condition),
		cmocka_unit_test(test_override_output_desc_tags),
		cmocka_unit_test(test_desc_kept_for_check),
		cmocka_unit_test(test_override_replace_flags),
		cmocka_unit_test(test_override_key_errors),
		cmocka_unit_test(test_override_mixed_and_extra),
		cmocka_unit_test(test_exception_definition_checks),
		cmocka_unit_test(test_exception_append),
		cmocka_unit_test(test_exception_replace),
		cmocka_unit_test(test_engine_version),
		cmocka_unit_test(test_plugin_versions),
		cmocka_unit_test(test_many_rules),
		cmocka_unit_test(test_hostile_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
