/* test_source.c — line map, byte → line:col, and the map from a YAML
 * scalar's decoded text back to file offsets, for every scalar style. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "falcolint.h"
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

static void test_linecol(void **st)
{
	const char *t = "ab\ncd\n\né x\n";
	fl_source *s = fl_source_new(A, 0, "t", t, strlen(t));
	unsigned l, c;
	fl_source_linecol(s, 0, &l, &c);
	assert_int_equal(l, 1);
	assert_int_equal(c, 1);
	fl_source_linecol(s, 4, &l, &c);
	assert_int_equal(l, 2);
	assert_int_equal(c, 2);
	fl_source_linecol(s, 6, &l, &c);   /* empty line 3 */
	assert_int_equal(l, 3);
	assert_int_equal(c, 1);
	/* 'x' after a two-byte é: column counts code points */
	fl_source_linecol(s, 10, &l, &c);
	assert_int_equal(l, 4);
	assert_int_equal(c, 3);
	size_t n;
	const char *line = fl_source_line(s, 2, &n);
	assert_int_equal(n, 2);
	assert_memory_equal(line, "cd", 2);
	assert_null(fl_source_line(s, 9, &n));
}

/* The line map is sampled every FL_LINE_STRIDE lines: every offset of a
 * file of several strides (lines of varying length, empty ones, a last
 * line without a newline) gets the line and column a plain count gives,
 * and every line its text. */
static void test_linecol_sampled(void **st)
{
	char buf[8192];
	size_t len = 0;
	for (unsigned i = 0; i < 5 * FL_LINE_STRIDE + 3; i++) {
		unsigned w = (i * 7) % 13;   /* 0..12 bytes, some lines empty */
		for (unsigned k = 0; k < w; k++)
			buf[len++] = (char)('a' + k);
		buf[len++] = '\n';
	}
	memcpy(buf + len, "tail", 4);
	len += 4;
	fl_source *s = fl_source_new(A, 0, "t", buf, len);
	assert_int_equal(s->nlines, 5 * FL_LINE_STRIDE + 4);
	unsigned line = 1, col = 1;
	size_t start = 0;
	for (size_t off = 0; off <= len; off++) {
		unsigned l, c;
		fl_source_linecol(s, (uint32_t)off, &l, &c);
		assert_int_equal(l, line);
		assert_int_equal(c, col);
		if (off == start) {
			size_t n;
			const char *t = fl_source_line(s, line, &n);
			assert_ptr_equal(t, s->data + start);
			const char *nl = memchr(buf + start, '\n', len - start);
			assert_int_equal(n, nl ? (size_t)(nl - buf) - start : len - start);
			assert_int_equal(fl_source_line_start(s, line - 1), start);
		}
		if (off < len && buf[off] == '\n') {
			line++;
			col = 1;
			start = off + 1;
		} else {
			col++;
		}
	}
	size_t n;
	assert_null(fl_source_line(s, s->nlines + 1, &n));
	/* the same through a hint, in file order with steps of 1 to 400
	 * bytes (past a stride of lines too) */
	for (size_t step = 1; step <= 400; step *= 7) {
		fl_linecol_hint h = {0};
		for (size_t off = 0; off <= len; off += step) {
			unsigned l, c, l2, c2;
			fl_source_linecol(s, (uint32_t)off, &l, &c);
			fl_source_linecol_near(s, &h, (uint32_t)off, &l2, &c2);
			assert_int_equal(l2, l);
			assert_int_equal(c2, c);
		}
	}
}

/* The root of `yaml`, a one-document stream that must parse, and its
 * source in *srcp when srcp is not NULL. */
/* The root of one-document `yaml`, its tree in arena `tree` (its source
 * in A, into *srcp unless NULL). */
static const fl_ynode *parse_root_in(fl_arena *tree, const char *yaml, fl_source **srcp)
{
	fl_source *s = fl_source_new(A, 0, "t", yaml, strlen(yaml));
	fl_diags d = {.arena = A};
	fl_ylimits lim = {64, 100000, 100};
	fl_ydoc *docs;
	uint32_t nd;
	assert_int_equal(fl_yaml_parse(tree, s, &lim, &d, &docs, &nd), 0);
	assert_int_equal(nd, 1);
	if (srcp)
		*srcp = s;
	return docs[0].root;
}

static const fl_ynode *parse_root(const char *yaml, fl_source **srcp)
{
	return parse_root_in(A, yaml, srcp);
}

