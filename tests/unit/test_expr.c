/* test_expr.c — the condition front end: text → tree dump for every piece
 * of grammar and every libsinsp quirk, exact error messages and offsets,
 * recovery (all errors of a condition), depth limit, a 1 MB condition,
 * canonical text round trips, list substitution and output tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <dirent.h>
#include <yaml.h>

#include "expr.h"

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

/* Parses `in`; returns the dump and the errors as "@pos msg" lines. */
static const char *parse_dump(const char *in, const char **errtext,
			      size_t *nerr)
{
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(A, in, (uint32_t)strlen(in), 0, &errs);
	assert_non_null(e);
	char *buf = fl_arena_strdup(A, "");
	for (size_t i = 0; i < errs.n; i++) {
		assert_true(errs.v[i].start <= errs.v[i].end);
		assert_true(errs.v[i].end <= strlen(in));
		buf = fl_arena_printf(A, "%s%s@%u %s", buf, i ? "\n" : "",
				      errs.v[i].pos, errs.v[i].msg);
	}
	*errtext = buf;
	*nerr = errs.n;
	return fl_expr_dump(A, e);
}

/* The canonical text of a valid tree must re-parse to the same tree. */
static void assert_roundtrip(const char *in)
{
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(A, in, (uint32_t)strlen(in), 0, &errs);
	assert_non_null(e);
	if (errs.n)
		return;
	char *f = fl_expr_format(A, e);
	assert_non_null(f);
	fl_expr_errors errs2 = {0};
	fl_expr *e2 = fl_expr_parse(A, f, (uint32_t)strlen(f), 0, &errs2);
	if (errs2.n)
		fail_msg("'%s' formats as '%s' which fails: %s", in, f, errs2.v[0].msg);
	const char *d1 = fl_expr_dump(A, e), *d2 = fl_expr_dump(A, e2);
	if (strcmp(d1, d2) != 0)
		fail_msg("'%s' -> '%s': %s vs %s", in, f, d1, d2);
}

struct pcase {
	const char *in, *dump;
};

