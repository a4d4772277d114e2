/* test_evalops.c — truth tables of the evaluator's value semantics: Kleene
 * logic, every operator and modifier on every value kind, unknown and absent
 * values, regex (RE2 POSIX, full match), pmatch, transformers, and the
 * membership index of big lists (fl_vset), which must answer as the scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "evalops.h"
#include "falcolint.h"

static fl_arena *A;
static fl_opctx *C;

static int setup(void **st)
{
	(void)st;
	A = fl_arena_new();
	C = fl_opctx_new(A);
	return A && C ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	fl_opctx_release(C);
	fl_arena_free(A);
	return 0;
}

/* Reads "op" or "op modifier" ("startswith oneof") as the parser puts it
 * in the AST: 0, or -1 when it is no operator or the operator takes no
 * modifier. */
static int parse_op(const char *s, fl_op *op, fl_modifier *mod)
{
	const char *sp = strchr(s, ' ');
	size_t n = sp ? (size_t)(sp - s) : strlen(s);
	int o = fl_op_lookup(s, n);
	if (o < 0)
		return -1;
	*op = (fl_op)o;
	*mod = FL_MOD_NONE;
	if (!sp)
		return 0;
	int m = fl_modifier_lookup(sp + 1, strlen(sp + 1));
	if (m < 0 || !fl_op_modifiable(*op))
		return -1;
	*mod = (fl_modifier)m;
	return 0;
}

/* Compares `lhs` with op string `ops` against literals lits[0..n) parsed
 * for lhs's kind (STR when lhs is unknown/none). */
static fl_tv cmpv(const fl_value *lhs, const char *ops, const char *const *lits,
		  size_t n, int *rcp)
{
	fl_op op;
	fl_modifier mod;
	assert_int_equal(parse_op(ops, &op, &mod), 0);
	fl_vkind k = lhs->kind;
	if (k == FL_V_LIST)
		k = lhs->n ? lhs->items[0].kind : FL_V_STR;
	if (k == FL_V_UNKNOWN || k == FL_V_NONE)
		k = FL_V_STR;
	fl_value rhs[16];
	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(fl_literal_parse(A, op, k, lits[i], strlen(lits[i]),
						  &rhs[i]), 0);
	fl_tv out = FL_UNKNOWN;
	int rc = fl_compare(C, op, mod, lhs, rhs, n, &out);
	if (rcp)
		*rcp = rc;
	else
		assert_int_equal(rc, 0);
	return out;
}

#define L(...) ((const char *const[]){__VA_ARGS__})
#define N(...) (sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))
static fl_tv sv(const char *lhs, const char *ops, const char *const *lits,
	       size_t n)
{
	fl_value l = fl_value_str(lhs);
	return cmpv(&l, ops, lits, n, NULL);
}
#define S(lhs, ops, ...) sv(lhs, ops, L(__VA_ARGS__), N(__VA_ARGS__))

static void test_kleene(void **st)
{
	(void)st;
	const fl_tv F = FL_FALSE, T = FL_TRUE, U = FL_UNKNOWN;
	const fl_tv vals[3] = {F, T, U};
	/* and/or tables indexed [a][b] over F, T, U */
	const fl_tv and_t[3][3] = {{F, F, F}, {F, T, U}, {F, U, U}};
	const fl_tv or_t[3][3] = {{F, T, U}, {T, T, T}, {U, T, U}};
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			assert_int_equal(fl_tv_and(vals[i], vals[j]), and_t[i][j]);
			assert_int_equal(fl_tv_or(vals[i], vals[j]), or_t[i][j]);
		}
	assert_int_equal(fl_tv_not(F), T);
	assert_int_equal(fl_tv_not(T), F);
	assert_int_equal(fl_tv_not(U), U);
	assert_string_equal(fl_tv_name(U), "unknown");
}