/* Parses `yaml` (a map with key `k`), maps the decoded value of `k`, and
 * checks that decoded byte `i` comes from the file byte where `needle`
 * occurs (the `occ`-th occurrence). */
static const fl_ynode *value_of(const char *yaml, fl_text *out, fl_source **srcp)
{
	fl_source *s;
	const fl_ynode *v = fl_ymap_get(parse_root(yaml, &s), "k", NULL);
	assert_non_null(v);
	assert_int_equal(fl_yscalar_text(A, s, v, out), 0);
	*srcp = s;
	return v;
}

static void expect_at(const fl_text *t, const fl_source *s, const char *decoded_sub,
		      const char *file_sub)
{
	const char *d = strstr(t->s, decoded_sub);
	const char *f = strstr(s->data, file_sub);
	assert_non_null(d);
	assert_non_null(f);
	assert_int_equal(fl_text_pos(t, (uint32_t)(d - t->s)).off, (uint32_t)(f - s->data));
}

/* The word-at-a-time line map against a byte loop: bytes one bit away
 * from a newline, runs of newlines, and every length of buffer tail. */
static void test_line_map_words(void **st)
{
	static const unsigned char alphabet[] = {'\n', '\n', 0x8a, 0x0b, 0x09, 0x00, 0xff,
						 0x0e, 0x2a, 'x'};
	unsigned char buf[700];
	uint32_t seed = 12345;
	for (size_t len = 0; len <= sizeof buf; len += len < 80 ? 1 : 37) {
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alphabet[(seed >> 16) % sizeof alphabet];
		}
		fl_source *s = fl_source_new(A, 0, "t", (const char *)buf, len);
		assert_non_null(s);
		uint32_t line = 0, start = 0;
		for (size_t i = 0; i <= len; i++) {
			if (i == len || buf[i] == '\n') {
				assert_int_equal(fl_source_line_start(s, line), start);
				line++;
				start = (uint32_t)i + 1;
			}
		}
		assert_int_equal(s->nlines, line);
	}
}

static void test_plain_multiline(void **st)
{
	fl_text t;
	fl_source *s;
	value_of("k: evt.type = open\n   and proc.name = cat\n", &t, &s);
	assert_string_equal(t.s, "evt.type = open and proc.name = cat");
	expect_at(&t, s, "and", "and");
	expect_at(&t, s, "cat", "cat");
	/* the folded space maps to the line break */
	assert_int_equal(fl_text_pos(&t, 15).off, (uint32_t)(strchr(s->data, '\n') - s->data));
	assert_int_equal(fl_text_pos(&t, t.len).off, (uint32_t)(strstr(s->data, "cat") - s->data + 3));
}

static void test_double_quoted_escapes(void **st)
{
	fl_text t;
	fl_source *s;
	value_of("k: \"a\\tb \\\"q\\\" \\x41 \\u00e9 z\"\n", &t, &s);
	assert_string_equal(t.s, "a\tb \"q\" A \xc3\xa9 z");
	expect_at(&t, s, "q", "q");
	expect_at(&t, s, "A", "\\x41");
	expect_at(&t, s, "\xc3\xa9", "\\u00e9");
	expect_at(&t, s, "z", "z");
}

static void test_double_quoted_multiline(void **st)
{
	fl_text t;
	fl_source *s;
	value_of("k: \"one \\\n    two\n    three\"\n", &t, &s);
	assert_string_equal(t.s, "one two three");
	expect_at(&t, s, "two", "two");
	expect_at(&t, s, "three", "three");
}

static void test_single_quoted(void **st)
{
	fl_text t;
	fl_source *s;
	value_of("k: 'it''s a\n  b'\n", &t, &s);
	assert_string_equal(t.s, "it's a b");
	expect_at(&t, s, "s a", "s a");
	expect_at(&t, s, "b", "b'");
}

static void test_folded(void **st)
{
	fl_text t;
	fl_source *s;
	value_of("k: >\n  spawned_process\n  and proc.name = x\n\n  and y\n", &t, &s);
	assert_string_equal(t.s, "spawned_process and proc.name = x\nand y\n");
	expect_at(&t, s, "spawned", "spawned");
	expect_at(&t, s, "proc", "proc");
	expect_at(&t, s, "y", "y\n");
}

