/* test_suppress.c — inline suppressions (lib/suppress.c) through a whole
 * session: which diagnostics a comment hides, where '#' is not a comment,
 * unused and malformed suppressions; and .falco-lint.yaml reading and
 * per-path ignores (lib/lintconfig.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "falcolint.h"

/* Runs a session on one buffer; returns it (caller frees). */
static fl_session *run(const char *text)
{
	fl_options o;
	fl_options_init(&o);
	fl_session *s = fl_session_new(&o);
	assert_non_null(s);
	assert_int_equal(fl_session_add_buffer(s, "t.yaml", text, strlen(text), 0), 0);
	assert_int_equal(fl_session_run(s), 0);
	return s;
}

/* Number of diagnostics with `code` (on `line` when line != 0). */
static int count(const fl_session *s, const char *code, unsigned line)
{
	int n = 0;
	for (size_t i = 0; i < fl_session_ndiags(s); i++) {
		const fl_diag_view *d = fl_session_diag(s, i);
		if (!strcmp(d->code, code) && (!line || d->loc.line == line) &&
		    d->loc.file && !strcmp(d->loc.file, "t.yaml"))
			n++;
	}
	return n;
}

static void test_item_above_and_trailing(void **st)
{
	fl_session *s = run("# falco-lint: disable=FL022\n"
			    "- list: a\n"
			    "  items: [x]\n"
			    "  bogus: 1\n"
			    "- list: b   # falco-lint: disable=FL02\n"
			    "  items: [x]\n"
			    "  bogus: 1\n"
			    "- list: c\n"
			    "  items: [x]\n"
			    "  bogus: 1\n");
	assert_int_equal(count(s, "FL022", 4), 0);
	assert_int_equal(count(s, "FL022", 7), 0);
	assert_int_equal(count(s, "FL022", 10), 1);
	assert_int_equal(count(s, "FL901", 0), 0);
	fl_session_free(s);
}

static void test_line_scope(void **st)
{
	fl_session *s = run("- list: a\n"
			    "  items: [x]\n"
			    "  # falco-lint: disable=FL022\n"
			    "  bogus: 1\n"
			    "  other: 1\n");
	assert_int_equal(count(s, "FL022", 4), 0);
	assert_int_equal(count(s, "FL022", 5), 1);
	fl_session_free(s);
}

static void test_not_comments(void **st)
{
	fl_session *s = run("- list: a\n"
			    "  items: [\"# falco-lint: disable=FL022\", 'it''s # falco-lint: disable=FL022']\n"
			    "  bogus: 1\n"
			    "- macro: m\n"
			    "  condition: >-\n"
			    "    evt.type = open\n"
			    "    # falco-lint: disable=FL022\n"
			    "  bogus: 1\n"
			    "- macro: n\n"
			    "  condition: \"evt.type = open and\n"
			    "    # falco-lint: disable=FL022 x\"\n"
			    "  bogus: 1\n"
			    "- macro: p\n"
			    "  condition: evt.type=open#falco-lint:disable=FL022\n"
			    "  bogus: 1\n");
	assert_int_equal(count(s, "FL022", 3), 1);
	assert_int_equal(count(s, "FL022", 8), 1);
	assert_int_equal(count(s, "FL022", 12), 1);
	assert_int_equal(count(s, "FL022", 15), 1);
	assert_int_equal(count(s, "FL902", 0), 0);
	fl_session_free(s);
}

static void test_file_wide_crlf_no_newline(void **st)
{
	fl_session *s = run("- list: a\r\n"
			    "  items: [x]\r\n"
			    "  bogus: 1\r\n"
			    "# falco-lint: disable-file=ALL");
	assert_int_equal(count(s, "FL022", 0), 0);
	assert_int_equal(count(s, "FL902", 0), 0);
	fl_session_free(s);
}