/* Valid conditions: grammar, precedence, quirks (condition-language §3). */
static const struct pcase valid[] = {
	{"a", "(macro a)"},
	{"a and b and c", "(and (macro a) (macro b) (macro c))"},
	{"a or b and c", "(or (macro a) (and (macro b) (macro c)))"},
	{"a and b or c", "(or (and (macro a) (macro b)) (macro c))"},
	{"not a and b", "(and (not (macro a)) (macro b))"},
	{"a and (b and c)", "(and (macro a) (and (macro b) (macro c)))"},
	{"(a)", "(macro a)"},
	{"((a))", "(macro a)"},
	{"  \t(\n a \r)\b ", "(macro a)"},
	{"not(a)", "(not (macro a))"},
	{"not (a)", "(not (macro a))"},
	{"not not a", "(macro a)"},
	{"not not not a", "(not (macro a))"},
	{"not (not a)", "(not (not (macro a)))"},
	{"not\fa", "(not (macro a))"},
	{"not\va", "(not (macro a))"},
	{"nothing and orphan_proc", "(and (macro nothing) (macro orphan_proc))"},
	{"andy or order", "(or (macro andy) (macro order))"},
	{"notproc.name = x", "(= notproc.name x)"},
	{"a and not", "(and (macro a) (macro not))"},
	/* or( / and( make the group the whole operand (case 141) */
	{"evt.type=open or (proc.name=cat) and proc.pname=x",
	 "(or (= evt.type open) (and (= proc.name cat) (= proc.pname x)))"},
	{"evt.type=open and(proc.name=cat) or evt.type=close",
	 "(or (and (= evt.type open) (= proc.name cat)) (= evt.type close))"},
	{"a or(b)", "(or (macro a) (macro b))"},
	{"a and(b or c)", "(and (macro a) (or (macro b) (macro c)))"},
	{"evt.type=open and not proc.name=cat and proc.pname=x",
	 "(and (= evt.type open) (not (= proc.name cat)) (= proc.pname x))"},
	/* operators */
	{"proc.name exists", "(exists proc.name)"},
	{"proc.pid <= 1 and proc.pid < 2 and proc.pid >= 3 and proc.pid > 4",
	 "(and (<= proc.pid 1) (< proc.pid 2) (>= proc.pid 3) (> proc.pid 4))"},
	{"proc.name == a and proc.name = b and proc.name != c",
	 "(and (== proc.name a) (= proc.name b) (!= proc.name c))"},
	{"proc.name!=x and proc.name=y", "(and (!= proc.name x) (= proc.name y))"},
	{"fd.name glob /tmp/* or fd.name iglob *.SO",
	 "(or (glob fd.name /tmp/*) (iglob fd.name *.SO))"},
	{"proc.cmdline contains x or proc.cmdline icontains y",
	 "(or (contains proc.cmdline x) (icontains proc.cmdline y))"},
	{"evt.buffer bcontains 0a0b or evt.buffer bstartswith 7f454c46",
	 "(or (bcontains evt.buffer 0a0b) (bstartswith evt.buffer 7f454c46))"},
	{"fd.name startswith /etc or fd.name endswith .conf",
	 "(or (startswith fd.name /etc) (endswith fd.name .conf))"},
	{"proc.name regex '^ba.*h$'", "(regex proc.name \"^ba.*h$\")"},
	{"proc.name in (a, \"my cat\", b)", "(in proc.name (list a \"my cat\" b))"},
	{"proc.name in(a,b)", "(in proc.name (list a b))"},
	{"proc.name in ()", "(in proc.name (list))"},
	{"proc.name in ( )", "(in proc.name (list))"},
	{"proc.name in shells", "(in proc.name $shells)"},
	{"proc.name inx", "(in proc.name $x)"},
	{"proc.aname intersects (a, b) and fd.name pmatch (/tmp, /var)",
	 "(and (intersects proc.aname (list a b)) (pmatch fd.name (list /tmp /var)))"},
	{"proc.name contains\tx and proc.name startswith\ny",
	 "(and (contains proc.name x) (startswith proc.name y))"},
	{"proc.name in (a,b,c) and fd.num in (1, 2)",
	 "(and (in proc.name (list a b c)) (in fd.num (list 1 2)))"},
	/* modifiers (case 160) */
	{"proc.name startswith oneof (a, b)", "(startswith:oneof proc.name (list a b))"},
	{"proc.name != allof (a, b)", "(!=:allof proc.name (list a b))"},
	{"proc.name = anyof shells", "(=:anyof proc.name $shells)"},
	{"proc.name glob anyof\t()", "(glob:anyof proc.name (list))"},
	{"proc.name = oneof", "(= proc.name oneof)"},
	{"proc.name = oneof and x", "(and (= proc.name oneof) (macro x))"},
	{"proc.name = allof or x", "(or (= proc.name allof) (macro x))"},
	{"proc.name contains oneof", "(contains proc.name oneof)"},
	/* numbers (cases 151-153) */
	{"proc.pid > +5 and proc.pid < -5 and proc.pid <= 010",
	 "(and (> proc.pid +5) (< proc.pid -5) (<= proc.pid 010))"},
	{"proc.pid >= 0x1F or x.y > 1.5e+3 or x.y > 1. or x.y < 2.5E-1",
	 "(or (>= proc.pid 0x1F) (> x.y 1.5e+3) (> x.y 1.) (< x.y 2.5E-1))"},
	{"proc.pid > 0xZZ", "(> proc.pid 0xZZ)"},
	{"proc.pid = abc", "(= proc.pid abc)"},
	/* field arguments (case 159) */
	{"proc.aname[2]=x and proc.env[HOME]=/srv",
	 "(and (= proc.aname[2] x) (= proc.env[HOME] /srv))"},
	{"proc.env[\"MY VAR\"]=x", "(= proc.env[\"MY VAR\"] x)"},
	{"json.value[/user/name] = a", "(= json.value[/user/name] a)"},
	{"evt.arg.flags contains O_RDWR", "(contains evt.arg.flags O_RDWR)"},
	{"k8s.pod.label[app.kubernetes.io/name] exists",
	 "(exists k8s.pod.label[app.kubernetes.io/name])"},
	/* transformers (case 156), val() */
	{"tolower(proc.name) = bash and toupper(proc.pname) = SH",
	 "(and (= tolower(proc.name) bash) (= toupper(proc.pname) SH))"},
	{"tolower(basename(proc.exepath)) = sh and len(proc.args) > 2",
	 "(and (= tolower(basename(proc.exepath)) sh) (> len(proc.args) 2))"},
	{"b64(proc.cmdline) = x", "(= b64(proc.cmdline) x)"},
	{"tolower( proc.name ) = x", "(= tolower(proc.name) x)"},
	{"proc.name = val(proc.pname) and proc.name = toupper(proc.pname)",
	 "(and (= proc.name val(proc.pname)) (= proc.name toupper(proc.pname)))"},
	{"proc.name = val( proc.pname )", "(= proc.name val(proc.pname))"},
	{"proc.pid > val(proc.ppid)", "(> proc.pid val(proc.ppid))"},
	{"proc.name in val(proc.aname[1])", "(in proc.name val(proc.aname[1]))"},
	{"concat(proc.name, proc.pname) = ab", "(= concat(proc.name, proc.pname) ab)"},
	{"join(\",\", proc.args) = \"a,b\"", "(= join(\",\", proc.args) \"a,b\")"},
	{"getopt(proc.args, \"p:\")[p] = x", "(= getopt(proc.args, p:)[p] x)"},
	{"concat(proc.name, (proc.pname, \"x\", 5)) = y",
	 "(= concat(proc.name, (list proc.pname x 5)) y)"},
	{"concat(proc.name, ()) = y", "(= concat(proc.name, (list)) y)"},
	{"tolower(proc.name) in (a, b)", "(in tolower(proc.name) (list a b))"},
	{"proc.name = tolowercase", "(= proc.name tolowercase)"},
	/* strings and escapes (§2.1, cases 147-150) */
	{"proc.name = \"\"", "(= proc.name \"\")"},
	{"proc.cmdline = \"a\\tb\\nc\"", "(= proc.cmdline \"a\\tb\\nc\")"},
	{"proc.cmdline = \"q\\\"x\"", "(= proc.cmdline \"q\\\"x\")"},
	{"proc.cmdline = 'it\\'s'", "(= proc.cmdline \"it's\")"},
	{"proc.cmdline = \"back\\\\slash\"", "(= proc.cmdline \"back\\\\slash\")"},
	{"proc.cmdline = \"s\\/x\"", "(= proc.cmdline s/x)"},
	{"proc.cmdline = \"a\\ b\"", "(= proc.cmdline \"a\\\\b\")"},
	{"proc.cmdline = a\\b", "(= proc.cmdline \"a\\\\b\")"},
	{"proc.cmdline = \"\\b\\f\\r\"", "(= proc.cmdline \"\\b\\f\\r\")"},
	{"proc.name = 'a\"b'", "(= proc.name \"a\\\"b\")"},
	{"proc.name = \"a'b\"", "(= proc.name \"a'b\")"},
	{"proc.name = a.b/c*d<e>f!g[h]i\\j-k+l:m", "(= proc.name \"a.b/c*d<e>f!g[h]i\\\\j-k+l:m\")"},
	{"proc.name = \"it's (a) = b, c\"", "(= proc.name \"it's (a) = b, c\")"},
	/* quoted values are never keywords or fields */
	{"proc.name = \"and\" and proc.name = \"proc.pname\"",
	 "(and (= proc.name and) (= proc.name proc.pname))"},
	{"proc.name = and", "(= proc.name and)"},
	{"proc.name = or or x", "(or (= proc.name or) (macro x))"},
	/* first list item with a bad escape: libsinsp silently drops it */
	{"proc.name in (\"\\x41\")", "(in proc.name (list))"},
	/* one long line of a's */
	{"a or b or c or d or e", "(or (macro a) (macro b) (macro c) (macro d) (macro e))"},
};

static void test_valid(void **st)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		const char *et;
		size_t ne;
		const char *d = parse_dump(valid[i].in, &et, &ne);
		if (ne)
			fail_msg("'%s': unexpected error %s", valid[i].in, et);
		if (strcmp(d, valid[i].dump) != 0)
			fail_msg("'%s':\n got  %s\n want %s", valid[i].in, d, valid[i].dump);
		assert_roundtrip(valid[i].in);
	}
}

struct ecase {
	const char *in;
	const char *errs; /* every error, "@pos msg", newline-separated */
};

#define OPS "expected a valid check operator: one of 'exists', '<=', '<', " \
	"'>=', '>', '==', '=', '!=', 'glob', 'iglob', 'contains', "          \
	"'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', " \
	"'regex', 'intersects', 'in', 'pmatch'"
#define TRS "'val', 'tolower', 'toupper', 'b64', 'basename', 'len', 'join', " \
	"'concat', 'getopt'"

/* Errors: message and offset (0-based; the oracle cases are 1-based
 * columns of one-line conditions, so pos = column - 1). */