static void test_parse_ops(void **st)
{
	(void)st;
	fl_op op;
	fl_modifier mod;
	assert_int_equal(parse_op("==", &op, &mod), 0);
	assert_int_equal(op, FL_OP_EQEQ);
	assert_int_equal(parse_op("startswith oneof", &op, &mod), 0);
	assert_int_equal(op, FL_OP_STARTSWITH);
	assert_int_equal(mod, FL_MOD_ONEOF);
	assert_int_equal(parse_op("!= allof", &op, &mod), 0);
	assert_int_equal(mod, FL_MOD_ALLOF);
	assert_int_equal(parse_op("in anyof", &op, &mod), -1);
	assert_int_equal(parse_op("like", &op, &mod), -1);
	assert_string_equal(fl_op_text(FL_OP_PMATCH), "pmatch");
	/* == compares as = on every kind */
	fl_value s = fl_value_str("a"), u = fl_value_uint(3), b = fl_value_bool(1);
	fl_value rs = fl_value_str("a"), ru = fl_value_uint(3), rb = fl_value_bool(1);
	fl_tv t1, t2;
	assert_int_equal(fl_compare(C, FL_OP_EQEQ, FL_MOD_NONE, &s, &rs, 1, &t1), 0);
	assert_int_equal(t1, FL_TRUE);
	assert_int_equal(fl_compare(C, FL_OP_EQEQ, FL_MOD_NONE, &u, &ru, 1, &t1), 0);
	assert_int_equal(t1, FL_TRUE);
	assert_int_equal(fl_compare(C, FL_OP_EQEQ, FL_MOD_NONE, &b, &rb, 1, &t1), 0);
	assert_int_equal(t1, FL_TRUE);
	for (int k = FL_V_UNKNOWN; k <= FL_V_LIST; k++)
		assert_int_equal(fl_op_applies(FL_OP_EQEQ, (fl_vkind)k),
				 fl_op_applies(FL_OP_EQ, (fl_vkind)k));
	rs = fl_value_str("b");
	assert_int_equal(fl_compare(C, FL_OP_EQEQ, FL_MOD_ONEOF, &s, &rs, 1, &t1), 0);
	assert_int_equal(fl_compare(C, FL_OP_EQ, FL_MOD_ONEOF, &s, &rs, 1, &t2), 0);
	assert_int_equal(t1, t2);
}

static void test_string_ops(void **st)
{
	(void)st;
	assert_int_equal(S("runc", "=", "runc"), FL_TRUE);
	assert_int_equal(S("runc", "==", "Runc"), FL_FALSE);
	assert_int_equal(S("runc", "!=", "crun"), FL_TRUE);
	assert_int_equal(S("abc", "<", "abd"), FL_TRUE);
	assert_int_equal(S("abc", ">=", "abc"), FL_TRUE);
	assert_int_equal(S("abc", ">", "abc"), FL_FALSE);
	assert_int_equal(S("memfd:runc_cloned", "contains", "runc"), FL_TRUE);
	assert_int_equal(S("memfd:runc_cloned", "contains", "RUNC"), FL_FALSE);
	assert_int_equal(S("memfd:runc_cloned", "contains", ""), FL_TRUE);
	/* icontains folds ASCII case only (C locale) */
	assert_int_equal(S("memfd:runc_cloned", "icontains", "RUNC"), FL_TRUE);
	assert_int_equal(S("\xc3\x84pfel", "icontains", "\xc3\xa4"), FL_FALSE);
	assert_int_equal(S("/usr/bin/runc", "startswith", "/usr/"), FL_TRUE);
	assert_int_equal(S("/usr/bin/runc", "startswith", "usr"), FL_FALSE);
	assert_int_equal(S("/usr/bin/runc", "startswith", ""), FL_TRUE);
	assert_int_equal(S("/usr/bin/runc", "endswith", "/runc"), FL_TRUE);
	assert_int_equal(S("runc", "endswith", "/usr/bin/runc"), FL_FALSE);
	/* glob is fnmatch without FNM_PATHNAME: * crosses '/' */
	assert_int_equal(S("/usr/bin/runc", "glob", "/usr/*"), FL_TRUE);
	assert_int_equal(S("/usr/bin/runc", "glob", "/USR/*"), FL_FALSE);
	assert_int_equal(S("/usr/bin/runc", "iglob", "/USR/*"), FL_TRUE);
	assert_int_equal(S("5", "glob", "[0-9]"), FL_TRUE);
	assert_int_equal(S("55", "glob", "[0-9]"), FL_FALSE);
	assert_int_equal(S("memfd:x", "glob", "memfd:?"), FL_TRUE);
}

