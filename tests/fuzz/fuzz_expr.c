/* fuzz_expr.c — libFuzzer harness for the condition language: parse, dump,
 * iterate, print canonically and re-parse (the canonical text must parse to
 * the same tree), substitute two lists, and split the input as an output
 * format.  The first byte picks the depth limit. */
#include "fuzz.h"
#include "arena.h"
#include "expr.h"

#include <string.h>

static const char *const items_a[] = {"bash", "sh", "a b", "x,y", "(p)"};
static const char *const items_b[] = {"items_a", "\"q\"", ""};

static void walk(fl_arena *a, const fl_expr *root)
{
	fl_expr_iter *it = fl_expr_iter_new(a, root);
	const fl_expr *n;
	fl_expr_event ev;
	unsigned long k = 0;
	if (!it)
		return;
	while ((ev = fl_expr_iter_next(it, &n)) > 0) {
		/* skip every third inner node: exercises the skip path */
		if (ev == FL_EXPR_EV_ENTER && (n->kind == FL_EXPR_AND || n->kind == FL_EXPR_OR) &&
		    ++k % 3 == 0)
			fl_expr_iter_skip(it);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	unsigned depth = data[0] < 128 ? 0 : (unsigned)data[0] * 8;  /* 0 = default */
	const char *text = (const char *)data + 1;
	uint32_t len = (uint32_t)(size - 1);
	fl_arena *a = fl_arena_new();
	if (!a)
		return 0;
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(a, text, len, depth, &errs);
	if (e) {
		(void)fl_expr_dump(a, e);
		walk(a, e);
		if (errs.n == 0) {
			char *canon = fl_expr_format(a, e);
			if (canon) {
				fl_expr_errors errs2 = {0};
				fl_expr *e2 = fl_expr_parse(a, canon, (uint32_t)strlen(canon),
							    FL_EXPR_MAX_DEPTH, &errs2);
				char *d1 = fl_expr_dump(a, e), *d2 = e2 ? fl_expr_dump(a, e2) : NULL;
				/* the header promises: canonical text re-parses to the same tree */
				if (errs2.n || (d1 && d2 && strcmp(d1, d2) != 0))
					__builtin_trap();
			}
		}
	}
	fl_list_def lists[2] = {
		{"items_a", 7, items_a, sizeof items_a / sizeof *items_a},
		{"items_b", 7, items_b, sizeof items_b / sizeof *items_b},
	};
	fl_text in = {.s = text, .len = len}, out = {0};
	(void)fl_list_substitute(a, &in, lists, 2, &out, NULL);
	fl_output o = {0};
	fl_expr_errors oerrs = {0};
	(void)fl_output_parse(a, text, len, NULL, NULL, &o, &oerrs);
	fl_arena_free(a);
	return 0;
}