static const struct ecase errors[] = {
	{"", "@0 filter input string is empty"},
	{"  ", "@2 expected a '(' token, a field check, or an identifier"},
	/* case 139 */
	{"evt.type=open AND proc.name=cat",
	 "@14 unexpected token after 'open', expecting 'or', 'and'"},
	/* case 140 */
	{"evt.type=open or(proc.name=cat) and proc.pname=x",
	 "@32 unexpected token after ')', expecting 'or', 'and'"},
	/* case 142 */
	{"evt.type=open ordinal", "@16 expected blank or '(' after 'or'"},
	{"a andy", "@5 expected blank or '(' after 'and'"},
	{"a and\fb", "@5 expected blank or '(' after 'and'"},
	/* case 145 */
	{"evt.type=open and proc.name contains(x)", "@28 " OPS},
	/* case 148, 149 */
	{"evt.type=open and proc.cmdline = 'a\\\"b'",
	 "@39 invalid \\\" escape in '-quoted string"},
	{"proc.cmdline = \"a\\'b\"", "@21 invalid \\' escape in \"-quoted string"},
	{"evt.type=open and proc.cmdline = \"\\x41\"",
	 "@39 unsupported string escape sequence: \\x"},
	/* case 150: "a\\" does not end the string */
	{"evt.type=open and (proc.cmdline = \"a\\\\\" or proc.name = \"b\")",
	 "@56 expected a ')' token"},
	/* case 153, 154 */
	{"evt.type=open and proc.pid > 1e5",
	 "@30 unexpected token after '1', expecting 'or', 'and'"},
	{"evt.type=open and proc.pid > abc",
	 "@29 expected a number value or a field with a valid transformer: " TRS},
	{"proc.pid > 0x", "@12 unexpected token after '0', expecting 'or', 'and'"},
	/* case 157, 158 */
	{"evt.type=open and tolower (proc.name) = bash",
	 "@26 unexpected token after 'tolower', expecting 'or', 'and'"},
	{"evt.type=open and val(proc.name) = x",
	 "@21 unexpected token after 'val', expecting 'or', 'and'"},
	/* case 161, 162 */
	{"evt.type=open and proc.name", "@27 " OPS},
	{"evt.type=open and m = x", "@20 unexpected token after 'm', expecting 'or', 'and'"},
	/* case 163: no comments */
	{"evt.type=open # comment",
	 "@14 unexpected token after 'open', expecting 'or', 'and'"},
	/* case 168: a multi-item list substituted without parentheses */
	{"evt.type=open and proc.name in bash, sh ",
	 "@35 unexpected token after 'bash', expecting 'or', 'and'"},
	{"proc.aname [2] = x", "@11 " OPS},
	{"proc.name existsx", "@16 unexpected token after 'exists', expecting 'or', 'and'"},
	{"a and not ", "@10 expected a '(' token, a field check, or an identifier"},
	{"a)", "@1 unexpected token after 'a', expecting 'or', 'and'"},
	{"(a", "@2 expected a ')' token"},
	{"(a b)", "@3 expected a ')' token"},
	{"a and = b", "@6 expected a '(' token, a field check, or an identifier"},
	{"proc.name = (", "@12 expected a string value or a field with a valid transformer: " TRS},
	{"proc.name in 5", "@13 expected a list, an identifier, or a field with a valid transformer: " TRS},
	{"proc.name in (a,)", "@16 expected a string value"},
	{"proc.name in (,a)", "@14 expected a ')' token"},
	{"proc.name in (\"\\x41\" )", "@20 expected a ')' token"},
	{"proc.name = oneof(a)", "@17 unexpected token after 'oneof', expecting 'or', 'and'"},
	{"proc.name =oneof (a)", "@17 unexpected token after 'oneof', expecting 'or', 'and'"},
	{"proc.name = val(x)", "@16 expected a field within 'val' transformer"},
	{"proc.name = val(proc.pname", "@26 expected a ')' token closing the transformer"},
	{"tolower(proc.name = x", "@18 expected a ')' token closing the transformer"},
	{"tolower() = x", "@8 expected a transformer argument: a field, a transformer, "
			  "a quoted string, a number or a list"},
	{"proc.env[ = x", "@9 expected a valid field argument: a quoted string or a bare string"},
	{"proc.env[a = x", "@10 expected a ']' token"},
	{"proc.name = \"unclosed", "@12 expected a string value or a field with a valid transformer: " TRS},
	{"proc.name = 'x' 'y'", "@16 unexpected token after 'x', expecting 'or', 'and'"},
	{"proc.name = \"a b\" c", "@18 unexpected token after 'a b', expecting 'or', 'and'"},
	{"a\0b", "@1 unexpected token after 'a', expecting 'or', 'and'"},
};

static void test_errors(void **st)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		const char *in = errors[i].in;
		fl_expr_errors errs = {0};
		uint32_t len = (uint32_t)strlen(in);
		if (strcmp(in, "a") == 0 && in[2] == 'b')
			len = 3; /* the embedded-NUL case */
		fl_expr *e = fl_expr_parse(A, in, len, 0, &errs);
		assert_non_null(e);
		if (errs.n == 0)
			fail_msg("'%s': no error", in);
		const char *got = fl_arena_printf(A, "@%u %s", errs.v[0].pos, errs.v[0].msg);
		if (strcmp(got, errors[i].errs) != 0)
			fail_msg("'%s':\n got  %s\n want %s", in, got, errors[i].errs);
	}
}

/* Recovery: every error of a condition in one run, and a sane tree. */
static const struct pcase recovery[] = {
	{"a b and c d or e f",
	 "@2 unexpected token after 'a', expecting 'or', 'and'\n"
	 "@10 unexpected token after 'c', expecting 'or', 'and'\n"
	 "@17 unexpected token after 'e', expecting 'or', 'and'"},
	{"proc.name foo x and proc.pid > abc and (x.y = \"\\q\" or z",
	 "@10 " OPS "\n"
	 "@31 expected a number value or a field with a valid transformer: " TRS "\n"
	 "@50 unsupported string escape sequence: \\q\n"
	 "@55 expected a ')' token"},
	{"evt.type=open or(proc.name=cat) and proc.pname=x and = y",
	 "@32 unexpected token after ')', expecting 'or', 'and'\n"
	 "@53 expected a '(' token, a field check, or an identifier"},
	{"(tolower(proc.name = x) = y and z) and w",
	 "@19 expected a ')' token closing the transformer"},
	{"proc.name in (a b) and proc.name in (c,) and q.r",
	 "@16 expected a ')' token\n"
	 "@39 expected a string value\n"
	 "@48 " OPS},
};

static void test_recovery(void **st)
{
	for (size_t i = 0; i < sizeof(recovery) / sizeof(recovery[0]); i++) {
		const char *et;
		size_t ne;
		parse_dump(recovery[i].in, &et, &ne);
		if (strcmp(et, recovery[i].dump) != 0)
			fail_msg("'%s':\n got  %s\n want %s", recovery[i].in, et,
				 recovery[i].dump);
	}
	/* the tree keeps the good parts */
	const char *et;
	size_t ne;
	const char *d = parse_dump("a and proc.name = and b c or d", &et, &ne);
	assert_int_equal(ne, 1);
	assert_string_equal(d, "(or (and (macro a) (= proc.name and)) (macro d))");
	d = parse_dump("evt.type=open or(proc.name=cat) and proc.pname=x", &et, &ne);
	assert_string_equal(d, "(or (= evt.type open) (and (= proc.name cat) (= proc.pname x)))");
	d = parse_dump("a and proc.name and c", &et, &ne);
	assert_string_equal(d, "(and (macro a) (error) (macro c))");
}

/* ---- list substitution (§6) ------------------------------------------ */

struct lcase {
	const char *in, *name;
	const char *items[4];
	const char *out; /* NULL: no replacement */
};