static void test_in_and_modifiers(void **st)
{
	(void)st;
	assert_int_equal(S("runc", "in", "crun", "runc"), FL_TRUE);
	assert_int_equal(S("5", "in", "runc"), FL_FALSE);
	/* in () is false */
	fl_value l = fl_value_str("runc");
	assert_int_equal(cmpv(&l, "in", NULL, 0, NULL), FL_FALSE);
	assert_int_equal(S("runc", "intersects", "runc"), FL_TRUE);
	assert_int_equal(S("/usr/bin/runc", "startswith oneof", "/usr", "/usr/bin"),
			 FL_FALSE);
	assert_int_equal(S("/usr/bin/runc", "startswith oneof", "/usr", "/etc"),
			 FL_TRUE);
	assert_int_equal(S("/usr/bin/runc", "startswith anyof", "/usr", "/usr/bin"),
			 FL_TRUE);
	assert_int_equal(S("/usr/bin/runc", "startswith allof", "/usr", "/usr/bin"),
			 FL_TRUE);
	assert_int_equal(S("/usr/bin/runc", "startswith allof", "/usr", "/etc"),
			 FL_FALSE);
	assert_int_equal(S("runc", "!= allof", "crun", "youki"), FL_TRUE);
	assert_int_equal(S("runc", "!= allof", "crun", "runc"), FL_FALSE);
	assert_int_equal(S("runc", "= anyof", "crun", "runc"), FL_TRUE);
	assert_int_equal(S("runc", "regex anyof", "cr.*", "ru.*"), FL_TRUE);
	assert_int_equal(S("runc", "regex oneof", "r.*", "ru.*"), FL_FALSE);
	/* modifier with an empty list is false */
	assert_int_equal(cmpv(&l, "= anyof", NULL, 0, NULL), FL_FALSE);
}

static void test_pmatch(void **st)
{
	(void)st;
	assert_int_equal(S("/var/run/docker", "pmatch", "/var/run", "/etc"), FL_TRUE);
	assert_int_equal(S("/boot", "pmatch", "/var/run", "/etc"), FL_FALSE);
	assert_int_equal(S("/var/lib/messages", "pmatch", "/var/run"), FL_FALSE);
	assert_int_equal(S("/var", "pmatch", "/var/run"), FL_FALSE);
	assert_int_equal(S("/var/run", "pmatch", "/var/run"), FL_TRUE);
	/* components, not characters: /var/runner is not under /var/run */
	assert_int_equal(S("/var/runner", "pmatch", "/var/run"), FL_FALSE);
	/* a component with glob characters is matched with fnmatch */
	assert_int_equal(S("/home/bob/.ssh/id", "pmatch", "/home/*/.ssh"), FL_TRUE);
	assert_int_equal(S("/anything", "pmatch", "/"), FL_TRUE);
	/* empty components are skipped, so a leading slash does not matter */
	assert_int_equal(S("memfd:runc_cloned:/proc/self/exe", "pmatch",
			   "/memfd:runc_cloned:/proc/self/exe"), FL_TRUE);
	assert_int_equal(S("/usr//bin/x", "pmatch", "/usr/bin"), FL_TRUE);
}

