/* test_arena.c — the bump allocator: alignment, zeroed memory, in-place
 * growth of the last block, strings packed apart from aligned blocks,
 * reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"

static void test_alloc_aligned_zeroed(void **st)
{
	fl_arena *a = fl_arena_new();
	assert_non_null(a);
	for (size_t n = 0; n < 200; n++) {
		unsigned char *p = fl_arena_alloc(a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 8, 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xff, n);
	}
	/* a block larger than a chunk, then small ones again */
	unsigned char *big = fl_arena_alloc(a, 1u << 20);
	assert_non_null(big);
	assert_int_equal(big[(1u << 20) - 1], 0);
	assert_non_null(fl_arena_alloc(a, 24));
	fl_arena_free(a);
}

static void test_realloc_in_place(void **st)
{
	fl_arena *a = fl_arena_new();
	int *v = fl_arena_alloc(a, 4 * sizeof(int));
	for (int i = 0; i < 4; i++)
		v[i] = i + 1;
	size_t used = fl_arena_used(a);
	/* the last block grows where it is; the new part is zeroed */
	int *w = fl_arena_realloc(a, v, 4 * sizeof(int), 8 * sizeof(int));
	assert_ptr_equal(w, v);
	assert_int_equal(fl_arena_used(a), used + 4 * sizeof(int));
	for (int i = 0; i < 4; i++)
		assert_int_equal(w[i], i + 1);
	for (int i = 4; i < 8; i++)
		assert_int_equal(w[i], 0);
	/* not the last block any more: copied, the old one left as it was */
	int *other = fl_arena_alloc(a, sizeof(int));
	*other = 42;
	int *x = fl_arena_realloc(a, w, 8 * sizeof(int), 16 * sizeof(int));
	assert_ptr_not_equal(x, w);
	for (int i = 0; i < 4; i++)
		assert_int_equal(x[i], i + 1);
	for (int i = 4; i < 16; i++)
		assert_int_equal(x[i], 0);
	assert_int_equal(*other, 42);
	/* a vector pushed to far beyond one chunk keeps its contents */
	size_t cap = 0, n = 0;
	uint32_t *u = NULL;
	for (uint32_t i = 0; i < 100000; i++) {
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			u = fl_arena_realloc(a, u, cap * sizeof(*u), ncap * sizeof(*u));
			assert_non_null(u);
			cap = ncap;
		}
		u[n++] = i;
	}
	for (uint32_t i = 0; i < 100000; i++)
		assert_int_equal(u[i], i);
	fl_arena_free(a);
}

static void test_strings_packed(void **st)
{
	fl_arena *a = fl_arena_new();
	char *s1 = fl_arena_strndup(a, "abcdefgh", 3);
	void *blk = fl_arena_alloc(a, 40);
	char *s2 = fl_arena_strdup(a, "xy");
	char *s3 = fl_arena_printf(a, "%d-%s", 7, "z");
	char *s4 = fl_arena_strndup(a, "", 0);
	assert_string_equal(s1, "abc");
	assert_string_equal(s2, "xy");
	assert_string_equal(s3, "7-z");
	assert_string_equal(s4, "");
	/* strings are packed from the back of the chunk with no padding,
	 * whatever blocks were carved from its front meanwhile */
	assert_ptr_equal(s2 + 3, s1);
	assert_ptr_equal(s3 + 4, s2);
	assert_ptr_equal(s4 + 1, s3);
	assert_true((char *)blk + 40 <= s4);
	assert_int_equal((uintptr_t)blk % 8, 0);
	assert_int_equal((uintptr_t)fl_arena_alloc(a, 8) % 8, 0);
	/* a string bigger than a chunk */
	static char long_s[200000];
	memset(long_s, 'q', sizeof long_s - 1);
	char *l = fl_arena_strdup(a, long_s);
	assert_non_null(l);
	assert_int_equal(strlen(l), sizeof long_s - 1);
	assert_string_equal(fl_arena_strdup(a, "after"), "after");
	fl_arena_free(a);
}

/* Past a few MB the chunks are mapped on their own (huge pages): still
 * zeroed, aligned, and freed with the arena. */
/* After a reset the arena reuses its chunks: allocations come back zeroed
 * although the same bytes were written before, and in-place growth still
 * finds zeros past the last block. */
static void reset_reuses_zeroed(fl_arena *a)
{
	assert_non_null(a);
	for (int round = 0; round < 3; round++) {
		for (size_t n = 1; n < 3000; n += 7) {
			unsigned char *p = fl_arena_alloc(a, n);
			assert_non_null(p);
			for (size_t i = 0; i < n; i++)
				assert_int_equal(p[i], 0);
			memset(p, 0xab, n);
			char *t = fl_arena_strndup(a, "xyz", 3);
			assert_non_null(t);
			assert_string_equal(t, "xyz");
		}
		unsigned char *v = fl_arena_alloc(a, 16);
		memset(v, 1, 16);
		unsigned char *w = fl_arena_realloc(a, v, 16, 64);
		assert_non_null(w);
		for (size_t i = 16; i < 64; i++)
			assert_int_equal(w[i], 0);
		assert_true(fl_arena_used(a) > 0);
		fl_arena_reset(a);
		assert_int_equal(fl_arena_used(a), 0);
	}
	fl_arena_free(a);
}

/* The same for both kinds of arena: a scratch arena only keeps its chunks
 * small. */
static void test_reset_reuses_zeroed(void **st)
{
	reset_reuses_zeroed(fl_arena_new());
	reset_reuses_zeroed(fl_arena_new_scratch());
}

static void big_chunks(fl_arena *a)
{
	unsigned char *big = fl_arena_alloc(a, 3u << 20);
	assert_non_null(big);
	for (size_t i = 0; i < (3u << 20); i += 4096)
		assert_int_equal(big[i], 0);
	memset(big, 1, 3u << 20);
	uint64_t *first = NULL, *last = NULL;
	for (uint64_t i = 0; i < 400000; i++) {
		uint64_t *p = fl_arena_alloc(a, 56);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 8, 0);
		assert_int_equal(p[0] | p[6], 0);
		p[0] = i;
		p[6] = ~i;
		if (!first)
			first = p;
		last = p;
	}
	assert_true(fl_arena_used(a) >= (3u << 20) + 400000u * 56);
	assert_int_equal(first[0], 0);
	assert_int_equal(last[0], 399999);
	assert_int_equal(last[6], ~(uint64_t)399999);
	assert_int_equal(big[(3u << 20) - 1], 1);
	fl_arena_free(a);
}

static void test_big_chunks(void **st)
{
	big_chunks(fl_arena_new());
	big_chunks(fl_arena_new_scratch());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_aligned_zeroed),
		cmocka_unit_test(test_realloc_in_place),
		cmocka_unit_test(test_strings_packed),
		cmocka_unit_test(test_big_chunks),
		cmocka_unit_test(test_reset_reuses_zeroed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