static const struct lcase lists[] = {
	{"proc.name in (ls, cat_binaries)", "cat_binaries", {"cat", "my cat"},
	 "proc.name in (ls, cat, \"my cat\" )"},
	{"proc.name in (ls, empty)", "empty", {NULL}, "proc.name in (ls  )"},
	{"proc.name in (empty, ls)", "empty", {NULL}, "proc.name in (   ls)"},
	{"proc.name=cat_binaries or x", "cat_binaries", {"cat"}, "proc.name= cat or x"},
	{"proc.name in shells", "shells", {"bash", "sh"}, "proc.name in bash, sh "},
	{"proc.name in (shells)", "shells", {"a,b"}, "proc.name in ( a,b )"},
	/* not quote-aware (case 169) */
	{"proc.cmdline = \"run foo now\"", "foo", {"a"}, "proc.cmdline = \"run a now\""},
	/* `[`, `.`, `-` are not delimiters (case 170) */
	{"proc.aname[foo] = foo.x or foo-y = 1", "foo", {"z"}, NULL},
	/* any delimited occurrence, keywords included (case 171) */
	{"evt.type=open", "open", {"close"}, "evt.type= close "},
	{"shells", "shells", {"a", "b"}, "a, b "},
	/* a match at the very start: the next byte is skipped (Falco quirk) */
	{"a a", "a", {"x"}, "x a"},
	{"(a,a)", "a", {"x"}, "( x , x )"},
	{"x in (a)", "a", {"\"q r\"", "'s t'", "u v"}, "x in ( \"q r\", 's t', \"u v\" )"},
	{"x in (a, b)", "x in", {"y"}, "y (a, b)"},
	{"m and not m", "m", {"q"}, "q and not q "},
};

static void test_list_substitute(void **st)
{
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const struct lcase *c = &lists[i];
		size_t n = 0;
		while (n < 4 && c->items[n])
			n++;
		fl_list_def d = {c->name, (uint32_t)strlen(c->name), c->items, n};
		fl_text in = {.s = c->in, .len = (uint32_t)strlen(c->in)}, out;
		unsigned char used = 0;
		assert_int_equal(fl_list_substitute(A, &in, &d, 1, &out, &used), 0);
		const char *want = c->out ? c->out : c->in;
		if (out.len != strlen(want) || memcmp(out.s, want, out.len) != 0)
			fail_msg("'%s' with %s: got '%.*s' want '%s'", c->in, c->name,
				 (int)out.len, out.s, want);
		assert_int_equal(used, c->out != NULL);
		assert_null(out.runs);
	}
}

static void test_list_positions(void **st)
{
	/* the text comes from source 3 at offsets 100..; inserted bytes take
	 * the position of the list name */
	const char *t = "proc.name in (sh_l) and x";
	uint32_t n = (uint32_t)strlen(t);
	const fl_run run = {0, 100, 3, 1};  /* one linear run */
	const char *sh[] = {"bash", "sh"};
	const char *none[] = {"zz"};
	fl_list_def d[2] = {{"other", 5, none, 1}, {"sh_l", 4, sh, 2}};
	fl_text in = {t, n, 1, &run}, out;
	unsigned char used[2] = {0, 0};
	assert_int_equal(fl_list_substitute(A, &in, d, 2, &out, used), 0);
	assert_int_equal(used[0], 0);
	assert_int_equal(used[1], 1);
	const char *want = "proc.name in ( bash, sh ) and x";
	assert_int_equal(out.len, strlen(want));
	assert_memory_equal(out.s, want, out.len);
	for (uint32_t i = 0; i < 14; i++)  /* "proc.name in (" kept */
		assert_int_equal(fl_text_pos(&out, i).off, 100 + i);
	for (uint32_t i = 14; i < 24; i++) /* " bash, sh " from "sh_l" at 14 */
		assert_int_equal(fl_text_pos(&out, i).off, 114);
	assert_int_equal(fl_text_pos(&out, 24).off, 118); /* ")" */
	assert_int_equal(fl_text_pos(&out, out.len).off, 100 + n);
	assert_int_equal(fl_text_pos(&out, 0).src, 3);
	assert_int_equal(out.nruns, 3);   /* kept, inserted, kept */
	/* the substituted text parses */
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(A, out.s, out.len, 0, &errs);
	assert_int_equal(errs.n, 0);
	assert_string_equal(fl_expr_dump(A, e),
			    "(and (in proc.name (list bash sh)) (macro x))");
}

/* §6.1: one level per list-compile step (cases 173, 174) */
static void test_list_compile(void **st)
{
	const char *ia[] = {"x"}, *ib[] = {"A"}, *ic[] = {"B", "y"};
	fl_list_src fwd[3] = {{"A", 0, 0, ia, 1}, {"B", 1, 1, ib, 1}, {"C", 2, 2, ic, 2}};
	fl_list_def out[3];
	unsigned char used[3] = {0};
	assert_int_equal(fl_list_compile(A, fwd, 3, out, used), 0);
	assert_int_equal(out[1].nitems, 1);
	assert_string_equal(out[1].items[0], "x"); /* B = [x] */
	assert_int_equal(out[2].nitems, 2);
	assert_string_equal(out[2].items[0], "A"); /* C = [A, y] */
	assert_string_equal(out[2].items[1], "y");
	assert_int_equal(used[0], 1);
	assert_int_equal(used[1], 1);
	assert_int_equal(used[2], 0);
	/* substituting in first-definition order leaves the literal A */
	fl_text in = {.s = "proc.name in (C)", .len = 16}, res;
	assert_int_equal(fl_list_substitute(A, &in, out, 3, &res, NULL), 0);
	assert_int_equal(res.len, strlen("proc.name in ( A, y )"));
	assert_memory_equal(res.s, "proc.name in ( A, y )", res.len);

	/* reverse definition order: nothing expands at compile time, but the
	 * condition resolves fully (C, then B, then A) */
	const char *rc[] = {"B"}, *rb[] = {"A"}, *ra[] = {"x"};
	fl_list_src rev[3] = {{"C", 0, 0, rc, 1}, {"B", 1, 1, rb, 1}, {"A", 2, 2, ra, 1}};
	memset(used, 0, sizeof(used));
	assert_int_equal(fl_list_compile(A, rev, 3, out, used), 0);
	assert_string_equal(out[0].items[0], "B");
	assert_int_equal(used[0] + used[1] + used[2], 0);
	assert_int_equal(fl_list_substitute(A, &in, out, 3, &res, NULL), 0);
	assert_int_equal(res.len, strlen("proc.name in ( x )"));
	assert_memory_equal(res.s, "proc.name in ( x )", res.len);

	/* a list that references a later list sees it once appended after
	 * it (visibility beyond the other's index, case 175) */
	fl_list_src app[2] = {{"C", 0, 2, rc, 1}, {"B", 1, 1, ib, 1}};
	assert_int_equal(fl_list_compile(A, app, 2, out, NULL), 0);
	assert_string_equal(out[0].items[0], "A");
}