static void test_literal(void **st)
{
	fl_text t;
	fl_source *s;
	value_of("k: |-\n    a = 1\n      b\n    c\n", &t, &s);
	assert_string_equal(t.s, "a = 1\n  b\nc");
	expect_at(&t, s, "1", "1");
	expect_at(&t, s, "b", "b");
	expect_at(&t, s, "c", "c");
}

/* Positions of a built text equal those of a per-byte reference, through
 * copies, constant runs, truncation and joins; runs stay few. */
static void test_text_runs(void **st)
{
	const fl_run r[] = {{0, 100, 1, 1}, {5, 200, 1, 1}, {8, 300, 2, 0}};
	fl_text t = {.s = "abcdefghijkl", .len = 12, .nruns = 3, .runs = r};
	assert_int_equal(fl_text_pos(&t, 0).off, 100);
	assert_int_equal(fl_text_pos(&t, 4).off, 104);
	assert_int_equal(fl_text_pos(&t, 5).off, 200);
	assert_int_equal(fl_text_pos(&t, 7).off, 202);
	assert_int_equal(fl_text_pos(&t, 8).src, 2);
	assert_int_equal(fl_text_pos(&t, 11).off, 300);
	assert_int_equal(fl_text_pos(&t, 12).off, 300);

	fl_text_builder b = {.a = A, .with_pos = 1};
	fl_tbuild_copy(&b, &t, 2, 7, (fl_pos){9, 9});   /* cde|fg */
	fl_tbuild_put(&b, "XY", 2, (fl_pos){1, 50});
	fl_tbuild_copy(&b, &t, 7, 8, (fl_pos){1, 203}); /* h continues fg */
	fl_text o;
	assert_int_equal(fl_tbuild_done(&b, &o), 0);
	assert_int_equal(o.len, 8);
	assert_memory_equal(o.s, "cdefgXYh", 8);
	const uint32_t want[] = {102, 103, 104, 200, 201, 50, 50, 202, 203};
	for (uint32_t i = 0; i <= o.len; i++)
		assert_int_equal(fl_text_pos(&o, i).off, want[i]);
	assert_int_equal(o.nruns, 4);   /* cde, fg, XY, h (its end continues it) */
	/* truncation drops runs; the builder goes on appending */
	fl_tbuild_truncate(&b, 5);
	fl_tbuild_put(&b, "!", 1, (fl_pos){1, 7});
	assert_int_equal(fl_tbuild_done(&b, &o), 0);
	assert_memory_equal(o.s, "cdefg!", 7);
	assert_int_equal(fl_text_pos(&o, 4).off, 201);
	assert_int_equal(fl_text_pos(&o, 5).off, 7);
	assert_int_equal(fl_text_pos(&o, 6).off, 7);

	/* trim rebases the runs */
	fl_text sp = {.s = "  ab ", .len = 5, .nruns = 1, .runs = r};
	assert_int_equal(fl_text_trim(A, &sp), 0);
	assert_int_equal(sp.len, 2);
	assert_int_equal(fl_text_pos(&sp, 0).off, 102);
	assert_int_equal(fl_text_pos(&sp, 2).off, 104);

	/* joins: the space maps to the appended piece's first byte; the second
	 * join appends in place */
	fl_text_builder j = {.a = A};
	fl_text x = {.s = "ab", .len = 2, .nruns = 1, .runs = r};
	const fl_run yr = {0, 400, 3, 1};
	fl_text y = {.s = "cd", .len = 2, .nruns = 1, .runs = &yr}, out;
	assert_int_equal(fl_text_join(&j, &x, &y, &out), 0);
	const char *first = out.s;
	assert_int_equal(fl_text_join(&j, &out, &y, &out), 0);
	assert_ptr_equal(out.s, first);
	assert_int_equal(out.len, 8);
	assert_memory_equal(out.s, "ab cd cd", 8);
	const uint32_t jw[] = {100, 101, 400, 400, 401, 400, 400, 401, 402};
	for (uint32_t i = 0; i <= out.len; i++)
		assert_int_equal(fl_text_pos(&out, i).off, jw[i]);
	assert_int_equal(fl_text_pos(&out, 2).src, 3);
}