static void test_regex(void **st)
{
	(void)st;
	/* full match, not a search */
	assert_int_equal(S("runc", "regex", "run"), FL_FALSE);
	assert_int_equal(S("runc", "regex", "ru.c"), FL_TRUE);
	assert_int_equal(S("5", "regex", "[0-9]+"), FL_TRUE);
	assert_int_equal(S("5 init", "regex", "[0-9]+"), FL_FALSE);
	assert_int_equal(S("memfd:runc_cloned:/proc/self/exe", "regex",
			   "/?memfd:runc_cloned:/proc/self/exe"), FL_TRUE);
	assert_int_equal(S("abc", "regex", "a|abc"), FL_TRUE);
	assert_int_equal(S("ab", "regex", "[[:alpha:]]+"), FL_TRUE);
	/* RE2 POSIX syntax refuses Perl classes, (?...) and lazy quantifiers */
	int rc;
	fl_value l = fl_value_str("5");
	cmpv(&l, "regex", L("\\d"), 1, &rc);
	assert_int_equal(rc, FL_EUSAGE);
	char msg[128];
	assert_int_equal(fl_regex_check("\\d+", 3, msg, sizeof msg), FL_EUSAGE);
	assert_string_equal(msg, "invalid escape sequence: \\d");
	assert_int_equal(fl_regex_check("(?i)x", 5, msg, sizeof msg), FL_EUSAGE);
	assert_int_equal(fl_regex_check("a*?", 3, msg, sizeof msg), FL_EUSAGE);
	assert_int_equal(fl_regex_check("(a", 2, msg, sizeof msg), FL_EUSAGE);
	assert_int_equal(fl_regex_check("a[\\]]b\\.c", 9, msg, sizeof msg), 0);
	assert_int_equal(fl_regex_check("[]a]", 4, msg, sizeof msg), 0);
	assert_int_equal(fl_regex_check("[a", 2, msg, sizeof msg), FL_EUSAGE);
	/* invalid UTF-8 in the subject is matched as U+FFFD, one per byte */
	assert_int_equal(S("a\xffz", "regex", "a.z"), FL_TRUE);
	assert_int_equal(S("a\xff\xfez", "regex", "a..z"), FL_TRUE);
	assert_int_equal(S("\xc3\xa4", "regex", "."), FL_TRUE);
}

static void test_numbers_and_bools(void **st)
{
	(void)st;
	fl_value pid = fl_value_int(42);
	assert_int_equal(cmpv(&pid, "=", L("42"), 1, NULL), FL_TRUE);
	assert_int_equal(cmpv(&pid, "!=", L("42"), 1, NULL), FL_FALSE);
	assert_int_equal(cmpv(&pid, "<", L("100"), 1, NULL), FL_TRUE);
	assert_int_equal(cmpv(&pid, ">=", L("0x2a"), 1, NULL), FL_TRUE);
	assert_int_equal(cmpv(&pid, ">", L("-1"), 1, NULL), FL_TRUE);
	assert_int_equal(cmpv(&pid, "in", L("1", "42"), 2, NULL), FL_TRUE);
	/* 010 is ten, not octal eight */
	fl_value ten = fl_value_uint(10);
	assert_int_equal(cmpv(&ten, "=", L("010"), 1, NULL), FL_TRUE);
	int rc;
	cmpv(&pid, "contains", L("4"), 1, &rc);
	assert_int_equal(rc, FL_EUSAGE);
	fl_value v;
	assert_int_equal(fl_value_parse(A, FL_V_INT, "abc", 3, &v), FL_EUSAGE);
	assert_int_equal(fl_value_parse(A, FL_V_UINT, "-1", 2, &v), FL_EUSAGE);

	fl_value b = fl_value_bool(1);
	assert_int_equal(cmpv(&b, "=", L("true"), 1, NULL), FL_TRUE);
	assert_int_equal(cmpv(&b, "=", L("false"), 1, NULL), FL_FALSE);
	assert_int_equal(cmpv(&b, "!=", L("false"), 1, NULL), FL_TRUE);
	assert_int_equal(fl_value_parse(A, FL_V_BOOL, "True", 4, &v), FL_EUSAGE);
	assert_int_equal(fl_value_parse(A, FL_V_BOOL, "1", 1, &v), FL_EUSAGE);
	cmpv(&b, "<", L("true"), 1, &rc);
	assert_int_equal(rc, FL_EUSAGE);
}

