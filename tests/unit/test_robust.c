/* test_robust.c — the shortcuts that keep long lines linear give the same
 * answers as the slow paths: fl_source_linecol_near() against
 * fl_source_linecol() in every order, and YAML spans on a one-line flow
 * sequence (marks converted by walking on from the previous one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "source.h"
#include "yaml.h"

static fl_arena *A;

static int setup(void **st)
{
	A = fl_arena_new();
	return A ? 0 : -1;
}

static int teardown(void **st)
{
	fl_arena_free(A);
	return 0;
}

/* Lines of mixed widths: ASCII, 2- and 3-byte UTF-8, an empty line. */
static const char text[] = "ab\xc3\xa9 cd\n\n\xe2\x82\xac x \xc3\xa9\xc3\xa9 y\nlast";

static void check_at(const fl_source *s, fl_linecol_hint *h, uint32_t off)
{
	unsigned l1, c1, l2, c2;
	fl_source_linecol(s, off, &l1, &c1);
	fl_source_linecol_near(s, h, off, &l2, &c2);
	assert_int_equal(l1, l2);
	assert_int_equal(c1, c2);
}

static void test_near_matches_linecol(void **st)
{
	size_t len = sizeof text - 1;
	fl_source *s = fl_source_new(A, 0, "t", text, len);
	assert_non_null(s);
	fl_linecol_hint h = {0};
	for (uint32_t off = 0; off <= len + 2; off++)     /* increasing, past the end */
		check_at(s, &h, off);
	for (uint32_t off = (uint32_t)len + 2; off-- > 0;) /* decreasing */
		check_at(s, &h, off);
	uint32_t x = 12345;
	for (int i = 0; i < 1000; i++) {                   /* any order */
		x = x * 1103515245u + 12345u;
		check_at(s, &h, (x >> 8) % (uint32_t)(len + 1));
	}
	/* a hint from another source is not used */
	fl_source *o = fl_source_new(A, 1, "o", "zz\nz", 4);
	assert_non_null(o);
	check_at(o, &h, 3);
}

/* [a0, a1, …] on one line: every item's span is its own bytes. */
static void test_flow_line_spans(void **st)
{
	char buf[20000];
	size_t n = 0;
	n += (size_t)snprintf(buf + n, sizeof buf - n, "- [");
	for (int i = 0; i < 1000; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\xc3\xa9%d", i ? ", " : "", i);
	n += (size_t)snprintf(buf + n, sizeof buf - n, "]\n");
	fl_source *s = fl_source_new(A, 0, "t", buf, n);
	assert_non_null(s);
	fl_diags d = {.arena = A};
	fl_ylimits lim = {64, UINT32_MAX, 100};
	fl_ydoc *docs;
	uint32_t ndocs;
	assert_int_equal(fl_yaml_parse(A, s, &lim, &d, &docs, &ndocs), 0);
	assert_int_equal(ndocs, 1);
	const fl_ynode *seq = docs[0].root->kids[0];
	assert_int_equal(seq->kind, FL_Y_SEQ);
	assert_int_equal(seq->n, 1000);
	for (uint32_t i = 0; i < seq->n; i++) {
		const fl_ynode *it = seq->kids[i];
		assert_int_equal(it->span.end - it->span.start, it->len);
		assert_memory_equal(buf + it->span.start, it->str, it->len);
	}
	assert_int_equal(buf[seq->span.start], '[');
	assert_int_equal(buf[seq->span.end - 1], ']');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_near_matches_linecol),
		cmocka_unit_test(test_flow_line_spans),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