/* ---- output strings --------------------------------------------------- */

static int known_field(void *ctx, const char *name, size_t len, int has_arg,
		       const char *arg, size_t arg_len)
{
	static const char *const f[] = {"proc.name", "proc.aname", "user.name",
					"evt.time", "proc.cmdline", "fd.name"};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strlen(f[i]) == len && memcmp(f[i], name, len) == 0)
			return !has_arg || strcmp(f[i], "proc.aname") == 0;
	return 0;
}

static const char *out_dump(const char *fmt, int use_known)
{
	fl_output o;
	fl_expr_errors errs = {0};
	assert_int_equal(fl_output_parse(A, fmt, (uint32_t)strlen(fmt),
					 use_known ? known_field : NULL, NULL, &o, &errs), 0);
	char *s = fl_arena_strdup(A, o.require_all ? "" : "* ");
	for (size_t i = 0; i < o.ntokens; i++)
		s = fl_arena_printf(A, "%s[%u,%u)w%u:%s ", s, o.tokens[i].start,
				    o.tokens[i].end, o.tokens[i].width,
				    fl_operand_dump(A, o.tokens[i].field));
	for (size_t i = 0; i < errs.n; i++)
		s = fl_arena_printf(A, "%s!@%u %s ", s, errs.v[i].pos, errs.v[i].msg);
	return s;
}

static void test_output(void **st)
{
	/* case 186 */
	assert_string_equal(out_dump("%proc.namex", 1), "[0,10)w0:proc.name ");
	assert_string_equal(out_dump("[%10proc.name] %toupper(user.name) %proc.aname[2]", 1),
			    "[1,13)w10:proc.name [15,34)w0:toupper(user.name) "
			    "[35,49)w0:proc.aname[2] ");
	assert_string_equal(out_dump("*%proc.name", 1), "* [1,11)w0:proc.name ");
	/* case 184, 185, 187 */
	assert_string_equal(out_dump("x %not_a_real_field", 1),
			    "!@2 unknown filter: 'not_a_real_field' is not a valid field or transformer ");
	assert_string_equal(out_dump("x %", 1),
			    "!@2 invalid formatting syntax: formatting cannot end with a % ");
	assert_string_equal(out_dump("x %12", 1),
			    "!@2 invalid formatting syntax: formatting cannot end with a number ");
	/* no escape for '%' */
	assert_string_equal(out_dump("100%% sure", 1),
			    "!@3 unknown filter: '%' is not a valid field or transformer "
			    "!@4 unknown filter: ' ' is not a valid field or transformer ");
	/* the name without an argument it does not take; prefixes */
	assert_string_equal(out_dump("%proc.name[1] %user.name.x", 1),
			    "[0,10)w0:proc.name [14,24)w0:user.name ");
	assert_string_equal(out_dump("%proc.name[1", 1), "[0,10)w0:proc.name ");
	assert_string_equal(out_dump("%tolower(proc.nope)", 1),
			    "!@0 unknown filter: 'tolower' is not a valid field or transformer ");
	/* without a catalogue: any lexical field */
	assert_string_equal(out_dump("a=%k8s.ns.name b=%x.y[\"q r\"].", 0),
			    "[2,14)w0:k8s.ns.name [17,28)w0:x.y[\"q r\"] ");
	assert_string_equal(out_dump("plain text", 0), "");
}

/* Error spans: the end-of-text errors from the '%', a bad token's name, or
 * the rejected field inside a transformer call. */
static void test_output_error_spans(void **st)
{
	static const struct {
		const char *fmt;
		uint32_t pos, start, end;
	} c[] = {
		{"x %", 2, 2, 3},
		{"x %12", 2, 2, 5},
		{"x %not_a_real_field y", 2, 3, 19},
		{"x %12proc.nope y", 2, 5, 14},
		{"%tolower(proc.nope)", 0, 9, 18},
		{"%concat(proc.name, toupper(fd.nope[1]))", 0, 27, 37},
		{"%tolower(proc.name", 0, 1, 8},
		{"a % b", 2, 3, 4},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		fl_output o;
		fl_expr_errors errs = {0};
		assert_int_equal(fl_output_parse(A, c[i].fmt, (uint32_t)strlen(c[i].fmt),
						 known_field, NULL, &o, &errs), 0);
		if (errs.n != 1 || errs.v[0].pos != c[i].pos || errs.v[0].start != c[i].start ||
		    errs.v[0].end != c[i].end)
			fail_msg("'%s': %zu errors, first @%u [%u,%u)", c[i].fmt, errs.n,
				 errs.n ? errs.v[0].pos : 0, errs.n ? errs.v[0].start : 0,
				 errs.n ? errs.v[0].end : 0);
	}
}

/* ---- limits ----------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_depth(void **st)
{
	size_t n = 100000;
	char *s = malloc(2 * n + 16);
	assert_non_null(s);
	memset(s, '(', n);
	memcpy(s + n, "a", 1);
	memset(s + n + 1, ')', n);
	s[2 * n + 1] = 0;
	double t0 = now();
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(A, s, (uint32_t)(2 * n + 1), 0, &errs);
	assert_non_null(e);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0].msg, "exceeded max depth limit of 1000");
	assert_int_equal(errs.v[0].pos, 1000);
	assert_true(now() - t0 < 2.0);

	/* unclosed: one depth error, one missing ')' */
	errs.n = 0;
	e = fl_expr_parse(A, s, (uint32_t)n, 0, &errs);
	assert_non_null(e);
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.v[1].msg, "expected a ')' token");
	errs.n = 0;
	e = fl_expr_parse(A, s + n - 50, 51, 0, &errs);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.v[0].pos, 51);

	/* within the limit: 300 levels load (case 164) */
	errs.n = 0;
	e = fl_expr_parse(A, s + n - 300, 601, 0, &errs);
	assert_int_equal(errs.n, 0);
	assert_string_equal(fl_expr_dump(A, e), "(macro a)");
	/* a caller-chosen limit */
	e = fl_expr_parse(A, s + n - 300, 601, 10, &errs);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0].msg, "exceeded max depth limit of 10");
	/* transformers and `not(` count too; so does the clamp */
	const char *deep = "tolower(tolower(tolower(tolower(proc.name)))) = x";
	errs.n = 0;
	fl_expr_parse(A, deep, (uint32_t)strlen(deep), 3, &errs);
	assert_int_equal(errs.n, 1);
	errs.n = 0;
	for (size_t i = 0; i < 5000; i++)
		memcpy(s + 4 * i, "not(", 4);
	s[20000] = 'a';
	memset(s + 20001, ')', 5000);
	e = fl_expr_parse(A, s, 25001, 1u << 30, &errs);
	assert_non_null(e);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.v[0].msg, "exceeded max depth limit of 2000");
	free(s);
}