static void test_ip(void **st)
{
	(void)st;
	fl_value ip;
	assert_int_equal(fl_value_parse(A, FL_V_IP, "10.1.2.3", 8, &ip), 0);
	assert_int_equal(cmpv(&ip, "=", L("10.1.2.3"), 1, NULL), FL_TRUE);
	assert_int_equal(cmpv(&ip, "=", L("10.0.0.0/8"), 1, NULL), FL_TRUE);
	assert_int_equal(cmpv(&ip, "!=", L("192.168.0.0/16"), 1, NULL), FL_TRUE);
	assert_int_equal(cmpv(&ip, "in", L("192.168.0.0/16", "10.1.0.0/16"), 2, NULL),
			 FL_TRUE);
	assert_int_equal(cmpv(&ip, "=", L("::1"), 1, NULL), FL_FALSE);
	fl_value ip6;
	assert_int_equal(fl_value_parse(A, FL_V_IP, "2001:db8::1", 11, &ip6), 0);
	assert_int_equal(cmpv(&ip6, "=", L("2001:db8::/32"), 1, NULL), FL_TRUE);
	assert_string_equal(fl_value_format(A, &ip6), "2001:db8::1");
}

static void test_buffers(void **st)
{
	(void)st;
	fl_value b = {0};
	b.kind = FL_V_BUF;
	b.s = "\x7f" "ELF\x02";
	b.len = 5;
	assert_int_equal(cmpv(&b, "bstartswith", L("7f454c46"), 1, NULL), FL_TRUE);
	assert_int_equal(cmpv(&b, "bcontains", L("4c46"), 1, NULL), FL_TRUE);
	assert_int_equal(cmpv(&b, "bcontains", L("4c47"), 1, NULL), FL_FALSE);
	fl_value v;
	assert_int_equal(fl_literal_parse(A, FL_OP_BCONTAINS, FL_V_BUF, "4g", 2, &v),
			 FL_EUSAGE);
	assert_int_equal(fl_literal_parse(A, FL_OP_BCONTAINS, FL_V_BUF, "abc", 3, &v),
			 FL_EUSAGE);
	/* strings refuse byte operators, as flt_is_comparable_string does */
	assert_false(fl_op_applies(FL_OP_BCONTAINS, FL_V_STR));
}

/* Every operator on an unknown value is unknown; on an absent value false. */
static void test_unknown_and_absent(void **st)
{
	(void)st;
	fl_value u = fl_value_unknown(), none = fl_value_none();
	fl_value lit = fl_value_str("x");
	for (int op = 0; op < FL_NOPS; op++) {
		if (op == FL_OP_BCONTAINS || op == FL_OP_BSTARTSWITH)
			continue;
		fl_tv out;
		assert_int_equal(fl_compare(C, (fl_op)op, FL_MOD_NONE, &u, &lit, 1,
					    &out), 0);
		assert_int_equal(out, FL_UNKNOWN);
		assert_int_equal(fl_compare(C, (fl_op)op, FL_MOD_NONE, &none, &lit,
					    1, &out), 0);
		assert_int_equal(out, FL_FALSE);
	}
	/* exists on a known value */
	fl_value s = fl_value_str("");
	fl_tv out;
	assert_int_equal(fl_compare(C, FL_OP_EXISTS, FL_MOD_NONE, &s, NULL, 0, &out), 0);
	assert_int_equal(out, FL_TRUE);
	/* negation keeps unknown unknown: not (unknown = x) */
	assert_int_equal(fl_tv_not(FL_UNKNOWN), FL_UNKNOWN);
	/* a val() right-hand side that is unknown / absent */
	fl_value l = fl_value_str("runc");
	assert_int_equal(fl_compare(C, FL_OP_EQ, FL_MOD_NONE, &l, &u, 1, &out), 0);
	assert_int_equal(out, FL_UNKNOWN);
	assert_int_equal(fl_compare(C, FL_OP_NE, FL_MOD_NONE, &l, &none, 1, &out), 0);
	assert_int_equal(out, FL_FALSE);
}