static void test_yaml_limits(void **st)
{
	/* 300 nested flow sequences with a limit of 64: a clean diagnostic */
	char buf[700];
	memset(buf, '[', 300);
	memset(buf + 300, ']', 300);
	buf[600] = 0;
	fl_source *s = fl_source_new(A, 0, "t", buf, 600);
	fl_diags d = {.arena = A};
	fl_ylimits lim = {64, 100000, 100};
	fl_ydoc *docs;
	uint32_t nd;
	assert_int_equal(fl_yaml_parse(A, s, &lim, &d, &docs, &nd), 1);
	assert_int_equal(d.list.n, 1);
	assert_int_equal(d.list.v[0]->code, FL003);
	/* an alias bomb is shared, not copied: many aliases hit the alias limit */
	const char *bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c, *c]\n";
	s = fl_source_new(A, 0, "t", bomb, strlen(bomb));
	d.list.n = 0;
	lim.max_aliases = 5;
	assert_int_equal(fl_yaml_parse(A, s, &lim, &d, &docs, &nd), 1);
	assert_int_equal(d.list.v[0]->code, FL003);
}

/* Tags, aliases and nulls live in node flags and beside the node. */
static void test_yaml_tags_flags(void **st)
{
	const fl_ynode *r = parse_root("a: !!str null\nb: null\nc: &x !t [1]\nd: *x\ne: !m {k: ~}\n",
				       NULL);
	const fl_ynode *a = fl_ymap_get(r, "a", NULL), *b = fl_ymap_get(r, "b", NULL);
	const fl_ynode *c = fl_ymap_get(r, "c", NULL), *e = fl_ymap_get(r, "e", NULL);
	assert_string_equal(fl_ynode_tag(a), "tag:yaml.org,2002:str");
	assert_false(a->is_null);
	assert_null(fl_ynode_tag(b));
	assert_true(b->is_null);
	assert_string_equal(fl_ynode_tag(c), "!t");
	assert_int_equal(c->kind, FL_Y_SEQ);
	assert_int_equal(c->n, 1);
	assert_string_equal(c->kids[0]->str, "1");
	assert_ptr_equal(fl_ymap_get(r, "d", NULL), c);
	assert_true(c->is_alias);
	assert_false(a->is_alias);
	assert_string_equal(fl_ynode_tag(e), "!m");
	assert_int_equal(e->kind, FL_Y_MAP);
	assert_true(fl_ymap_get(e, "k", NULL)->is_null);
	assert_null(fl_ynode_tag(r));
}

/* Spans are byte offsets both in ASCII files (libyaml's character index)
 * and in UTF-8 ones (line map and columns), CRLF line ends included. */
static void test_yaml_span_offsets(void **st)
{
	const char *ys[] = {"a: x\r\nbb: [y, zz]\r\nc: 'q'\n",
			    "\xc3\xa9: x\r\nbb: [y, zz]\r\nc: 'q'\n"};
	for (int i = 0; i < 2; i++) {
		const fl_ynode *root = parse_root(ys[i], NULL);
		const fl_ynode *bb = fl_ymap_get(root, "bb", NULL);
		const fl_ynode *c = fl_ymap_get(root, "c", NULL);
		uint32_t at = (uint32_t)(strstr(ys[i], "[y") - ys[i]);
		assert_int_equal(bb->span.start, at);
		assert_int_equal(bb->span.end, at + 7);
		assert_int_equal(bb->kids[1]->span.start, at + 4);
		assert_int_equal(bb->kids[1]->span.end, at + 6);
		at = (uint32_t)(strstr(ys[i], "'q'") - ys[i]);
		assert_int_equal(c->span.start, at);
		assert_int_equal(c->span.end, at + 3);
	}
}

/* fl_ynode_copy moves a subtree out of its tree (values, keys and tags
 * copied), alias targets copied once. */
static void test_yaml_split_copy(void **st)
{
	const char *y = "- &a !t {k: v, l: [x, y]}\n"
			"- &b [*a, *a, *a]\n"
			"- [*b, *b, {key: *a}]\n";
	fl_arena *tree = fl_arena_new();
	assert_non_null(tree);
	fl_ycopy m = {.a = A};
	const fl_ynode *src = parse_root_in(tree, y, NULL)->kids[2];
	size_t before = fl_arena_used(A);
	fl_ynode *c = fl_ynode_copy(&m, src);
	assert_non_null(c);
	/* the anchored map is copied once however often it is reached: the
	 * copy is a few hundred bytes, not one map per path to it */
	assert_true(fl_arena_used(A) - before < 4096);
	fl_arena_free(tree);
	assert_int_equal(c->kind, FL_Y_SEQ);
	assert_int_equal(c->n, 3);
	const fl_ynode *b = c->kids[0], *km = c->kids[2];
	assert_ptr_equal(c->kids[1], b);
	assert_int_equal(b->n, 3);
	const fl_ynode *a = b->kids[0];
	assert_ptr_equal(b->kids[2], a);
	assert_ptr_equal(fl_ymap_get(km, "key", NULL), a);
	assert_string_equal(fl_ynode_tag(a), "!t");
	assert_string_equal(fl_ymap_get(a, "k", NULL)->str, "v");
	const fl_ynode *l = fl_ymap_get(a, "l", NULL);
	assert_string_equal(l->kids[1]->str, "y");
	assert_int_equal(l->kids[1]->span.start, (uint32_t)(strstr(y, "y]") - y));
	assert_null(fl_ynode_copy(&m, NULL));
}