static void test_big(void **st)
{
	/* 1 MB on one line: a long chain of checks, then hostile shapes */
	size_t cap = 1u << 20;
	char *s = malloc(cap + 64);
	size_t n = 0;
	assert_non_null(s);
	while (n + 40 < cap)
		n += (size_t)sprintf(s + n, "%sproc.name in (a, \"b c\")", n ? " and " : "");
	fl_expr_errors errs = {0};
	double t0 = now();
	fl_expr *e = fl_expr_parse(A, s, (uint32_t)n, 0, &errs);
	assert_non_null(e);
	assert_int_equal(errs.n, 0);
	assert_int_equal(e->kind, FL_EXPR_AND);
	assert_true(e->u.kids.n > 20000);
	assert_non_null(fl_expr_format(A, e));
	/* runs of unclosed quotes must stay linear */
	for (size_t i = 0; i < cap; i += 2)
		memcpy(s + i, "\\'", 2);
	s[0] = 'x';
	s[1] = '=';
	errs.n = 0;
	e = fl_expr_parse(A, s, (uint32_t)cap, 0, &errs);
	assert_non_null(e);
	assert_true(errs.n >= 1);
	/* `not not …` and one huge bare value */
	for (size_t i = 0; i + 4 <= cap; i += 4)
		memcpy(s + i, "not ", 4);
	errs.n = 0;
	e = fl_expr_parse(A, s, (uint32_t)cap, 0, &errs);
	assert_int_equal(errs.n, 1);
	memcpy(s, "proc.name = ", 12);
	memset(s + 12, 'v', cap - 12);
	errs.n = 0;
	e = fl_expr_parse(A, s, (uint32_t)cap, 0, &errs);
	assert_int_equal(errs.n, 0);
	assert_int_equal(e->u.check.rhs->len, cap - 12);
	/* junk everywhere: many errors, still linear */
	memset(s, '=', cap);
	errs.n = 0;
	e = fl_expr_parse(A, s, (uint32_t)cap, 0, &errs);
	assert_true(errs.n >= 1);
	double dt = now() - t0;
	if (dt > 5.0)
		fail_msg("1 MB conditions took %.2fs", dt);
	free(s);
}

/* ---- iterator --------------------------------------------------------- */

static void test_iter(void **st)
{
	const char *in = "a and not (b or c) and proc.name exists";
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(A, in, (uint32_t)strlen(in), 0, &errs);
	fl_expr_iter *it = fl_expr_iter_new(A, e);
	const fl_expr *n;
	fl_expr_event ev;
	char buf[256] = "";
	while ((ev = fl_expr_iter_next(it, &n)) > FL_EXPR_EV_DONE) {
		strcat(buf, ev == FL_EXPR_EV_ENTER ? "+" : "-");
		strcat(buf, fl_expr_kind_name(n->kind));
		strcat(buf, " ");
	}
	assert_int_equal(ev, FL_EXPR_EV_DONE);
	assert_string_equal(buf, "+and +macro +not +or +macro +macro -or -not +check -and ");
	/* skip the children of `not` */
	it = fl_expr_iter_new(A, e);
	buf[0] = 0;
	while ((ev = fl_expr_iter_next(it, &n)) > FL_EXPR_EV_DONE) {
		if (ev == FL_EXPR_EV_ENTER && n->kind == FL_EXPR_NOT)
			fl_expr_iter_skip(it);
		strcat(buf, ev == FL_EXPR_EV_ENTER ? "+" : "-");
		strcat(buf, fl_expr_kind_name(n->kind));
		strcat(buf, " ");
	}
	assert_string_equal(buf, "+and +macro +not -not +check -and ");
	/* spans */
	assert_int_equal(e->start, 0);
	assert_int_equal(e->end, strlen(in));
	const fl_expr *nt = e->u.kids.v[1];
	assert_int_equal(nt->start, 6);
	assert_int_equal(nt->u.child->parens, 1);
	assert_int_equal(nt->u.child->start, 11);
	assert_int_equal(nt->u.child->end, 17);
	const fl_expr *ck = e->u.kids.v[2];
	assert_int_equal(ck->u.check.op, FL_OP_EXISTS);
	assert_int_equal(ck->u.check.op_start, 33);
	assert_int_equal(ck->u.check.op_end, 39);
	assert_null(ck->u.check.rhs);
}

static void test_spans(void **st)
{
	const char *in = "proc.env[\"A B\"] in ('x', y) and tolower(fd.name) startswith oneof (a)";
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(A, in, (uint32_t)strlen(in), 0, &errs);
	assert_int_equal(errs.n, 0);
	const fl_expr *c = e->u.kids.v[0];
	const fl_operand *l = c->u.check.lhs, *r = c->u.check.rhs;
	assert_int_equal(l->start + l->len, 8);
	assert_int_equal(l->end, 15);
	const fl_operand *arg = fl_operand_arg(l);
	assert_non_null(arg);
	assert_int_equal(arg->kind, FL_OPERAND_VALUE);
	assert_true(arg->quoted);
	assert_string_equal(arg->text, "A B");
	assert_int_equal(arg->len, 3);
	assert_int_equal(arg->start, 9);  /* the token inside [ ] */
	assert_int_equal(arg->end, 14);
	assert_int_equal(r->kind, FL_OPERAND_LIST);
	assert_int_equal(r->start, 19);
	assert_int_equal(r->end, 27);
	assert_int_equal(fl_operand_nitems(r), 2);
	assert_null(fl_operand_arg(r));
	assert_int_equal(fl_operand_item(r, 0)->start, 20);
	assert_int_equal(fl_operand_item(r, 0)->end, 23);
	assert_true(fl_operand_item(r, 0)->quoted);
	assert_false(fl_operand_item(r, 1)->quoted);
	c = e->u.kids.v[1];
	assert_int_equal(c->u.check.mod, FL_MOD_ONEOF);
	assert_int_equal(c->u.check.op_start, 49);
	assert_int_equal(c->u.check.op_end, 65);
	assert_int_equal(c->u.check.lhs->kind, FL_OPERAND_TRANSFORMER);
	assert_int_equal(c->u.check.lhs->tr, FL_XF_TOLOWER);
	assert_int_equal(c->u.check.lhs->end, 48);
	assert_int_equal(fl_operand_nitems(c->u.check.lhs), 1);
	assert_null(fl_operand_arg(c->u.check.lhs));
	assert_int_equal(fl_op_lookup("startswith", 10), FL_OP_STARTSWITH);
		assert_int_equal(fl_op_syntax(FL_OP_PMATCH), FL_OPSYN_LIST);
	assert_int_equal(fl_modifier_lookup("allof", 5), FL_MOD_ALLOF);
	assert_int_equal(fl_modifier_lookup("", 0), -1);
	assert_int_equal(fl_modifier_lookup("oneo", 4), -1);
	/* the substring search of list substitution */
	const char *h = "ab\0abc";
	assert_ptr_equal(fl_memmem(h, 6, "abc", 3), h + 3);
	assert_ptr_equal(fl_memmem(h, 6, "b\0a", 3), h + 1);
	assert_null(fl_memmem(h, 5, "abc", 3));
	assert_null(fl_memmem(h, 6, "", 0));
	assert_null(fl_memmem(h, 0, "a", 1));
	/* Falco's quote_item() */
	assert_true(fl_quote_item_needed("my cat", 6));
	assert_false(fl_quote_item_needed("\"my cat\"", 8));
	assert_false(fl_quote_item_needed("'a b", 4));
	assert_false(fl_quote_item_needed("a\tb", 3));
	assert_false(fl_quote_item_needed("", 0));
}