static void test_list_values(void **st)
{
	(void)st;
	fl_value items[2] = {fl_value_str("a"), fl_value_str("b")};
	fl_value lst = {0};
	lst.kind = FL_V_LIST;
	lst.items = items;
	lst.n = 2;
	assert_int_equal(cmpv(&lst, "in", L("a", "b", "c"), 3, NULL), FL_TRUE);
	assert_int_equal(cmpv(&lst, "in", L("a", "c"), 2, NULL), FL_FALSE);
	assert_int_equal(cmpv(&lst, "intersects", L("b", "c"), 2, NULL), FL_TRUE);
	assert_int_equal(cmpv(&lst, "intersects", L("c"), 1, NULL), FL_FALSE);
	int rc;
	cmpv(&lst, "=", L("a"), 1, &rc);
	assert_int_equal(rc, FL_EUSAGE);
	fl_value empty = lst;
	empty.n = 0;
	assert_int_equal(cmpv(&empty, "in", L("a"), 1, NULL), FL_TRUE);
	assert_string_equal(fl_value_format(A, &lst), "(\"a\", \"b\")");
}

static void test_transformers(void **st)
{
	(void)st;
	fl_value in = fl_value_str("/usr/Bin/RunC"), out;
	assert_int_equal(fl_xform_apply(A, FL_XF_TOLOWER, &in, &out), 0);
	assert_string_equal(out.s, "/usr/bin/runc");
	/* val, join, concat and getopt are not value functions */
	assert_int_equal(fl_xform_apply(A, FL_XF_JOIN, &in, &out), FL_EUSAGE);
	assert_int_equal(fl_xform_apply(A, FL_XF_VAL, &in, &out), FL_EUSAGE);
	assert_int_equal(fl_xform_apply(A, FL_XF_TOUPPER, &in, &out), 0);
	assert_string_equal(out.s, "/USR/BIN/RUNC");
	assert_int_equal(fl_xform_apply(A, FL_XF_BASENAME, &in, &out), 0);
	assert_string_equal(out.s, "RunC");
	fl_value dir = fl_value_str("/usr/bin/");
	assert_int_equal(fl_xform_apply(A, FL_XF_BASENAME, &dir, &out), 0);
	assert_string_equal(out.s, "");
	assert_int_equal(fl_xform_apply(A, FL_XF_LEN, &in, &out), 0);
	assert_int_equal(out.kind, FL_V_UINT);
	assert_int_equal(out.u, 13);
	fl_value b64 = fl_value_str("cnVuYw==");
	assert_int_equal(fl_xform_apply(A, FL_XF_B64, &b64, &out), 0);
	assert_string_equal(out.s, "runc");
	b64 = fl_value_str("cnVuYw");
	assert_int_equal(fl_xform_apply(A, FL_XF_B64, &b64, &out), 0);
	assert_string_equal(out.s, "runc");
	b64 = fl_value_str("not base64!");
	assert_int_equal(fl_xform_apply(A, FL_XF_B64, &b64, &out), 0);
	assert_int_equal(out.kind, FL_V_NONE);
	fl_value u = fl_value_unknown();
	assert_int_equal(fl_xform_apply(A, FL_XF_TOLOWER, &u, &out), 0);
	assert_int_equal(out.kind, FL_V_UNKNOWN);
	fl_value num = fl_value_int(3);
	assert_int_equal(fl_xform_apply(A, FL_XF_TOLOWER, &num, &out), FL_EUSAGE);
	fl_value items[3] = {fl_value_str("A"), fl_value_str("B"), fl_value_str("C")};
	fl_value lst = {0};
	lst.kind = FL_V_LIST;
	lst.items = items;
	lst.n = 3;
	assert_int_equal(fl_xform_apply(A, FL_XF_LEN, &lst, &out), 0);
	assert_int_equal(out.u, 3);
	assert_int_equal(fl_xform_apply(A, FL_XF_TOLOWER, &lst, &out), 0);
	assert_string_equal(out.items[2].s, "c");
}

static void test_coerce_and_format(void **st)
{
	(void)st;
	fl_value five = fl_value_int(5), out;
	assert_int_equal(fl_value_coerce(A, &five, FL_V_STR, &out), 0);
	assert_int_equal(out.kind, FL_V_STR);
	assert_string_equal(out.s, "5");
	fl_value t = fl_value_str("true");
	assert_int_equal(fl_value_coerce(A, &t, FL_V_BOOL, &out), 0);
	assert_int_equal(out.u, 1);
	fl_value bad = fl_value_str("yes");
	assert_int_equal(fl_value_coerce(A, &bad, FL_V_BOOL, &out), FL_EUSAGE);
	assert_string_equal(fl_value_format(A, &five), "5");
	fl_value s = fl_value_str("5");
	assert_string_equal(fl_value_format(A, &s), "\"5\"");
	fl_value u = fl_value_unknown();
	assert_string_equal(fl_value_format(A, &u), "unknown");
}