static void test_unused_and_malformed(void **st)
{
	fl_session *s = run("# falco-lint: disable=FL106, FL107 reason here\n"
			    "# falco-lint: enable=FL022\n"
			    "# falco-lint: disable=ZZ9,\n"
			    "- list: a\n"
			    "  items: [x]\n");
	assert_int_equal(count(s, "FL901", 1), 2);
	assert_int_equal(count(s, "FL902", 2), 1);
	assert_int_equal(count(s, "FL902", 3), 2);  /* unknown code, then a missing one */
	const fl_diag_view *d = NULL;
	for (size_t i = 0; i < fl_session_ndiags(s); i++)
		if (!strcmp(fl_session_diag(s, i)->code, "FL901"))
			d = fl_session_diag(s, i);
	assert_non_null(d);
	assert_int_equal(d->loc.column, 30);  /* FL107 */
	fl_session_free(s);
}

static void test_empty_and_plain(void **st)
{
	fl_session *s = run("");
	assert_int_equal(fl_session_ndiags(s), 0);
	fl_session_free(s);
	s = run("# just a comment about falco-lint: nothing else\n- list: a\n  items: [x]\n");
	assert_int_equal(count(s, "FL902", 0), 0);
	fl_session_free(s);
}

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_config(void **st)
{
	strcpy(dir, "/tmp/fl-unit.XXXXXX");
	assert_non_null(mkdtemp(dir));
	write_file(".falco-lint.yaml", "select: FL0, FL1\n"
				       "ignore: [FL023]\n"
				       "per-path-ignores:\n"
				       "  legacy/*.yaml: FL022\n"
				       "  old.yaml: [FL4]\n"
				       "rules: [base.yaml, /abs/x.yaml]\n"
				       "scenarios: extra.yaml\n"
				       "fail-on: error\n");
	char sub[128];
	snprintf(sub, sizeof sub, "%s/legacy", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file("legacy/a.yaml", "");
	write_file("legacy/old.yaml", "");

	fl_lintconfig *c = fl_lintconfig_new();
	assert_non_null(c);
	assert_int_equal(fl_lintconfig_discover(c, sub), 0);
	assert_non_null(strstr(c->path, "../.falco-lint.yaml"));
	assert_string_equal(c->select, "FL0,FL1");
	assert_string_equal(c->ignore, "FL023");
	assert_null(c->extend_select);
	assert_string_equal(c->fail_on, "error");
	assert_int_equal(c->nrules, 2);
	assert_string_equal(c->rules[1], "/abs/x.yaml");
	assert_int_equal(c->nscenarios, 1);
	char p[256];
	snprintf(p, sizeof p, "%s/legacy/a.yaml", dir);
	assert_string_equal(fl_lintconfig_path_ignores(c, p), "FL022");
	snprintf(p, sizeof p, "%s/legacy/old.yaml", dir);
	assert_string_equal(fl_lintconfig_path_ignores(c, p), "FL022,FL4");
	snprintf(p, sizeof p, "%s/.falco-lint.yaml", dir);
	assert_null(fl_lintconfig_path_ignores(c, p));
	fl_lintconfig_free(c);

	write_file("bad.yaml", "select: [FL0]\nper-path-ignores: [x]\n");
	c = fl_lintconfig_new();
	snprintf(p, sizeof p, "%s/bad.yaml", dir);
	assert_int_equal(fl_lintconfig_read(c, p), FL_EUSAGE);
	assert_non_null(strstr(c->error, "bad.yaml:2:19: 'per-path-ignores' must map"));
	fl_lintconfig_free(c);

	c = fl_lintconfig_new();
	assert_int_equal(fl_lintconfig_discover(c, "/"), 1);
	fl_lintconfig_free(c);

	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_item_above_and_trailing),
		cmocka_unit_test(test_line_scope),
		cmocka_unit_test(test_not_comments),
		cmocka_unit_test(test_file_wide_crlf_no_newline),
		cmocka_unit_test(test_unused_and_malformed),
		cmocka_unit_test(test_empty_and_plain),
		cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