/* Items and [arg] are an operand's parts: a transformer has both. */
static void test_operand_parts(void **st)
{
	const char *in = "getopt(proc.args, \"p:\")[p] = x and proc.aname[2] = y";
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(A, in, (uint32_t)strlen(in), 0, &errs);
	assert_int_equal(errs.n, 0);
	const fl_operand *t = e->u.kids.v[0]->u.check.lhs;
	assert_int_equal(t->kind, FL_OPERAND_TRANSFORMER);
	assert_int_equal(t->tr, FL_XF_GETOPT);
	assert_int_equal(t->end, 26);
	assert_int_equal(fl_operand_nitems(t), 2);
	assert_string_equal(fl_operand_item(t, 0)->text, "proc.args");
	assert_string_equal(fl_operand_item(t, 1)->text, "p:");
	const fl_operand *a = fl_operand_arg(t);
	assert_non_null(a);
	assert_false(a->quoted);
	assert_string_equal(a->text, "p");
	assert_int_equal(a->start, 24);
	assert_int_equal(a->end, 25);
	const fl_operand *f = e->u.kids.v[1]->u.check.lhs;
	assert_int_equal(fl_operand_nitems(f), 0);
	assert_string_equal(fl_operand_arg(f)->text, "2");
	assert_int_equal(fl_operand_arg(f)->start, 46);
	assert_int_equal(f->end, 48);
	assert_null(fl_operand_arg(e->u.kids.v[1]->u.check.rhs));
}

/* ---- Falco-exact printing and bound macros ----------------------------- */

static fl_expr *parse_ok(const char *in)
{
	fl_expr_errors errs = {0};
	fl_expr *e = fl_expr_parse(A, in, (uint32_t)strlen(in), 0, &errs);
	assert_non_null(e);
	if (errs.n)
		fail_msg("'%s': %s", in, errs.v[0].msg);
	return e;
}

static void test_format_modes(void **st)
{
	/* where Falco's printer and the safe one differ (§9) */
	static const struct {
		const char *in, *safe, *falco;
	} c[] = {
		{"proc.args = \"\"", "proc.args = \"\"", "proc.args = "},
		{"proc.name in (\"(systemd)\", a)", "proc.name in (\"(systemd)\", a)",
		 "proc.name in ((systemd), a)"},
		{"not (not a)", "not (not a)", "not not a"},
		{"x.y = 'a\\ '", "x.y = \"a\\ \"", "x.y = \"a\\\\\""},
		{"x.y = \"a=b\" and x.y = \"it's\" and x.y = \"\\t\"",
		 "(x.y = \"a=b\" and x.y = \"it's\" and x.y = \"\\t\")",
		 "(x.y = \"a=b\" and x.y = \"it's\" and x.y = \"\\t\")"},
		{"x.y[\"\"] exists", "x.y[\"\"] exists", "x.y[\"\"] exists"},
		{"x.y[\"a]b\"] exists", "x.y[\"a]b\"] exists", "x.y[a]b] exists"},
		{"join(\",\", proc.args) = a", "join(\",\",proc.args) = a", "join(,,proc.args) = a"},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		fl_expr *e = parse_ok(c[i].in);
		assert_string_equal(fl_expr_format(A, e), c[i].safe);
		assert_string_equal(fl_expr_format_ex(A, e, FL_EXPR_FMT_FALCO, 0), c[i].falco);
		assert_roundtrip(c[i].in);
	}
}

static void test_follow_macros(void **st)
{
	fl_expr *m1 = parse_ok("proc.name = a or proc.name = b");
	fl_expr *m2 = parse_ok("not m1 and fd.num > 0");
	fl_expr *r = parse_ok("evt.type = open and m2 and not m3");
	/* bind as a resolver would: m2 → its tree, m1 → its tree; m3 stays */
	m2->u.kids.v[0]->u.child->u.macro.resolved = m1;
	r->u.kids.v[1]->u.macro.resolved = m2;
	assert_string_equal(fl_expr_format(A, r), "(evt.type = open and m2 and not m3)");
	assert_string_equal(fl_expr_format_ex(A, r, FL_EXPR_FMT_FOLLOW, 0),
			    "(evt.type = open and (not (proc.name = a or proc.name = b) "
			    "and fd.num > 0) and not m3)");
	assert_null(fl_expr_format_ex(A, r, FL_EXPR_FMT_FOLLOW, 5));
	/* the iterator walks into bound macros as inner nodes */
	fl_expr_iter *it = fl_expr_iter_new(A, r);
	fl_expr_iter_follow(it, 0);
	const fl_expr *n;
	fl_expr_event ev;
	char buf[256] = "";
	while ((ev = fl_expr_iter_next(it, &n)) > FL_EXPR_EV_DONE) {
		strcat(buf, ev == FL_EXPR_EV_ENTER ? "+" : "-");
		strcat(buf, fl_expr_kind_name(n->kind));
		strcat(buf, " ");
	}
	assert_string_equal(buf, "+and +check +macro +and +not +macro +or +check +check "
				 "-or -macro -not +check -and -macro +not +macro -not -and ");
	/* dump does not follow */
	assert_string_equal(fl_expr_dump(A, r),
			    "(and (= evt.type open) (macro m2) (not (macro m3)))");
	/* not-not through a macro: safe mode keeps it grouped */
	fl_expr *nm = parse_ok("not x.y exists");
	fl_expr *nr = parse_ok("not q");
	nr->u.child->u.macro.resolved = nm;
	assert_string_equal(fl_expr_format_ex(A, nr, FL_EXPR_FMT_FOLLOW, 0),
			    "not (not x.y exists)");
	assert_string_equal(fl_expr_format_ex(A, nr, FL_EXPR_FMT_FOLLOW | FL_EXPR_FMT_FALCO, 0),
			    "not not x.y exists");
}

/* A resolver over a two-entry table; anything else is unknown. */
static const fl_expr *res_tab[2];
static int res_calls;

static const fl_expr *resolve_tab(void *ctx, const fl_expr *ref)
{
	(void)ctx;
	res_calls++;
	if (ref->u.macro.len == 2 && ref->u.macro.name[0] == 'm' &&
	    (ref->u.macro.name[1] == '1' || ref->u.macro.name[1] == '2'))
		return res_tab[ref->u.macro.name[1] - '1'];
	return NULL;
}