/* fl_compare_set with an index must answer exactly as the scan: every
 * operator that takes a list, every kind, a list-valued left side. */
static void same_as_scan(fl_op op, const fl_value *lhs, const fl_value *rhs,
			 size_t n, const fl_vset *set)
{
	fl_tv a = FL_UNKNOWN, b = FL_UNKNOWN;
	int ra = fl_compare(C, op, FL_MOD_NONE, lhs, rhs, n, &a);
	int rb = fl_compare_set(C, op, FL_MOD_NONE, lhs, rhs, n, set, &b);
	assert_int_equal(ra, rb);
	if (!ra)
		assert_int_equal(a, b);
}

static void test_value_sets(void **st)
{
	(void)st;
	enum { NS = 40 };
	fl_value sv_[NS], iv[NS], uv[NS], bv[2];
	for (int i = 0; i < NS; i++) {
		const char *t = fl_arena_printf(A, "bin%d", i);
		assert_int_equal(fl_value_parse(A, FL_V_STR, t, strlen(t), &sv_[i]), 0);
		iv[i] = fl_value_int(i - 20);
		uv[i] = fl_value_uint((uint64_t)i * 1000u);
	}
	sv_[NS - 1] = fl_value_str("bin0"); /* a duplicate */
	bv[0] = fl_value_bool(1);
	bv[1] = fl_value_bool(1);
	const fl_vset *ss, *is, *us, *bs, *none;
	assert_int_equal(fl_vset_new(A, sv_, NS, &ss), 0);
	assert_int_equal(fl_vset_new(A, iv, NS, &is), 0);
	assert_int_equal(fl_vset_new(A, uv, NS, &us), 0);
	assert_int_equal(fl_vset_new(A, bv, 2, &bs), 0);
	assert_non_null(ss);
	assert_non_null(is);
	assert_non_null(us);
	assert_non_null(bs);
	/* strings: exact and case-sensitive; prefixes are not members */
	const char *probes[] = {"bin0", "bin7", "bin38", "BIN7", "bin", "bin70", "", "bin7 "};
	for (size_t p = 0; p < sizeof probes / sizeof probes[0]; p++) {
		fl_value l = fl_value_str(probes[p]);
		same_as_scan(FL_OP_IN, &l, sv_, NS, ss);
		same_as_scan(FL_OP_INTERSECTS, &l, sv_, NS, ss);
	}
	fl_tv out;
	fl_value l = fl_value_str("BIN7");
	assert_int_equal(fl_compare_set(C, FL_OP_IN, FL_MOD_NONE, &l, sv_, NS, ss, &out), 0);
	assert_int_equal(out, FL_FALSE);
	l = fl_value_str("bin7");
	assert_int_equal(fl_compare_set(C, FL_OP_IN, FL_MOD_NONE, &l, sv_, NS, ss, &out), 0);
	assert_int_equal(out, FL_TRUE);
	/* numbers and booleans */
	for (int64_t x = -25; x < 25; x++) {
		fl_value li = fl_value_int(x);
		same_as_scan(FL_OP_IN, &li, iv, NS, is);
		fl_value lu = fl_value_uint((uint64_t)(x + 25) * 500u);
		same_as_scan(FL_OP_IN, &lu, uv, NS, us);
	}
	fl_value f = fl_value_bool(0), t = fl_value_bool(1);
	same_as_scan(FL_OP_IN, &f, bv, 2, bs);
	same_as_scan(FL_OP_IN, &t, bv, 2, bs);
	/* a left side of another kind is not looked up: the scan's refusal */
	fl_value wrong = fl_value_int(3);
	same_as_scan(FL_OP_IN, &wrong, sv_, NS, ss);
	/* list-valued fields: in = every item, intersects = some item */
	fl_value items[3] = {fl_value_str("bin1"), fl_value_str("bin2"), fl_value_str("zzz")};
	fl_value lst = {0};
	lst.kind = FL_V_LIST;
	lst.items = items;
	for (size_t k = 0; k <= 3; k++) {
		lst.n = k;
		same_as_scan(FL_OP_IN, &lst, sv_, NS, ss);
		same_as_scan(FL_OP_INTERSECTS, &lst, sv_, NS, ss);
	}
	lst.n = 3;
	assert_int_equal(fl_compare_set(C, FL_OP_INTERSECTS, FL_MOD_NONE, &lst, sv_, NS, ss,
					 &out), 0);
	assert_int_equal(out, FL_TRUE);
	assert_int_equal(fl_compare_set(C, FL_OP_IN, FL_MOD_NONE, &lst, sv_, NS, ss, &out), 0);
	assert_int_equal(out, FL_FALSE);
	/* unknown and absent left sides keep their meaning */
	fl_value u = fl_value_unknown(), na = fl_value_none();
	same_as_scan(FL_OP_IN, &u, sv_, NS, ss);
	same_as_scan(FL_OP_IN, &na, sv_, NS, ss);
	/* no exact index for mixed kinds, addresses, unknown values */
	fl_value mixed[2] = {fl_value_str("a"), fl_value_int(1)};
	assert_int_equal(fl_vset_new(A, mixed, 2, &none), 0);
	assert_null(none);
	fl_value ips[2];
	assert_int_equal(fl_value_parse(A, FL_V_IP, "10.0.0.0/8", 10, &ips[0]), 0);
	assert_int_equal(fl_value_parse(A, FL_V_IP, "10.0.0.1", 8, &ips[1]), 0);
	assert_int_equal(fl_vset_new(A, ips, 2, &none), 0);
	assert_null(none);
	fl_value unk[2] = {fl_value_str("a"), fl_value_unknown()};
	assert_int_equal(fl_vset_new(A, unk, 2, &none), 0);
	assert_null(none);
	assert_int_equal(fl_vset_new(A, sv_, 0, &none), 0);
	assert_null(none);
}