/* Unpacked nodes equal the parsed ones in everything a reader sees. */
static void assert_same_node(const fl_ynode *a, const fl_ynode *b)
{
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->style, b->style);
	assert_int_equal(a->is_null, b->is_null);
	assert_int_equal(a->span.src, b->span.src);
	assert_int_equal(a->span.start, b->span.start);
	assert_int_equal(a->span.end, b->span.end);
	if (a->kind == FL_Y_SCALAR) {
		assert_int_equal(a->len, b->len);
		assert_memory_equal(a->str, b->str, a->len + 1);
		return;
	}
	assert_int_equal(a->n, b->n);
	for (uint32_t i = 0; i < (a->kind == FL_Y_MAP ? 2 * a->n : a->n); i++)
		assert_same_node(a->kids[i], b->kids[i]);
}

/* fl_ypack_make / fl_ypack_unpack round-trip every scalar style (values
 * that are their file text and values that are not), nested and empty
 * collections (deeper than the unpacker's first stack), NULL roots, roots
 * out of file order and offsets that need long varints; alias targets and
 * tagged nodes are shared copies, the same for every pack of one
 * fl_ycopy; the pack is a fraction of a copy. */
static void test_yaml_pack(void **st)
{
	char y[40000];
	memset(y, '#', 30000);
	y[30000] = '\n';
	strcpy(y + 30001,
	       "a: &x [1, {k: v}]\n"
	       "b:\n"
	       "  - plain\n"
	       "  - 'it''s'\n"
	       "  - \"esc\\tx\\0y\"\n"
	       "  - \"raw dq\"\n"
	       "  - ''\n"
	       "  - ~\n"
	       "  -\n"
	       "  - multi\n"
	       "    line\n"
	       "  - |\n"
	       "    lit\n"
	       "  - >\n"
	       "    fold\n"
	       "  - [n1, [n2, {k: v, k2: [w]}]]\n"
	       "  - {}\n"
	       "  - []\n"
	       "  - [[[[[[[[[[[deep]]]]]]]]]]]\n"
	       "  - *x\n"
	       "  - !m {t: u}\n"
	       "c: *x\n");
	fl_source *s;
	fl_arena *tree = fl_arena_new();
	assert_non_null(tree);
	const fl_ynode *root = parse_root_in(tree, y, &s);
	const fl_ynode *a = fl_ymap_get(root, "a", NULL), *b = fl_ymap_get(root, "b", NULL);
	const fl_ynode *c = fl_ymap_get(root, "c", NULL);
	const fl_ynode *roots[3] = {b, NULL, a};
	fl_arena *keep = fl_arena_new();
	assert_non_null(keep);
	fl_ycopy m = {.a = keep};
	fl_ypack *p = fl_ypack_make(&m, s, roots, 3);
	fl_ypack *p2 = fl_ypack_make(&m, s, &c, 1);
	assert_non_null(p);
	assert_non_null(p2);
	/* the nested sequence of plain scalars: 10 nodes, 9 kids and their
	 * strings as copies, a few bytes a node packed */
	fl_arena *ka = fl_arena_new(), *kb = fl_arena_new();
	assert_true(ka && kb);
	fl_ycopy mp = {.a = ka}, mc = {.a = kb};
	const fl_ynode *nested = b->kids[10];
	assert_non_null(fl_ypack_make(&mp, s, &nested, 1));
	size_t used = fl_arena_used(ka);  /* mp's walk stack made */
	assert_non_null(fl_ypack_make(&mp, s, &nested, 1));
	assert_non_null(fl_ynode_copy(&mc, nested));
	assert_true((fl_arena_used(ka) - used) * 6 < fl_arena_used(kb));
	fl_arena_free(ka);
	fl_arena_free(kb);
	fl_arena_free(tree);

	/* the same tree parsed again, to compare with */
	root = parse_root(y, NULL);
	a = fl_ymap_get(root, "a", NULL);
	b = fl_ymap_get(root, "b", NULL);
	fl_ynode *out[3], *out2;
	assert_int_equal(fl_ypack_unpack(A, s, p, out), 0);
	assert_int_equal(fl_ypack_unpack(A, s, p2, &out2), 0);
	assert_null(out[1]);
	assert_same_node(b, out[0]);
	assert_same_node(a, out[2]);
	assert_ptr_equal(out[2], out[0]->kids[b->n - 2]);
	assert_ptr_equal(out[2], out2);
	assert_string_equal(fl_ynode_tag(out[0]->kids[b->n - 1]), "!m");
	assert_int_equal(out[0]->kids[2]->len, 7);  /* the escaped NUL kept */
	assert_string_equal(out[0]->kids[1]->str, "it's");
	assert_string_equal(out[0]->kids[7]->str, "multi line");
	/* a pack is read with the source it names */
	fl_source *other = fl_source_new(A, 1, "u", y, strlen(y));
	assert_int_equal(fl_ypack_unpack(A, other, p, out), FL_EUSAGE);
	fl_arena_free(keep);
}

