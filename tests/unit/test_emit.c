/* test_emit.c — YAML produced through libyaml's emitter re-reads to the
 * same tree; override snippets come out in the shape users write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "emit.h"

static void test_list_append_snippet(void **st)
{
	fl_arena *a = fl_arena_new();
	fl_ynode *seq = fl_ynew_seq(a, FL_YS_BLOCK);
	fl_ynode *m = fl_ynew_map(a, FL_YS_BLOCK);
	fl_ynode *items = fl_ynew_seq(a, FL_YS_FLOW);
	fl_ynode *ov = fl_ynew_map(a, FL_YS_BLOCK);
	assert_int_equal(fl_ymap_put(a, m, "list", fl_ynew_scalar(a, "known_memfd_execution_binaries", FL_YS_PLAIN)), 0);
	assert_int_equal(fl_yseq_push(a, items, fl_ynew_scalar(a, "runc", FL_YS_PLAIN)), 0);
	assert_int_equal(fl_ymap_put(a, m, "items", items), 0);
	assert_int_equal(fl_ymap_put(a, ov, "items", fl_ynew_scalar(a, "append", FL_YS_PLAIN)), 0);
	assert_int_equal(fl_ymap_put(a, m, "override", ov), 0);
	assert_int_equal(fl_yseq_push(a, seq, m), 0);
	char *out;
	size_t len;
	assert_int_equal(fl_yaml_emit(a, seq, &out, &len), 0);
	assert_string_equal(out, "- list: known_memfd_execution_binaries\n"
				 "  items: [runc]\n"
				 "  override:\n"
				 "    items: append\n");
	fl_arena_free(a);
}

static void test_quoting(void **st)
{
	fl_arena *a = fl_arena_new();
	fl_ynode *m = fl_ynew_map(a, FL_YS_BLOCK);
	fl_ymap_put(a, m, "condition",
		    fl_ynew_scalar(a, "or (proc.exepath = \"memfd:runc_cloned:/proc/self/exe\")", FL_YS_PLAIN));
	fl_ymap_put(a, m, "tricky", fl_ynew_scalar(a, "- a: b #c", FL_YS_PLAIN));
	char *out;
	size_t len;
	assert_int_equal(fl_yaml_emit(a, m, &out, &len), 0);
	assert_non_null(strstr(out, "condition: or (proc.exepath = \"memfd:runc_cloned:/proc/self/exe\")\n"));
	/* a value that cannot be plain gets quoted */
	assert_non_null(strstr(out, "tricky: '- a: b #c'\n"));
	fl_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_append_snippet),
		cmocka_unit_test(test_quoting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