/* pmatch over many search paths reuses one scratch area. */
static void test_pmatch_many(void **st)
{
	(void)st;
	enum { NP = 3000 };
	fl_value *paths = fl_arena_alloc(A, NP * sizeof(*paths));
	assert_non_null(paths);
	for (int i = 0; i < NP; i++)
		paths[i] = fl_value_str(fl_arena_printf(A, "/opt/app%d", i));
	fl_value l = fl_value_str("/opt/app2999/bin/x");
	fl_tv out;
	size_t used = fl_arena_used(A);
	assert_int_equal(fl_compare(C, FL_OP_PMATCH, FL_MOD_NONE, &l, paths, NP, &out), 0);
	assert_int_equal(out, FL_TRUE);
	l = fl_value_str("/opt/app3000/bin/x");
	assert_int_equal(fl_compare(C, FL_OP_PMATCH, FL_MOD_NONE, &l, paths, NP, &out), 0);
	assert_int_equal(out, FL_FALSE);
	/* at most the scratch itself, once */
	assert_true(fl_arena_used(A) - used < 3 * 4096 * 4);
	used = fl_arena_used(A);
	assert_int_equal(fl_compare(C, FL_OP_PMATCH, FL_MOD_NONE, &l, paths, NP, &out), 0);
	assert_int_equal(fl_arena_used(A), used);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kleene),
		cmocka_unit_test(test_parse_ops),
		cmocka_unit_test(test_string_ops),
		cmocka_unit_test(test_in_and_modifiers),
		cmocka_unit_test(test_pmatch),
		cmocka_unit_test(test_regex),
		cmocka_unit_test(test_numbers_and_bools),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_buffers),
		cmocka_unit_test(test_unknown_and_absent),
		cmocka_unit_test(test_list_values),
		cmocka_unit_test(test_transformers),
		cmocka_unit_test(test_coerce_and_format),
		cmocka_unit_test(test_value_sets),
		cmocka_unit_test(test_pmatch_many),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