static void test_format_with_resolver(void **st)
{
	/* `"b\ "`: backslash-space decodes to one backslash (libsinsp's
	 * legacy tolerance), which Falco prints as "b\\" */
	res_tab[0] = parse_ok("proc.name = a or proc.name = \"b\\ \"");
	res_tab[1] = parse_ok("not m1 and fd.num > 0");
	fl_expr *r = parse_ok("evt.type = open and m2 and not m1");
	res_calls = 0;
	assert_string_equal(fl_expr_format_with(A, r, FL_EXPR_FMT_FOLLOW | FL_EXPR_FMT_FALCO, 0,
						resolve_tab, NULL),
			    "(evt.type = open and (not (proc.name = a or proc.name = \"b\\\\\") "
			    "and fd.num > 0) and not (proc.name = a or proc.name = \"b\\\\\"))");
	assert_int_equal(res_calls, 3); /* once per reference */
	/* the tree was not written to */
	assert_null(r->u.kids.v[1]->u.macro.resolved);
	/* an unknown macro has no printed form; a bound hit neither */
	fl_expr *bad = parse_ok("evt.type = open and m3");
	assert_null(fl_expr_format_with(A, bad, FL_EXPR_FMT_FOLLOW, 0, resolve_tab, NULL));
	assert_null(fl_expr_format_with(A, r, FL_EXPR_FMT_FOLLOW, 4, resolve_tab, NULL));
	/* without FOLLOW the resolver is not asked */
	res_calls = 0;
	assert_string_equal(fl_expr_format_with(A, bad, 0, 0, resolve_tab, NULL),
			    "(evt.type = open and m3)");
	assert_int_equal(res_calls, 0);
}

/* ---- the real corpus -------------------------------------------------- */

#define CORPUS "../shared/corpus/upstream"

static const char *scalar(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);
		yaml_node_t *v = yaml_document_get_node(d, p->value);
		if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return (const char *)v->data.scalar.value;
	}
	return NULL;
}

static yaml_node_t *seq(yaml_document_t *d, yaml_node_t *m, const char *key)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);
		yaml_node_t *v = yaml_document_get_node(d, p->value);
		if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SEQUENCE_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return v;
	}
	return NULL;
}

/* Every list, macro and rule of every upstream file: lists compiled and
 * substituted as Falco does, then every condition must parse without
 * error and its canonical text must re-parse to the same tree; every
 * output must split into tokens. */
static void test_corpus(void **st)
{
	DIR *dir = opendir(CORPUS);
	if (!dir) {
		print_message("skipped: %s not found\n", CORPUS);
		skip();
	}
	size_t nconds = 0, nfiles = 0, nouts = 0;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		size_t dl = strlen(de->d_name);
		if (dl < 5 || strcmp(de->d_name + dl - 5, ".yaml") != 0)
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", CORPUS, de->d_name);
		FILE *f = fopen(path, "rb");
		assert_non_null(f);
		yaml_parser_t yp;
		yaml_document_t doc;
		yaml_parser_initialize(&yp);
		yaml_parser_set_input_file(&yp, f);
		assert_true(yaml_parser_load(&yp, &doc));
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root || root->type != YAML_SEQUENCE_NODE) {
			yaml_document_delete(&doc);
			yaml_parser_delete(&yp);
			fclose(f);
			continue;
		}
		FL_VEC(fl_list_src) srcs = {0};
		FL_VEC(const char *) conds = {0};
		FL_VEC(const char *) outs = {0};
		for (yaml_node_item_t *it = root->data.sequence.items.start;
		     it < root->data.sequence.items.top; it++) {
			yaml_node_t *m = yaml_document_get_node(&doc, *it);
			const char *name, *c;
			if (!m || m->type != YAML_MAPPING_NODE)
				continue;
			if ((name = scalar(&doc, m, "list")) != NULL) {
				yaml_node_t *items = seq(&doc, m, "items");
				FL_VEC(const char *) iv = {0};
				for (yaml_node_item_t *i = items ? items->data.sequence.items.start : NULL;
				     items && i < items->data.sequence.items.top; i++) {
					yaml_node_t *v = yaml_document_get_node(&doc, *i);
					if (v && v->type == YAML_SCALAR_NODE)
						assert_int_equal(FL_VEC_PUSH(A, iv, fl_arena_strdup(A,
							(const char *)v->data.scalar.value)), 0);
				}
				fl_list_src l = {fl_arena_strdup(A, name), (uint32_t)srcs.n,
						 (uint32_t)srcs.n, iv.v, iv.n};
				assert_int_equal(FL_VEC_PUSH(A, srcs, l), 0);
			}
			if ((c = scalar(&doc, m, "condition")) != NULL)
				assert_int_equal(FL_VEC_PUSH(A, conds, fl_arena_strdup(A, c)), 0);
			if ((c = scalar(&doc, m, "output")) != NULL)
				assert_int_equal(FL_VEC_PUSH(A, outs, fl_arena_strdup(A, c)), 0);
		}
		yaml_document_delete(&doc);
		yaml_parser_delete(&yp);
		fclose(f);
		fl_list_def *defs = fl_arena_alloc(A, sizeof(*defs) * (srcs.n + 1));
		assert_int_equal(fl_list_compile(A, srcs.v, srcs.n, defs, NULL), 0);
		for (size_t i = 0; i < conds.n; i++) {
			fl_text in = {.s = conds.v[i], .len = (uint32_t)strlen(conds.v[i])}, out;
			assert_int_equal(fl_list_substitute(A, &in, defs, srcs.n, &out, NULL), 0);
			fl_expr_errors errs = {0};
			fl_expr *e = fl_expr_parse(A, out.s, out.len, 0, &errs);
			assert_non_null(e);
			if (errs.n)
				fail_msg("%s: '%.*s': @%u %s", de->d_name, (int)out.len, out.s,
					 errs.v[0].pos, errs.v[0].msg);
			char *t = fl_expr_format(A, e);
			assert_non_null(t);
			fl_expr *e2 = fl_expr_parse(A, t, (uint32_t)strlen(t), 0, &errs);
			assert_int_equal(errs.n, 0);
			assert_string_equal(fl_expr_dump(A, e), fl_expr_dump(A, e2));
			nconds++;
		}
		for (size_t i = 0; i < outs.n; i++) {
			fl_output o;
			fl_expr_errors errs = {0};
			assert_int_equal(fl_output_parse(A, outs.v[i], (uint32_t)strlen(outs.v[i]),
							 NULL, NULL, &o, &errs), 0);
			if (errs.n)
				fail_msg("%s: output '%s': %s", de->d_name, outs.v[i], errs.v[0].msg);
			nouts++;
		}
		nfiles++;
	}
	closedir(dir);
	print_message("corpus: %zu files, %zu conditions, %zu outputs\n", nfiles,
		      nconds, nouts);
	assert_true(nfiles > 0 && nconds > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_recovery),
		cmocka_unit_test(test_list_substitute),
		cmocka_unit_test(test_list_positions),
		cmocka_unit_test(test_list_compile),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_output_error_spans),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_iter),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_operand_parts),
		cmocka_unit_test(test_format_modes),
		cmocka_unit_test(test_follow_macros),
		cmocka_unit_test(test_format_with_resolver),
		cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