/* What a stream sink saw: item values (first scalar found) and documents. */
typedef struct seen {
	char log[256];
	size_t n;
} seen;

static void logs(seen *w, const char *s)
{
	size_t l = strlen(s);
	if (w->n + l + 1 < sizeof w->log) {
		memcpy(w->log + w->n, s, l);
		w->n += l;
		w->log[w->n++] = ' ';
		w->log[w->n] = 0;
	}
}

static int sink_item(void *ctx, const fl_ynode *n)
{
	/* an item may reach a node of an earlier item through an alias */
	while (n->kind != FL_Y_SCALAR)
		n = n->kind == FL_Y_MAP ? FL_YVAL(n, 0) : n->kids[n->n - 1];
	logs(ctx, n->str);
	return 0;
}

static int sink_doc(void *ctx, const fl_ydoc *d)
{
	logs(ctx, !d->root ? "<empty>" : d->root->kind == FL_Y_MAP ? "<map>" : "<other>");
	return 0;
}

/* fl_yaml_stream hands items over one by one, keeps anchored items alive
 * for later aliases, and reports an error after the items before it. */
static void test_yaml_stream(void **st)
{
	const char *y = "- a: one\n- &x {b: two}\n- [three, *x]\n- four\n"
			"---\nk: v\n---\n- five\n";
	fl_source *s = fl_source_new(A, 0, "t", y, strlen(y));
	fl_diags d = {.arena = A};
	fl_ylimits lim = {64, 100000, 100};
	seen w = {{0}, 0};
	fl_ysink sink = {sink_item, sink_doc, &w};
	uint32_t n;
	assert_int_equal(fl_yaml_stream(s, &lim, &d, &sink, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(w.log, "one two two four <map> five ");
	assert_int_equal(d.list.n, 0);

	const char *bad = "- a: one\n- b: two\n- c: [three\n- d: four\n";
	s = fl_source_new(A, 0, "t", bad, strlen(bad));
	w.n = 0;
	w.log[0] = 0;
	assert_int_equal(fl_yaml_stream(s, &lim, &d, &sink, &n), 1);
	assert_int_equal(n, 2);
	assert_string_equal(w.log, "one two ");
	assert_int_equal(d.list.n, 1);
	assert_int_equal(d.list.v[0]->code, FL002);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linecol),
		cmocka_unit_test(test_linecol_sampled),
		cmocka_unit_test(test_line_map_words),
		cmocka_unit_test(test_plain_multiline),
		cmocka_unit_test(test_double_quoted_escapes),
		cmocka_unit_test(test_double_quoted_multiline),
		cmocka_unit_test(test_single_quoted),
		cmocka_unit_test(test_folded),
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_yaml_limits),
		cmocka_unit_test(test_text_runs),
		cmocka_unit_test(test_yaml_tags_flags),
		cmocka_unit_test(test_yaml_span_offsets),
		cmocka_unit_test(test_yaml_split_copy),
		cmocka_unit_test(test_yaml_pack),
		cmocka_unit_test(test_yaml_stream),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
